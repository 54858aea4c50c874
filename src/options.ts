/**
 * Options: turns the CLI's flag strings into validated library options, once, at the boundary.
 */
import { DEFAULT_MAX_PIXELS, type Rgb } from './decode.js';
import { invalidParameter } from './errors.js';
import type { RenderOptions } from './render.js';

/** Flags as commander hands them over: strings, booleans, undefined. */
export interface CliFlags {
  out: string;
  relu: boolean;
  background?: string;
  maxPixels?: string;
}

/** The options of one CLI run. */
export interface RunOptions {
  input: string;
  outDir: string;
  render: RenderOptions;
}

const NAMED_COLOURS: Record<string, Rgb> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  red: [255, 0, 0],
  green: [0, 128, 0],
  blue: [0, 0, 255],
};

/**
 * Parses a colour: `#rgb`, `#rrggbb`, `r,g,b` (0–255 each) or a name (black, white, gray, red, green, blue).
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parseColour('#ff8000') // [255, 128, 0]
 */
export function parseColour(text: string, flag = '--background'): Rgb {
  const value = text.trim().toLowerCase();
  const named = NAMED_COLOURS[value];
  if (named) return named;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(value);
  if (hex) {
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join('') : hex[1];
    return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as unknown as Rgb;
  }
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length === 3 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) {
    return parts.map(Number) as unknown as Rgb;
  }
  throw invalidParameter('a colour (#rrggbb, #rgb, r,g,b or a name such as white)', flag, text);
}

/**
 * Parses a positive integer flag value.
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parsePositiveInteger('5000000', '--max-pixels') // 5000000
 */
export function parsePositiveInteger(text: string, flag: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw invalidParameter('a positive integer', flag, text);
  return value;
}

/**
 * Validates the CLI's flags and positional input into run options.
 * @throws {CnnvizError} kind `usage` for a bad flag value.
 * @example resolveOptions('a.png', { out: 'maps', relu: true }).render.relu // true
 */
export function resolveOptions(input: string, flags: CliFlags): RunOptions {
  if (flags.out.trim() === '') throw invalidParameter('a folder path', '--out', flags.out);
  return {
    input,
    outDir: flags.out,
    render: {
      relu: flags.relu,
      maxPixels: flags.maxPixels === undefined ? DEFAULT_MAX_PIXELS : parsePositiveInteger(flags.maxPixels, '--max-pixels'),
      ...(flags.background !== undefined ? { background: parseColour(flags.background) } : {}),
    },
  };
}
