/**
 * The SIMD path of the convolution, for the hot case: one gray channel, valid, stride 1, undilated.
 * For each run it generates a WebAssembly function with the weights and the image width baked in:
 * every tap is a constant-offset load shared by up to four filters, ±1 weights become a plain add
 * or subtract, zero weights vanish, and a negated twin is stored as `0 − acc`. Four neighbouring
 * output pixels go through the four lanes, each lane summing its own taps in row-major order, so
 * every pixel gets exactly the sequence of float32 roundings of the scalar loop: `fl32(acc + fl32(w·g))`.
 * That is PyTorch's fused `fl32(acc + w·g)` whenever `w·g` is exact in float32, which it is for
 * weights that are 0 or ±2^k (the tutorial's ±1, Sobel, Laplacian, Gaussian 3×3 …).
 */
import { allocFloat32, arenaBytes, createArena, float32In, type Arena } from './arena.js';
import type { FloatMap, Kernel } from './types.js';
import { FunctionBody, I32, moduleBytes, V128 } from './wasm.js';

/** A filter for one SIMD pass: its kernel, and whether its map is also stored negated (for a twin). */
export interface SimdFilter {
  kernel: Kernel;
  /** The bias goes into the accumulator first (PyTorch's oneDNN order) rather than last. */
  biasFirst: boolean;
  /** Also store `0 − map`, the exact map of the negated kernel (the tutorial's twins). */
  negated?: boolean;
}

/** A filter's map, and its negation when asked for. */
export interface SimdResult {
  map: FloatMap;
  negated?: FloatMap;
}

/** Output values written per call of a generated kernel (about 4 MB). */
const BAND_VALUES = 1 << 20;

/** Filters that share one pass over the input (their taps share loads); more would spill registers. */
export const SIMD_GROUP = 4;

/**
 * Whether `w·g` is exact in float32 for every float32 g in [0, 1]: w is 0 or ±2^k with a small k.
 * Then one rounding per tap (PyTorch's fused multiply-add) and two (multiply, then add) agree.
 * @example productsExact(tutorialKernels()[0]) // true
 */
export function productsExact(kernel: Kernel): boolean {
  return kernel.weights.every((w) => {
    if (w === 0) return true;
    const exponent = Math.log2(Math.abs(w));
    return Number.isInteger(exponent) && Math.abs(exponent) <= 60;
  });
}

/**
 * Cross-correlates one gray map with up to {@link SIMD_GROUP} same-sized kernels in one pass.
 * The caller guarantees a plain layer, kernels no larger than the input, and an output at least
 * 4 pixels wide. The maps are written into `arena` (a fresh one when absent); an input already in
 * the arena is read in place.
 *
 * @example convolveSimd(gray, [{ kernel, biasFirst: true }]) // [map]
 */
export function convolveSimd(input: FloatMap, filters: readonly SimdFilter[], arena?: Arena): SimdResult[] {
  const { width: kw, height: kh } = filters[0].kernel;
  const iw = input.width;
  const ow = iw - kw + 1;
  const oh = input.height - kh + 1;
  const outputs = filters.reduce((n, f) => n + (f.negated ? 2 : 1), 0);
  const space = arena ?? createArena(arenaBytes(input.data.length, 4) + outputs * arenaBytes(ow * oh, 4));
  const source = float32In(space, input.data);
  const maps = filters.map((f) => ({ data: allocFloat32(space, ow * oh), negated: f.negated ? allocFloat32(space, ow * oh) : undefined }));
  const outputOffsets = maps.flatMap((m) => (m.negated ? [m.data.byteOffset, m.negated.byteOffset] : [m.data.byteOffset]));
  const body = passBody(filters, iw, ow);
  const params = [I32, ...outputOffsets.map(() => I32), I32];
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes([{ name: 'run', params, body }])), { env: { memory: space.memory } });
  const run = instance.exports.run as (...args: number[]) => void;
  // A band of rows per call: V8 runs a new function as quickly compiled code and uses its optimised
  // build from a later call on, so one call for the whole map would never get it.
  const band = Math.max(1, Math.floor(BAND_VALUES / (ow * outputOffsets.length)));
  for (let y = 0; y < oh; y += band) {
    const rows = Math.min(band, oh - y);
    run(source.byteOffset + y * iw * 4, ...outputOffsets.map((at) => at + y * ow * 4), rows);
  }
  return maps.map((m) => ({
    map: { width: ow, height: oh, data: m.data },
    ...(m.negated ? { negated: { width: ow, height: oh, data: m.negated } } : {}),
  }));
}

