/**
 * Convolve: the 2-D cross-correlation of `torch.nn.Conv2d` (the kernel is not flipped, despite the
 * name "convolution"), with stride, zero padding, dilation, several input channels and a bias.
 *
 * Bit-exactness with PyTorch 1.13 on the CPU (checked against its output, see scripts/README.md):
 * PyTorch does every tap as a fused multiply-add into a float32 accumulator, `acc = fl32(acc + w·g)`,
 * in one of the two orders its engines use:
 * - oneDNN, chosen when both kernel sides exceed 3 or the input holds more than 20,480 values:
 *   start from the bias, then for each row, column and channel;
 * - its own kernel otherwise: start from +0, for each channel, row and column, then add the bias.
 * cnnviz keeps those orders. By default each product is rounded to float32 before it is added,
 * `acc = fl32(acc + fl32(w·g))` (REFERENCE.md's recipe), which is the same whenever `w·g` is exact in
 * float32 (weights 0 or ±2^k: the tutorial's bank, Sobel, Laplacian, …) and lets four pixels share
 * SIMD lanes; for other weights it stays within a few ulps. `exact: true` rounds once per tap
 * (`Math.fround(acc + w * g)`: the product of two float32 values is exact in double), bit-identical
 * to PyTorch for any weights, on the slower scalar path. Any other order (separable passes, pairwise
 * sums, SIMD reductions across taps) drifts. Padded taps are skipped: adding w·0 = ±0 to a float32
 * sum never changes it.
 */
import type { Arena } from './arena.js';
import { convolveSimd, productsExact, SIMD_GROUP, type SimdFilter } from './convolve-simd.js';
import { invalidParameter } from './errors.js';
import { DEFAULT_LAYER, isPlainLayer, layerOutputSize, resolvePadding, type LayerOptions } from './layer.js';
import { simdMap } from './simd.js';
import { SIMD_AVAILABLE } from './wasm.js';
import type { FloatMap, Kernel } from './types.js';

/** Input planes: one map for gray, three (R, G, B) for colour. All the same size. */
export type Planes = FloatMap | readonly FloatMap[];

/** Options of {@link convolve} and {@link convolveBank}. */
export interface ConvolveOptions {
  /** Stride, padding, dilation. Default: valid, 1, 1. */
  layer?: LayerOptions;
  /** Round once per tap, as PyTorch does, for any weights (scalar, slower). Default false. */
  exact?: boolean;
  /** The input file, named in errors. */
  subject?: string;
  /** Where the SIMD path writes its maps (a fresh arena per pass when absent). */
  arena?: Arena;
  /** Allow the WebAssembly SIMD path (same results, faster). Default true; false for the scalar loops. */
  simd?: boolean;
}

/**
 * Output size of a valid, stride-1 cross-correlation: (H − kh + 1) × (W − kw + 1).
 * @example outputSize({ width: 320, height: 213 }, { width: 4, height: 4 }) // { width: 317, height: 210 }
 */
export function outputSize(input: { width: number; height: number }, kernel: { width: number; height: number }) {
  return { width: input.width - kernel.width + 1, height: input.height - kernel.height + 1 };
}

/**
 * Cross-correlates input planes with one kernel, as `F.conv2d(x, w[None], b, stride, padding, dilation)`,
 * bit-identical to PyTorch 1.13's float32 output on the CPU.
 *
 * @throws {CnnvizError} kind `input` when the image is smaller than the kernel; `usage` when the kernel's channels do not match the input's.
 * @example
 * // img=3x2 k=2x1 → 2x2: out[y][x] = w0*in[y][x] + w1*in[y][x+1]
 * convolve({ width: 3, height: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6) }, kernelFromRows('diff', '', [[-1, 1]]));
 * // → { width: 2, height: 2, data: [1, 1, 1, 1] }
 */
export function convolve(input: Planes, kernel: Kernel, options: ConvolveOptions = {}): FloatMap {
  const layer = options.layer ?? DEFAULT_LAYER;
  const planes = Array.isArray(input) ? (input as readonly FloatMap[]) : [input as FloatMap];
  if (planes.length !== kernel.channels) {
    throw invalidParameter(`a kernel with ${planes.length} channel(s)`, `filter '${kernel.name}'`, `${kernel.channels} channels`, true);
  }
  const size = layerOutputSize(planes[0], kernel, layer, options.subject);
  const oneDnn = usesOneDnnOrder(planes[0], planes.length, kernel, layer);
  const fused = options.exact === true && !productsExact(kernel);
  if (planes.length === 1 && isPlainLayer(layer)) {
    if (options.simd !== false && canUseSimd(planes[0], kernel, fused)) return convolveSimd(planes[0], [{ kernel, biasFirst: oneDnn }], options.arena)[0].map;
    return convolvePlain(planes[0], kernel, size, oneDnn, fused);
  }
  return convolveGeneral(planes, kernel, layer, size, oneDnn, fused);
}

