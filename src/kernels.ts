/**
 * Kernels: the filter bank's one validated shape, and the tutorial's four edge filters.
 * Every kernel from a preset, an inline spec or a file passes through {@link makeKernel}.
 */
import { invalidParameter } from './errors.js';
import type { Kernel } from './types.js';

/** Largest kernel side accepted, in weights. */
export const MAX_KERNEL_SIDE = 256;
/** Most filters in one bank. */
export const MAX_FILTERS = 256;

/** A kernel as a person writes it: rows of numbers, or one matrix per channel for `--color`. */
export interface KernelSpec {
  name: string;
  description?: string;
  /** `[kh][kw]` numbers, or `[3][kh][kw]` for a colour kernel. */
  weights: unknown;
  bias?: unknown;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** Names of output files, refused as filter names so no label or future file name can be confused with them. */
const RESERVED = new Set(['grid', 'manifest', 'input']);

/**
 * Checks a filter name: 1 to 64 letters, digits, `.`, `_`, `+`, `-`, starting with a letter or digit,
 * never `..` (names end up in labels and may end up in file names).
 * @throws {CnnvizError} kind `usage`.
 * @example validateName('sobel-x', 'kernels[0].name')
 */
export function validateName(name: unknown, path: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw invalidParameter('a name of 1 to 64 letters, digits, ".", "_", "+" or "-" (no path separators, no "..")', path, name);
  }
  if (RESERVED.has(name.toLowerCase().replace(/\.[a-z]+$/, ''))) {
    throw invalidParameter('a name other than grid, manifest or input (they name output files)', path, name);
  }
  return name;
}

/**
 * Builds a kernel from a spec, validating everything: the name, a non-empty rectangular matrix
 * (or three of the same size), finite numbers only (`1e999` parses as Infinity and is refused),
 * and a finite bias.
 *
 * @throws {CnnvizError} kind `usage`, naming the entry and the position of the bad value.
 * @example makeKernel({ name: 'diff', weights: [[-1, 1]] }, 'kernels[0]')
 */
export function makeKernel(spec: KernelSpec, path: string): Kernel {
  const name = validateName(spec.name, `${path}.name`);
  const bias = spec.bias ?? 0;
  if (typeof bias !== 'number' || !Number.isFinite(bias)) throw invalidParameter('a finite number', `${path}.bias`, bias);
  const weights = spec.weights;
  const isColour = Array.isArray(weights) && weights.length > 0 && Array.isArray(weights[0]) && Array.isArray((weights[0] as unknown[])[0]);
  const planes = isColour ? (weights as unknown[]) : [weights];
  if (isColour && planes.length !== 3) {
    throw invalidParameter('1 matrix (gray) or 3 matrices (R, G, B)', `${path}.weights`, weights);
  }
  const matrices = planes.map((plane, c) => readMatrix(plane, isColour ? `${path}.weights[${c}]` : `${path}.weights`));
  const { width, height } = matrices[0];
  matrices.forEach((m, c) => {
    if (m.width !== width || m.height !== height) {
      throw invalidParameter(`a ${width}×${height} matrix like channel 0`, `${path}.weights[${c}]`, `${m.width}×${m.height}`, true);
    }
  });
  const data = new Float32Array(matrices.length * width * height);
  matrices.forEach((m, c) => data.set(m.values, c * width * height));
  return { name, description: spec.description ?? '', width, height, channels: matrices.length, weights: data, bias: bias === 0 ? 0 : Math.fround(bias) };
}

function readMatrix(rows: unknown, path: string): { width: number; height: number; values: number[] } {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter('a non-empty array of rows', path, rows);
  const first: unknown = rows[0];
  const width = Array.isArray(first) ? first.length : 0;
  if (width === 0) throw invalidParameter('a non-empty array of numbers', `${path}[0]`, first);
  if (width > MAX_KERNEL_SIDE || rows.length > MAX_KERNEL_SIDE) {
    throw invalidParameter(`at most ${MAX_KERNEL_SIDE}×${MAX_KERNEL_SIDE} weights`, path, `${width}×${rows.length}`, true);
  }
  const values: number[] = [];
  rows.forEach((row: unknown, y) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw invalidParameter(`a row of ${width} numbers like row 0`, `${path}[${y}]`, row);
    }
    row.forEach((value: unknown, x) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter('a finite number', `${path}[${y}][${x}]`, value);
      values.push(value);
    });
  });
  return { width, height: rows.length, values };
}

