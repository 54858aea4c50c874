/**
 * Options: turns the CLI's flag strings into validated library options, once, at the boundary.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_LEAKY_SLOPE, RELU, type Activation } from './activate.js';
import { parseColormap } from './colormap.js';
import { DEFAULT_MAX_PIXELS, type Rgb } from './decode.js';
import { invalidParameter } from './errors.js';
import { parseDecimal, parseInlineKernels, parseKernelFile } from './kernel-parse.js';
import type { LayerOptions, PaddingSpec } from './layer.js';
import { NORMALIZE_MODES, type NormalizeMode } from './normalize.js';
import { isPresetName, presetKernels } from './presets.js';
import { readKernelFile } from './read.js';
import type { RenderOptions } from './render.js';
import type { Kernel } from './types.js';

/** Flags as commander hands them over: strings, booleans, arrays of strings, undefined. */
export interface CliFlags {
  out: string;
  relu: boolean;
  background?: string;
  maxPixels?: string;
  maxOutputPixels?: string;
  filters?: string;
  kernel?: string[];
  color?: boolean;
  exact?: boolean;
  stride?: string;
  padding?: string;
  dilation?: string;
  activation?: string;
  pool?: string;
  normalize?: string;
  range?: string;
  colormap?: string;
  zoom?: string;
  cols?: string;
  gap?: string;
  labels: boolean;
  grid: boolean;
  compression?: string;
  json?: boolean;
  raw?: boolean;
  html?: boolean;
  jobs?: string;
  failFast?: boolean;
  quiet?: boolean;
  lockWait?: string;
}

/** The options of one CLI run. */
export interface RunOptions {
  /** The output folder; with `toStdout`, none (the grid goes to stdout). */
  outDir: string;
  toStdout: boolean;
  json: boolean;
  quiet: boolean;
  /** Images rendered at once in a batch. */
  jobs: number;
  failFast: boolean;
  /** How long to wait for another run's lock on an output folder, in ms. */
  lockWaitMs: number;
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
 * Parses an integer flag value within bounds.
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parseInteger('5', '--zoom', 1, 64) // 5
 */
export function parseInteger(text: string, flag: string, min: number, max: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const expected =
      max !== Number.MAX_SAFE_INTEGER ? `an integer between ${min} and ${max}` : min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
    throw invalidParameter(expected, flag, text);
  }
  return value;
}

/**
 * Parses a number between 0 and 1 (a ratio or a tolerance).
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parseRatio('0.01', '--max-diff-ratio') // 0.01
 */
export function parseRatio(text: string, flag: string): number {
  const value = parseDecimal(text);
  if (!(value >= 0 && value <= 1)) throw invalidParameter('a number between 0 and 1', flag, text);
  return value;
}

/**
 * Parses a duration in seconds, 0 to 3600 (fractions allowed).
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parseSeconds('0.5', '--lock-wait') // 0.5
 */
export function parseSeconds(text: string, flag: string): number {
  const value = parseDecimal(text);
  if (!(value >= 0 && value <= 3600)) throw invalidParameter('a number of seconds between 0 and 3600', flag, text);
  return value;
}

/**
 * Parses a positive integer flag value.
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parsePositiveInteger('5000000', '--max-pixels') // 5000000
 */
export function parsePositiveInteger(text: string, flag: string): number {
  return parseInteger(text, flag, 1, Number.MAX_SAFE_INTEGER);
}

/**
 * Parses `n` or `y,x` into a pair of integers within bounds (stride, dilation, padding).
 * @throws {CnnvizError} kind `usage` naming `flag`.
 * @example parsePair('2,1', '--stride', 1, 1024) // [2, 1]
 */
export function parsePair(text: string, flag: string, min: number, max: number): [number, number] {
  const parts = text.split(',');
  const expected = `an integer n or a pair y,x, each between ${min} and ${max}`;
  if (parts.length > 2 || !parts.every((p) => /^\s*\d+\s*$/.test(p))) throw invalidParameter(expected, flag, text);
  const values = parts.map(Number);
  if (values.some((v) => v < min || v > max)) throw invalidParameter(expected, flag, text);
  return values.length === 1 ? [values[0], values[0]] : [values[0], values[1]];
}

/**
 * Parses `--padding`: `valid`, `same`, `n` or `y,x` pixels of zero padding.
 * @example parsePadding('same') // 'same'
 */
export function parsePadding(text: string): PaddingSpec {
  const value = text.trim().toLowerCase();
  if (value === 'valid' || value === 'same') return value;
  try {
    return parsePair(value, '--padding', 0, 1024);
  } catch {
    throw invalidParameter('valid, same, an integer n or a pair y,x between 0 and 1024', '--padding', text);
  }
}

/**
 * Parses `--activation`: `relu`, `none`, `abs`, `leaky-relu` or `leaky-relu:<slope>` (default slope 0.01, as PyTorch).
 * @example parseActivation('leaky-relu:0.2') // { kind: 'leaky-relu', slope: 0.2 }
 */
export function parseActivation(text: string): Activation {
  const value = text.trim().toLowerCase();
  if (value === 'relu') return RELU;
  if (value === 'none' || value === 'abs') return { kind: value };
  const leaky = /^leaky-relu(?::(.*))?$/.exec(value);
  if (leaky) {
    const slope = leaky[1] === undefined ? DEFAULT_LEAKY_SLOPE : parseDecimal(leaky[1]);
    if (Number.isNaN(slope)) {
      throw invalidParameter('a finite slope, as in leaky-relu:0.1', '--activation', text);
    }
    return { kind: 'leaky-relu', slope };
  }
  throw invalidParameter('relu, none, abs, leaky-relu or leaky-relu:<slope>', '--activation', text);
}