/**
 * Whether PyTorch 1.13 runs this convolution through oneDNN (its `use_mkldnn` rule for one float32
 * image): both kernel sides over 3, or more than 20,480 input values (after the extra row or column
 * that asymmetric 'same' padding adds before the call).
 * @example usesOneDnnOrder(gray, 1, tutorialKernels()[0], DEFAULT_LAYER) // true: both sides exceed 3
 */
export function usesOneDnnOrder(input: { width: number; height: number }, channels: number, kernel: Pick<Kernel, 'width' | 'height'>, layer: LayerOptions): boolean {
  if (kernel.width > 3 && kernel.height > 3) return true;
  const pad = resolvePadding(layer.padding, kernel, layer.dilation);
  const extraY = pad.bottom - pad.top;
  const extraX = pad.right - pad.left;
  return channels * (input.height + extraY) * (input.width + extraX) > 20480;
}

/** The tutorial's case: one channel, valid, stride 1, undilated. No bounds checks in the loop. */
function convolvePlain(input: FloatMap, kernel: Kernel, size: { width: number; height: number }, biasFirst: boolean, fused: boolean): FloatMap {
  const { width: ow, height: oh } = size;
  const out = new Float32Array(ow * oh);
  const src = input.data;
  const w = kernel.weights;
  const iw = input.width;
  const kw = kernel.width;
  const kh = kernel.height;
  const bias = kernel.bias;
  const start = biasFirst ? bias : 0;
  const last = biasFirst || bias === 0 ? 0 : bias;
  const fround = Math.fround;
  for (let y = 0; y < oh; y++) {
    const outRow = y * ow;
    for (let x = 0; x < ow; x++) {
      let acc = start;
      for (let ky = 0; ky < kh; ky++) {
        const inRow = (y + ky) * iw + x;
        const kRow = ky * kw;
        if (fused) for (let kx = 0; kx < kw; kx++) acc = fround(acc + w[kRow + kx] * src[inRow + kx]);
        else for (let kx = 0; kx < kw; kx++) acc = fround(acc + fround(w[kRow + kx] * src[inRow + kx]));
      }
      out[outRow + x] = last === 0 ? acc : fround(acc + last);
    }
  }
  return { width: ow, height: oh, data: out };
}