/**
 * Makes a gray kernel from rows of numbers.
 * @throws {CnnvizError} kind `usage` for empty or ragged rows or values that are not finite numbers.
 * @example kernelFromRows('box', 'Averages a 2×2 window.', [[0.25, 0.25], [0.25, 0.25]])
 */
export function kernelFromRows(name: string, description: string, rows: readonly (readonly number[])[], bias = 0): Kernel {
  return makeKernel({ name, description, weights: rows, bias }, name);
}

/**
 * Checks a whole bank: 1 to {@link MAX_FILTERS} kernels with distinct names.
 * @throws {CnnvizError} kind `usage`.
 * @example checkBank(tutorialKernels())
 */
export function checkBank(kernels: readonly Kernel[]): void {
  if (kernels.length < 1 || kernels.length > MAX_FILTERS) {
    throw invalidParameter(`between 1 and ${MAX_FILTERS} filters`, 'filters', kernels.length);
  }
  const seen = new Map<string, number>();
  kernels.forEach((kernel, i) => {
    const other = seen.get(kernel.name);
    if (other !== undefined) {
      throw invalidParameter(`a name not used by filter ${other + 1}`, `filters[${i}].name`, kernel.name);
    }
    seen.set(kernel.name, i);
  });
}

/**
 * The kernel for 3-channel input: a colour kernel as it is, a gray one applied to each of R, G and B
 * (the same weights three times, so the map is the gray kernel applied to R + G + B).
 * @example toColourKernel(tutorialKernels()[0]).channels // 3
 */
export function toColourKernel(kernel: Kernel): Kernel {
  if (kernel.channels === 3) return kernel;
  const size = kernel.width * kernel.height;
  const weights = new Float32Array(3 * size);
  for (let c = 0; c < 3; c++) weights.set(kernel.weights, c * size);
  return { ...kernel, channels: 3, weights };
}

/**
 * The weights of a kernel as nested arrays (`[kh][kw]`, or `[3][kh][kw]` for colour), for JSON.
 * @example kernelRows(tutorialKernels()[0])[0] // [-1, -1, 1, 1]
 */
export function kernelRows(kernel: Kernel): number[][] | number[][][] {
  const planes: number[][][] = [];
  const size = kernel.width * kernel.height;
  for (let c = 0; c < kernel.channels; c++) {
    const rows: number[][] = [];
    for (let y = 0; y < kernel.height; y++) {
      const start = c * size + y * kernel.width;
      rows.push(Array.from(kernel.weights.subarray(start, start + kernel.width)));
    }
    planes.push(rows);
  }
  return kernel.channels === 1 ? planes[0] : planes;
}

const EDGE = [
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
];

/** The transpose of a matrix given as rows. */
export const transpose = (rows: readonly (readonly number[])[]): number[][] => rows[0].map((_, x) => rows.map((row) => row[x]));
/** Every value negated (0 stays 0, never −0). */
export const negate = (rows: readonly (readonly number[])[]): number[][] => rows.map((row) => row.map((v) => 0 - v));

/**
 * The tutorial's four 4×4 edge filters, in its order: the vertical edge, its negation,
 * its transpose (a horizontal edge) and the transpose negated.
 * @example tutorialKernels().map((k) => k.name) // ['vertical-edge', 'vertical-edge-negated', …]
 */
export function tutorialKernels(): Kernel[] {
  return [
    kernelFromRows('vertical-edge', 'Vertical edge: bright where the right half is lighter than the left.', EDGE),
    kernelFromRows('vertical-edge-negated', 'Vertical edge, negated: bright where the left half is lighter.', negate(EDGE)),
    kernelFromRows('horizontal-edge', 'Horizontal edge (the transpose): bright where the bottom half is lighter.', transpose(EDGE)),
    kernelFromRows('horizontal-edge-negated', 'Horizontal edge, negated: bright where the top half is lighter.', negate(transpose(EDGE))),
  ];
}