/**
 * Parses `--range lo,hi` (finite numbers, lo < hi).
 * @example parseRange('-1,1') // { min: -1, max: 1 }
 */
export function parseRange(text: string): { min: number; max: number } {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(parseDecimal);
  if (values.length !== 2 || !values.every(Number.isFinite) || !(values[0] < values[1])) {
    throw invalidParameter('two finite numbers lo,hi with lo < hi', '--range', text);
  }
  return { min: values[0], max: values[1] };
}

async function loadKernels(flags: CliFlags): Promise<Kernel[] | undefined> {
  const fromFilters = flags.filters === undefined ? [] : isPresetName(flags.filters) ? presetKernels(flags.filters) : await fileKernels(flags.filters);
  const inline: Kernel[] = [];
  for (const spec of flags.kernel ?? []) inline.push(...parseInlineKernels(spec, inline.length + 1));
  if (flags.filters === undefined && inline.length === 0) return undefined;
  return [...fromFilters, ...inline];
}

async function fileKernels(path: string): Promise<Kernel[]> {
  if (!/[./\\]/.test(path)) presetKernels(path); // a bare word that is not a preset: say so, listing the presets
  return parseKernelFile(await readKernelFile(path), path);
}

/**
 * Validates the CLI's flags into run options, reading a kernel file if one is named.
 * @throws {CnnvizError} kind `usage` for a bad flag value or kernel file.
 * @example (await resolveOptions({ out: 'maps', relu: true, labels: true, grid: true })).render.activation // { kind: 'relu' }
 */
export async function resolveOptions(flags: CliFlags): Promise<RunOptions> {
  if (flags.out.trim() === '') throw invalidParameter('a folder path', '--out', flags.out);
  if (!flags.relu && flags.activation !== undefined) {
    throw invalidParameter('either --no-relu or --activation, not both', '--activation', flags.activation);
  }
  const activation = flags.activation !== undefined ? parseActivation(flags.activation) : flags.relu ? RELU : { kind: 'none' as const };
  const layer: LayerOptions = {
    stride: flags.stride === undefined ? [1, 1] : parsePair(flags.stride, '--stride', 1, 1024),
    padding: flags.padding === undefined ? 'valid' : parsePadding(flags.padding),
    dilation: flags.dilation === undefined ? [1, 1] : parsePair(flags.dilation, '--dilation', 1, 1024),
  };
  const normalize = flags.normalize?.trim().toLowerCase();
  if (normalize !== undefined && !NORMALIZE_MODES.includes(normalize as NormalizeMode)) {
    throw invalidParameter(NORMALIZE_MODES.join(', '), '--normalize', flags.normalize);
  }
  if (normalize !== undefined && flags.range !== undefined) {
    throw invalidParameter('either --normalize or --range, not both', '--range', flags.range);
  }
  const kernels = await loadKernels(flags);
  const render: RenderOptions = {
    activation,
    layer,
    color: flags.color ?? false,
    exact: flags.exact ?? false,
    maxPixels: flags.maxPixels === undefined ? DEFAULT_MAX_PIXELS : parsePositiveInteger(flags.maxPixels, '--max-pixels'),
    ...(flags.maxOutputPixels !== undefined ? { maxOutputPixels: parsePositiveInteger(flags.maxOutputPixels, '--max-output-pixels') } : {}),
    ...(kernels ? { kernels } : {}),
    ...(flags.background !== undefined ? { background: parseColour(flags.background) } : {}),
    ...(flags.pool !== undefined ? { pool: parseInteger(flags.pool, '--pool', 2, 1024) } : {}),
    ...(normalize !== undefined ? { normalize: normalize as NormalizeMode } : {}),
    ...(flags.range !== undefined ? { range: parseRange(flags.range) } : {}),
    ...(flags.colormap !== undefined ? { colormap: parseColormap(flags.colormap) } : {}),
    ...(flags.zoom !== undefined ? { zoom: parseInteger(flags.zoom, '--zoom', 1, 64) } : {}),
    ...(flags.compression !== undefined ? { compression: parseInteger(flags.compression, '--compression', 0, 9) } : {}),
    raw: flags.raw ?? false,
    html: flags.html ?? false,
    grid: flags.grid
      ? {
          labels: flags.labels,
          ...(flags.cols !== undefined ? { columns: parseInteger(flags.cols, '--cols', 1, 256) } : {}),
          ...(flags.gap !== undefined ? { gap: parseInteger(flags.gap, '--gap', 0, 256) } : {}),
        }
      : false,
  };
  return {
    outDir: flags.out,
    toStdout: flags.out === '-',
    json: flags.json ?? false,
    quiet: flags.quiet ?? false,
    jobs: flags.jobs === undefined ? availableParallelism() : parseInteger(flags.jobs, '--jobs', 1, 256),
    failFast: flags.failFast ?? false,
    lockWaitMs: flags.lockWait === undefined ? 30_000 : Math.round(parseSeconds(flags.lockWait, '--lock-wait') * 1000),
    render,
  };
}