/** Any stride, padding, dilation and channel count, in either engine's order. */
function convolveGeneral(
  planes: readonly FloatMap[],
  kernel: Kernel,
  layer: LayerOptions,
  size: { width: number; height: number },
  oneDnn: boolean,
  fused: boolean,
): FloatMap {
  const { width: ow, height: oh } = size;
  const out = new Float32Array(ow * oh);
  const { width: iw, height: ih } = planes[0];
  const kw = kernel.width;
  const kh = kernel.height;
  const plane = kw * kh;
  const channels = planes.length;
  const w = kernel.weights;
  const [sy, sx] = layer.stride;
  const [dy, dx] = layer.dilation;
  const pad = resolvePadding(layer.padding, kernel, layer.dilation);
  const bias = kernel.bias;
  const fround = Math.fround;
  for (let y = 0; y < oh; y++) {
    const y0 = y * sy - pad.top;
    for (let x = 0; x < ow; x++) {
      const x0 = x * sx - pad.left;
      let acc = oneDnn ? bias : 0;
      if (oneDnn) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dy;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dx;
            if (ix < 0 || ix >= iw) continue;
            const at = iy * iw + ix;
            const k = ky * kw + kx;
            for (let c = 0; c < channels; c++) {
              const product = w[c * plane + k] * planes[c].data[at];
              acc = fround(acc + (fused ? product : fround(product)));
            }
          }
        }
      } else {
        for (let c = 0; c < channels; c++) {
          const src = planes[c].data;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y0 + ky * dy;
            if (iy < 0 || iy >= ih) continue;
            const kRow = c * plane + ky * kw;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x0 + kx * dx;
              if (ix < 0 || ix >= iw) continue;
              const product = w[kRow + kx] * src[iy * iw + ix];
              acc = fround(acc + (fused ? product : fround(product)));
            }
          }
        }
        if (bias !== 0) acc = fround(acc + bias);
      }
      out[y * ow + x] = acc;
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Cross-correlates the input with every kernel of a bank. A kernel that is the exact negation of an
 * earlier one (bias included) gets that map negated instead of a second pass: float32 rounding is
 * symmetric, so the result is still bit-identical (the tutorial's bank is two such pairs).
 *
 * @throws {CnnvizError} kind `input` when the image is smaller than a kernel.
 * @example convolveBank(gray, tutorialKernels()).length // 4
 */
export function convolveBank(input: Planes, kernels: readonly Kernel[], options: ConvolveOptions = {}): FloatMap[] {
  const layer = options.layer ?? DEFAULT_LAYER;
  const maps: (FloatMap | undefined)[] = new Array(kernels.length);
  const twinOf = negatedTwins(kernels);
  // The SIMD path: plain layer, gray input; kernels of one size share passes, up to four at a time.
  if (!Array.isArray(input) && isPlainLayer(layer) && options.simd !== false) {
    const gray = input as FloatMap;
    const pending = new Map<string, { index: number; filter: SimdFilter }[]>();
    kernels.forEach((kernel, i) => {
      if (twinOf[i] >= 0 || kernel.channels !== 1) return;
      layerOutputSize(gray, kernel, layer, options.subject);
      if (!canUseSimd(gray, kernel, options.exact === true && !productsExact(kernel))) return;
      const key = `${kernel.width}x${kernel.height}`;
      const group = pending.get(key) ?? [];
      const negated = twinOf.includes(i);
      group.push({ index: i, filter: { kernel, biasFirst: usesOneDnnOrder(gray, 1, kernel, layer), negated } });
      pending.set(key, group);
    });
    for (const group of pending.values()) {
      for (let start = 0; start < group.length; start += SIMD_GROUP) {
        const chunk = group.slice(start, start + SIMD_GROUP);
        convolveSimd(gray, chunk.map((entry) => entry.filter), options.arena).forEach((result, j) => {
          const index = chunk[j].index;
          maps[index] = result.map;
          twinOf.forEach((twin, t) => {
            if (twin === index) maps[t] = result.negated;
          });
        });
      }
    }
  }
  kernels.forEach((kernel, i) => {
    if (maps[i]) return;
    const twin = twinOf[i];
    if (twin < 0) {
      maps[i] = convolve(input, kernel, options);
      return;
    }
    // simdMap's negate is 0 − v, not −v: an exact zero stays +0, as PyTorch's sum gives it.
    const source = maps[twin] as FloatMap;
    maps[i] = { width: source.width, height: source.height, data: simdMap(source.data, 'negate', options.arena) };
  });
  return maps as FloatMap[];
}

/** The SIMD path needs WebAssembly SIMD, an output at least 4 wide, and unfused rounding (or exact products). */
function canUseSimd(input: FloatMap, kernel: Kernel, fused: boolean): boolean {
  return SIMD_AVAILABLE && !fused && input.width - kernel.width + 1 >= 4;
}

/**
 * For each kernel, the index of an earlier kernel it is the exact negation of (bias included), or −1:
 * its map is that map negated, bit for bit.
 * @example negatedTwins(tutorialKernels()) // [-1, 0, -1, 2]
 */
export function negatedTwins(kernels: readonly Kernel[]): number[] {
  return kernels.map((kernel, i) => kernels.findIndex((other, j) => j < i && isNegation(other, kernel)));
}

/**
 * Whether `b` is exactly `a` negated, bias included (its map is then `a`'s map negated, bit for bit).
 * @example isNegation(tutorialKernels()[0], tutorialKernels()[1]) // true
 */
export function isNegation(a: Kernel, b: Kernel): boolean {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels || a.bias !== -b.bias) return false;
  for (let i = 0; i < a.weights.length; i++) if (a.weights[i] !== -b.weights[i]) return false;
  return true;
}

/**
 * Checks that every kernel fits the input under the layer.
 * @throws {CnnvizError} kind `input`, naming `subject` (the input file) when given.
 * @example checkFits(gray, tutorialKernels(), DEFAULT_LAYER, 'photo.png')
 */
export function checkFits(
  input: { width: number; height: number },
  kernels: readonly Kernel[],
  layer: LayerOptions = DEFAULT_LAYER,
  subject?: string,
): void {
  for (const kernel of kernels) layerOutputSize(input, kernel, layer, subject);
}
