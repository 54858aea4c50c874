/**
 * Kernels: the tutorial's filter bank, and the checks every kernel passes before use.
 */
import { invalidParameter } from './errors.js';
import type { Kernel } from './types.js';

/** Largest kernel side accepted, in pixels. */
export const MAX_KERNEL_SIDE = 256;
/** Most filters in one bank. */
export const MAX_FILTERS = 256;

/**
 * Makes a kernel from rows of numbers (row-major), validating it.
 * @throws {CnnvizError} kind `usage` for empty or ragged rows, or values that are not finite numbers.
 * @example kernelFromRows('box', 'Averages a 2×2 window.', [[0.25, 0.25], [0.25, 0.25]])
 */
export function kernelFromRows(name: string, description: string, rows: readonly (readonly number[])[], path = name): Kernel {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter('a non-empty array of rows', `${path}.weights`, rows);
  const width = Array.isArray(rows[0]) ? rows[0].length : 0;
  if (width === 0) throw invalidParameter('a non-empty row of numbers', `${path}.weights[0]`, rows[0]);
  if (width > MAX_KERNEL_SIDE || rows.length > MAX_KERNEL_SIDE) {
    throw invalidParameter(`at most ${MAX_KERNEL_SIDE}×${MAX_KERNEL_SIDE} weights`, `${path}.weights`, `${width}×${rows.length}`);
  }
  const weights = new Float32Array(width * rows.length);
  rows.forEach((row, y) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw invalidParameter(`a row of ${width} numbers`, `${path}.weights[${y}]`, row);
    }
    row.forEach((value, x) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalidParameter('a finite number', `${path}.weights[${y}][${x}]`, value);
      }
      weights[y * width + x] = value;
    });
  });
  return { name, description, width, height: rows.length, weights };
}

/** The weights of a kernel as rows of numbers (float32 values widened to double), for JSON. */
export function kernelRows(kernel: Kernel): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < kernel.height; y++) {
    rows.push(Array.from(kernel.weights.subarray(y * kernel.width, (y + 1) * kernel.width)));
  }
  return rows;
}

const EDGE = [
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
  [-1, -1, 1, 1],
];
const transpose = (rows: number[][]): number[][] => rows[0].map((_, x) => rows.map((row) => row[x]));
const negate = (rows: number[][]): number[][] => rows.map((row) => row.map((v) => -v));

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
    kernelFromRows(
      'horizontal-edge-negated',
      'Horizontal edge, negated: bright where the top half is lighter.',
      negate(transpose(EDGE)),
    ),
  ];
}