/**
 * The generated loop: for each output row, for each 4-pixel column block (the last block is moved
 * left to end at the row's end, recomputing a few pixels identically), every tap loaded once and
 * accumulated into each filter's register.
 */
function passBody(filters: readonly SimdFilter[], iw: number, ow: number): FunctionBody {
  // Parameters: the first input row's address, each output's (a filter's map, then its negation
  // if stored), and the number of output rows.
  const outputs = filters.reduce((n, f) => n + (f.negated ? 2 : 1), 0);
  const body = new FunctionBody(2 + outputs);
  const inStart = 0;
  const rowsParam = 1 + outputs;
  let next = 1;
  const outParams = filters.map((f) => {
    const map = next++;
    return [map, f.negated ? next++ : undefined] as const;
  });
  const y = body.local(I32);
  const x = body.local(I32);
  const inRow = body.local(I32);
  const outRow = body.local(I32);
  const at = body.local(I32);
  const tap = body.local(V128);
  const acc = filters.map(() => body.local(V128));
  const { width: kw, height: kh } = filters[0].kernel;
  const lastX = (ow - 4) * 4;

  body.i32(0).set(y).get(inStart).set(inRow).i32(0).set(outRow);
  body.loop(); // rows
  body.i32(0).set(x);
  body.loop(); // 4-pixel blocks
  // at = min(x, lastX): the last block ends exactly at the row's end
  body.get(x).i32(lastX).get(x).i32(lastX).op('lt_s').select().set(at);
  filters.forEach((filter, f) => {
    body.f32x4Const(filter.biasFirst ? filter.kernel.bias : 0).set(acc[f]);
  });
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const t = ky * kw + kx;
      const users = filters.filter((filter) => filter.kernel.weights[t] !== 0);
      if (users.length === 0) continue; // w·g = ±0 never changes a float32 sum
      body.get(inRow).get(at).op('add').v128Load((ky * iw + kx) * 4).set(tap);
      filters.forEach((filter, f) => {
        const w = filter.kernel.weights[t];
        if (w === 0) return;
        body.get(acc[f]).get(tap);
        if (w === 1) body.f32x4('add');
        else if (w === -1) body.f32x4('sub');
        else body.f32x4Const(w).f32x4('mul').f32x4('add');
        body.set(acc[f]);
      });
    }
  }
  filters.forEach((filter, f) => {
    if (!filter.biasFirst && filter.kernel.bias !== 0) body.get(acc[f]).f32x4Const(filter.kernel.bias).f32x4('add').set(acc[f]);
    body.get(outParams[f][0]).get(outRow).op('add').get(at).op('add').get(acc[f]).v128Store(0);
    const negated = outParams[f][1];
    // 0 − acc, not −acc: an exact zero stays +0, as PyTorch's sum for the negated kernel gives it.
    if (negated !== undefined) body.get(negated).get(outRow).op('add').get(at).op('add').f32x4Const(0).get(acc[f]).f32x4('sub').v128Store(0);
  });
  body.get(x).i32(16).op('add').tee(x).i32(ow * 4).op('lt_s').brIf(0);
  body.end();
  body.get(inRow).i32(iw * 4).op('add').set(inRow);
  body.get(outRow).i32(ow * 4).op('add').set(outRow);
  body.get(y).i32(1).op('add').tee(y).get(rowsParam).op('lt_s').brIf(0);
  body.end();
  return body;
}
