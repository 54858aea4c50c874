/**
 * Presets: named filter banks with their published definitions (OpenCV's for the derivative,
 * Laplacian, Gaussian and box kernels; the textbook ones for the rest). Weights are written for
 * cross-correlation, as `cv2.filter2D` and `torch.nn.Conv2d` apply them.
 */
import { invalidParameter } from './errors.js';
import { kernelFromRows, transpose, tutorialKernels } from './kernels.js';
import type { Kernel } from './types.js';

const row3 = (a: number, b: number, c: number): number[] => [a, b, c];
const outer = (v: readonly number[]): number[][] => v.map((a) => v.map((b) => a * b));
const scale = (rows: number[][], by: number): number[][] => rows.map((row) => row.map((v) => v * by));

const SOBEL_X = [row3(-1, 0, 1), row3(-2, 0, 2), row3(-1, 0, 1)];
const SCHARR_X = [row3(-3, 0, 3), row3(-10, 0, 10), row3(-3, 0, 3)];
const PREWITT_X = [row3(-1, 0, 1), row3(-1, 0, 1), row3(-1, 0, 1)];

/** A preset: what it is, and its kernels. */
export interface Preset {
  summary: string;
  kernels: () => Kernel[];
}

/** Every preset by lower-case name, in the order `--list-filters` prints them. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  tutorial: {
    summary: "the tutorial's four 4×4 edge filters (the default)",
    kernels: tutorialKernels,
  },
  sobel: {
    summary: 'Sobel derivatives, 3×3 (cv2.Sobel ksize=3)',
    kernels: () => [
      kernelFromRows('sobel-x', 'Sobel x: bright where the image gets lighter to the right.', SOBEL_X),
      kernelFromRows('sobel-y', 'Sobel y: bright where the image gets lighter downwards.', transpose(SOBEL_X)),
    ],
  },
  scharr: {
    summary: 'Scharr derivatives, 3×3 (cv2.Scharr), more rotation-invariant than Sobel',
    kernels: () => [
      kernelFromRows('scharr-x', 'Scharr x: bright where the image gets lighter to the right.', SCHARR_X),
      kernelFromRows('scharr-y', 'Scharr y: bright where the image gets lighter downwards.', transpose(SCHARR_X)),
    ],
  },
  prewitt: {
    summary: 'Prewitt derivatives, 3×3',
    kernels: () => [
      kernelFromRows('prewitt-x', 'Prewitt x: bright where the image gets lighter to the right.', PREWITT_X),
      kernelFromRows('prewitt-y', 'Prewitt y: bright where the image gets lighter downwards.', transpose(PREWITT_X)),
    ],
  },
  laplacian: {
    summary: 'Laplacian, 4- and 8-neighbour, 3×3 (cv2.Laplacian ksize=1 is the first)',
    kernels: () => [
      kernelFromRows('laplacian-4', 'Laplacian (4 neighbours): responds to spots and thin lines.', [row3(0, 1, 0), row3(1, -4, 1), row3(0, 1, 0)]),
      kernelFromRows('laplacian-8', 'Laplacian (8 neighbours), including diagonals.', [row3(1, 1, 1), row3(1, -8, 1), row3(1, 1, 1)]),
    ],
  },
  sharpen: {
    summary: 'sharpen, 3×3: identity plus the negative 4-neighbour Laplacian',
    kernels: () => [kernelFromRows('sharpen', 'Sharpen: the pixel, plus its difference from its neighbours.', [row3(0, -1, 0), row3(-1, 5, -1), row3(0, -1, 0)])],
  },
  box: {
    summary: 'box blur, 3×3, each weight 1/9 (cv2.blur)',
    kernels: () => [kernelFromRows('box-3', 'Box blur: the mean of the 3×3 window.', scale(outer([1, 1, 1]), 1 / 9))],
  },
  gaussian: {
    summary: 'Gaussian blur, 3×3 and 5×5 binomial (cv2.getGaussianKernel with sigma 0)',
    kernels: () => [
      kernelFromRows('gaussian-3', 'Gaussian blur, 3×3: [1 2 1]ᵀ[1 2 1] / 16.', scale(outer([1, 2, 1]), 1 / 16)),
      kernelFromRows('gaussian-5', 'Gaussian blur, 5×5: [1 4 6 4 1]ᵀ[1 4 6 4 1] / 256.', scale(outer([1, 4, 6, 4, 1]), 1 / 256)),
    ],
  },
  emboss: {
    summary: 'emboss, 3×3: lit from the top left',
    kernels: () => [kernelFromRows('emboss', 'Emboss: relief lit from the top left.', [row3(-2, -1, 0), row3(-1, 1, 1), row3(0, 1, 2)])],
  },
  identity: {
    summary: 'identity, 3×3: the input itself, cropped by one pixel',
    kernels: () => [kernelFromRows('identity', 'Identity: copies the centre pixel.', [row3(0, 0, 0), row3(0, 1, 0), row3(0, 0, 0)])],
  },
};

/**
 * The kernels of a preset, by case-insensitive name.
 * @throws {CnnvizError} kind `usage` for an unknown name, listing the known ones.
 * @example presetKernels('Sobel').map((k) => k.name) // ['sobel-x', 'sobel-y']
 */
export function presetKernels(name: string): Kernel[] {
  const preset = PRESETS[name.toLowerCase()];
  if (!preset) throw invalidParameter(`a preset (${Object.keys(PRESETS).join(', ')}) or a kernel file`, '--filters', name);
  return preset.kernels();
}

/**
 * Whether a `--filters` value names a preset rather than a file.
 * @example isPresetName('Sobel') // true
 */
export function isPresetName(name: string): boolean {
  return Object.hasOwn(PRESETS, name.toLowerCase());
}

/** Formats a kernel's weights as aligned rows, for `--list-filters`. */
function formatRows(kernel: Kernel): string[] {
  const size = kernel.width * kernel.height;
  const texts = Array.from(kernel.weights.subarray(0, size), (v) => String(Number(v.toPrecision(4))));
  const width = Math.max(...texts.map((t) => t.length));
  const lines: string[] = [];
  for (let y = 0; y < kernel.height; y++) {
    lines.push(texts.slice(y * kernel.width, (y + 1) * kernel.width).map((t) => t.padStart(width)).join(' '));
  }
  return lines;
}

/**
 * The text `cnnviz --list-filters` prints: each preset, its kernels and their weights.
 * @example listPresets().startsWith('tutorial') // true
 */
export function listPresets(): string {
  const blocks = Object.entries(PRESETS).map(([name, preset]) => {
    const kernels = preset.kernels().map((k) => [`  ${k.name} (${k.width}×${k.height}): ${k.description}`, ...formatRows(k).map((l) => `    ${l}`)].join('\n'));
    return [`${name}: ${preset.summary}`, ...kernels].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

