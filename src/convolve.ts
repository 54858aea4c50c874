/**
 * Convolve: the valid, stride-1, bias-free 2-D cross-correlation of `torch.nn.Conv2d`
 * (the kernel is not flipped, despite the name "convolution").
 *
 * Bit-exactness: PyTorch's float32 output is reproduced bit for bit by summing the taps in
 * row-major order into a float32 accumulator that starts at +0, rounding the product and the
 * sum to float32 at every step. Any other order (separable passes, pairwise sums, SIMD
 * reductions across taps) drifts by a few ulps, so this loop keeps that order per pixel.
 * Math.fround of a double product or sum of two float32 values is the correctly rounded
 * float32 result (53 ≥ 2·24 + 2), so double arithmetic with fround is exact here.
 */
import { CnnvizError } from './errors.js';
import type { FloatMap, Kernel } from './types.js';

/** Output size of a valid, stride-1 cross-correlation: (H − kh + 1) × (W − kw + 1). */
export function outputSize(input: { width: number; height: number }, kernel: { width: number; height: number }) {
  return { width: input.width - kernel.width + 1, height: input.height - kernel.height + 1 };
}

/**
 * Cross-correlates `input` with one kernel, bit-identical to PyTorch's float32 `conv2d`.
 *
 * @throws {CnnvizError} kind `input` when the image is smaller than the kernel.
 * @example
 * // img=3x2 k=2x1 → 2x2: out[y][x] = w0*in[y][x] + w1*in[y][x+1]
 * convolve({ width: 3, height: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) },
 *          { name: 'diff', description: '', width: 2, height: 1, weights: Float32Array.of(-1, 1) });
 * // → { width: 2, height: 2, data: [1, 1, 1, 1] }
 */
export function convolve(input: FloatMap, kernel: Kernel): FloatMap {
  checkFits(input, [kernel]);
  const { width: ow, height: oh } = outputSize(input, kernel);
  const out = new Float32Array(ow * oh);
  const src = input.data;
  const w = kernel.weights;
  const iw = input.width;
  const kw = kernel.width;
  const kh = kernel.height;
  const fround = Math.fround;
  for (let y = 0; y < oh; y++) {
    const outRow = y * ow;
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let ky = 0; ky < kh; ky++) {
        const inRow = (y + ky) * iw + x;
        const kRow = ky * kw;
        for (let kx = 0; kx < kw; kx++) {
          acc = fround(acc + fround(w[kRow + kx] * src[inRow + kx]));
        }
      }
      out[outRow + x] = acc;
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Cross-correlates `input` with every kernel of a bank. A kernel that is the exact negation of an
 * earlier one gets that map negated instead of a second pass: float32 rounding is symmetric, so
 * the result is still bit-identical (the tutorial's bank is two such pairs).
 *
 * @throws {CnnvizError} kind `input` when the image is smaller than a kernel.
 * @example convolveBank(gray, tutorialKernels()).length // 4
 */
export function convolveBank(input: FloatMap, kernels: readonly Kernel[]): FloatMap[] {
  const maps: FloatMap[] = [];
  kernels.forEach((kernel, i) => {
    const twin = kernels.findIndex((other, j) => j < i && isNegation(other, kernel));
    maps.push(twin >= 0 ? negateMap(maps[twin]) : convolve(input, kernel));
  });
  return maps;
}

function isNegation(a: Kernel, b: Kernel): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.weights.length; i++) if (a.weights[i] !== -b.weights[i]) return false;
  return true;
}

function negateMap(map: FloatMap): FloatMap {
  const out = new Float32Array(map.data.length);
  // 0 - v, not -v: an exact zero must stay +0 as PyTorch's sum gives it, never -0.
  for (let i = 0; i < out.length; i++) out[i] = 0 - map.data[i];
  return { width: map.width, height: map.height, data: out };
}

/**
 * Checks that every kernel fits inside the image.
 * @throws {CnnvizError} kind `input`, naming `subject` (the input file) when given.
 * @example checkFits(gray, tutorialKernels(), 'photo.png')
 */
export function checkFits(input: { width: number; height: number }, kernels: readonly Kernel[], subject?: string): void {
  for (const kernel of kernels) {
    if (input.width < kernel.width || input.height < kernel.height) {
      throw new CnnvizError(
        'input',
        `image is ${input.width}×${input.height} pixels, smaller than the ${kernel.width}×${kernel.height} kernel '${kernel.name}'`,
        subject,
      );
    }
  }
}
