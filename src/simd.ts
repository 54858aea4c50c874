/**
 * Element-wise kernels in WebAssembly SIMD for the per-pixel stages (gray, ReLU, statistics,
 * quantisation, colour lookup): on this 2-core machine a JS loop over 12 million floats costs
 * 25–150 ms, a SIMD pass a few. Each kernel computes exactly what its scalar definition does (IEEE
 * float32 arithmetic is the same in every lane). The kernels work in an {@link Arena}: operands that
 * live there are used in place, others are copied in; results are views on the arena.
 *
 * Statistics, quantisation take a `transform` so that a ReLU or a negated twin map never needs to
 * exist in memory: `relu` is max(v, +0), `negate` is 0 − v (never −0), `negate-relu` both.
 */
import { allocBytes, allocFloat32, arenaBytes, createArena, float32In, release, type Arena } from './arena.js';
import { GRAY_LUT } from './colormap.js';
import { F32, FunctionBody, I32, moduleBytes, V128 } from './wasm.js';

/** Scratch bytes at the start of the arena: statistics at 0..79, a 256×3 colour table at 128. */
const SCRATCH = 128;

/** A value transform fused into statistics and quantisation. */
export type Transform = 'none' | 'relu' | 'negate' | 'negate-relu';
const TRANSFORMS: readonly Transform[] = ['none', 'relu', 'negate', 'negate-relu'];

/**
 * Applies a transform to the f32x4 on the stack, exactly as {@link transformValue}: ReLU is
 * `pmax(+0, x)`, i.e. `0 < x ? x : +0` (one instruction; −0 and NaN become +0).
 */
function emitTransform(b: FunctionBody, transform: Transform, temp: number): void {
  if (transform === 'negate' || transform === 'negate-relu') b.set(temp).f32x4Const(0).get(temp).f32x4('sub');
  if (transform === 'relu' || transform === 'negate-relu') b.set(temp).f32x4Const(0).get(temp).f32x4('pmax');
}

/**
 * matplotlib's gray table applied to 16 colour indices on the stack: index i becomes i − d(i), d(i)
 * being 1 for the 24 entries the table has one lower. d is looked up as bit (i & 7) of byte (i >> 3)
 * of a 32-byte mask, with two 16-entry swizzles.
 */
function emitGrayLut(b: FunctionBody, v: number, high: number): void {
  const mask = new Array<number>(32).fill(0);
  GRAY_LUT.forEach((value, i) => {
    if (value !== i) mask[i >> 3] |= 1 << (i & 7);
  });
  b.set(v);
  b.get(v).i32(3).v128('i8x16.shr_u').set(high);
  b.v128Const(mask.slice(0, 16)).get(high).v128('i8x16.swizzle');
  // high − 16 wraps to 240..255 for the first half, which swizzle maps to 0.
  b.v128Const(mask.slice(16)).get(high).v128Const(new Array(16).fill(16)).v128('i8x16.sub').v128('i8x16.swizzle');
  b.v128('v128.or');
  b.v128Const([1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0]).get(v).v128Const(new Array(16).fill(7)).v128('v128.and').v128('i8x16.swizzle');
  b.v128('v128.and').v128Const(new Array(16).fill(0)).v128('i8x16.ne');
  // ne gives 0xff (−1) where the bit is set: adding it subtracts one.
  b.get(v).v128('i8x16.add');
}

/**
 * The scalar transform, for tails: exactly what the lanes do.
 * @example transformValue(-2, 'negate-relu') // 2
 */
export function transformValue(v: number, transform: Transform): number {
  const x = transform === 'negate' || transform === 'negate-relu' ? 0 - v : v;
  return transform === 'relu' || transform === 'negate-relu' ? (x > 0 ? x : 0) : x;
}

/**
 * The kernels' WebAssembly module, as bytes, assembled at start-up (about 10–20 ms with a cold JIT;
 * a prebuilt copy saved ~8 ms but could silently go stale after a bare `tsc`).
 * @example new WebAssembly.Module(kernelModuleBytes())
 */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  const fns: { name: string; params: number[]; body: FunctionBody }[] = [];

  // gray3(src, dst, blocks): OpenCV's BGR2GRAY on interleaved RGB, then float32(Y / 255), 16 pixels a block:
  // the 48 bytes are split into R, G and B by shuffles, widened to i32 lanes, weighted, shifted, and
  // divided in float32 (exact operands, one rounding: the same as Math.fround(Y / 255)).
  {
    const b = new FunctionBody(3);
    const [src, dst, blocks] = [0, 1, 2];
    const [i, at, a, bb, c, r, g, bl] = [I32, I32, V128, V128, V128, V128, V128, V128].map((t) => b.local(t));
    const gather = (first: number[], second: number[], into: number): void => {
      const pad = (lanes: number[]): number[] => [...lanes, ...new Array(16 - lanes.length).fill(0)];
      b.get(a).get(bb).shuffle(pad(first)).get(c).shuffle(second).set(into);
    };
    const widen = (channel: number, quarter: number): void => {
      b.get(channel).v128(quarter < 2 ? 'i16x8.extend_low_i8x16_u' : 'i16x8.extend_high_i8x16_u');
      b.v128(quarter % 2 === 0 ? 'i32x4.extend_low_i16x8_u' : 'i32x4.extend_high_i16x8_u');
    };
    const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
    b.block().i32(0).set(i).get(blocks).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(48).op('mul').op('add').set(at);
    b.get(at).v128Load(0).set(a).get(at).v128Load(16).set(bb).get(at).v128Load(32).set(c);
    gather([0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30], [...range(11), 17, 20, 23, 26, 29], r);
    gather([1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31], [...range(11), 18, 21, 24, 27, 30], g);
    gather([2, 5, 8, 11, 14, 17, 20, 23, 26, 29], [...range(10), 16, 19, 22, 25, 28, 31], bl);
    for (let q = 0; q < 4; q++) {
      b.get(dst).get(i).i32(6).op('shl').op('add');
      widen(r, q);
      b.i32x4Const(9798).v128('i32x4.mul');
      widen(g, q);
      b.i32x4Const(19235).v128('i32x4.mul').v128('i32x4.add');
      widen(bl, q);
      b.i32x4Const(3735).v128('i32x4.mul').v128('i32x4.add');
      b.i32x4Const(16384).v128('i32x4.add').i32(15).v128('i32x4.shr_u');
      b.v128('f32x4.convert_i32x4_s').f32x4Const(255).f32x4('div').v128Store(q * 16);
    }
    b.get(i).i32(1).op('add').tee(i).get(blocks).op('lt_s').brIf(0).end().end();
    fns.push({ name: 'gray3', params: [I32, I32, I32], body: b });
  }
  // gray1(src, dst, n): 8-bit gray to float32(Y / 255).
  {
    const b = new FunctionBody(3);
    const [src, dst, n] = [0, 1, 2];
    const i = b.local(I32);
    b.block().i32(0).set(i).get(n).i32(0).op('le_s').brIf(0).loop();
    b.get(dst).get(i).i32(2).op('shl').op('add');
    b.get(src).get(i).op('add').load8(0).float('f32.convert_i32_u').f32(255).float('f32.div').f32Store(0);
    b.get(i).i32(1).op('add').tee(i).get(n).op('lt_s').brIf(0).end().end();
    fns.push({ name: 'gray1', params: [I32, I32, I32], body: b });
  }
  // stats(src, vectors): lane-wise min, max, float64 sums of the positive and of the negative values
  // (low and high lane pairs), and counts of zeros and negatives, at 0..127. One pass serves a map,
  // its ReLU, its negation and the negation's ReLU (see deriveStats).
  {
    const b = new FunctionBody(2);
    const [src, vectors] = [0, 1];
    const [i, v, lo, hi, posLo, posHi, negLo, negHi, zeros, negatives, part] = [I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128].map((t) => b.local(t));
    const accumulate = (sumLo: number, sumHi: number): void => {
      b.get(sumLo).get(part).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumLo);
      b.get(sumHi).get(part).get(part).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumHi);
    };
    b.f32x4Const(Infinity).set(lo).f32x4Const(-Infinity).set(hi);
    b.block().i32(0).set(i).get(vectors).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(4).op('shl').op('add').v128Load(0).set(v);
    b.get(lo).get(v).f32x4('min').set(lo);
    b.get(hi).get(v).f32x4('max').set(hi);
    b.get(v).f32x4Const(0).f32x4('max').set(part);
    accumulate(posLo, posHi);
    b.get(v).f32x4Const(0).f32x4('min').set(part);
    accumulate(negLo, negHi);
    b.get(zeros).get(v).f32x4Const(0).f32x4('eq').v128('i32x4.sub').set(zeros);
    b.get(negatives).get(v).f32x4Const(0).f32x4('lt').v128('i32x4.sub').set(negatives);
    b.get(i).i32(1).op('add').tee(i).get(vectors).op('lt_s').brIf(0).end().end();
    [lo, hi, posLo, posHi, negLo, negHi, zeros, negatives].forEach((local, k) => b.i32(0).get(local).v128Store(k * 16));
    fns.push({ name: 'stats', params: [I32, I32], body: b });
  }
  // map_<t>(src, dst, vectors): the transform of every value, four at a time (the same emitTransform the
  // statistics and quantisation use, so a materialised map is exactly what they read).
  for (const transform of TRANSFORMS.filter((t) => t !== 'none')) {
    const b = new FunctionBody(3);
    const [src, dst, vectors] = [0, 1, 2];
    const [i, temp] = [b.local(I32), b.local(V128)];
    b.block().i32(0).set(i).get(vectors).i32(0).op('le_s').brIf(0).loop();
    b.get(dst).get(i).i32(4).op('shl').op('add');
    b.get(src).get(i).i32(4).op('shl').op('add').v128Load(0);
    emitTransform(b, transform, temp);
    b.v128Store(0);
    b.get(i).i32(1).op('add').tee(i).get(vectors).op('lt_s').brIf(0).end().end();
    fns.push({ name: `map_${transform}`, params: [I32, I32, I32], body: b });
  }
  // quantize_<t>(src, dst, blocks, min, span): 16 floats → 16 colour indices floor(fl32(fl32(v − min) / span) · 256), clamped.
  // quantize_views(src, blocks, dst_k, min_k, span_k for the four transforms in TRANSFORMS order):
  // the same for every view of one map from a single read of it; a view whose dst is 0 is skipped.
  const emitIndices = (b: FunctionBody, value: number, transform: Transform, vmin: number, vspan: number, temp: number): void => {
    b.get(value);
    emitTransform(b, transform, temp);
    // floor, then clamp to 0..255: truncation and the two saturating narrows below (signed to i16,
    // then to u8) give the same: a negative value truncates to 0 or less and narrows to 0, a large
    // one saturates to 32767 and then 255, NaN truncates to 0.
    b.get(vmin).f32x4('sub').get(vspan).f32x4('div').f32x4Const(256).f32x4('mul').v128('i32x4.trunc_sat_f32x4_s');
  };
  const emitBlock = (b: FunctionBody, values: number[], transform: Transform, vmin: number, vspan: number, temp: number, gray: boolean): void => {
    emitIndices(b, values[0], transform, vmin, vspan, temp);
    emitIndices(b, values[1], transform, vmin, vspan, temp);
    b.v128('i16x8.narrow_i32x4_s');
    emitIndices(b, values[2], transform, vmin, vspan, temp);
    emitIndices(b, values[3], transform, vmin, vspan, temp);
    b.v128('i16x8.narrow_i32x4_s').v128('i8x16.narrow_i16x8_u');
    if (gray) emitGrayLut(b, b.local(V128), b.local(V128));
  };
  for (const gray of [false, true]) {
    for (const transform of TRANSFORMS) {
      const b = new FunctionBody(5);
      const [src, dst, blocks, min, span] = [0, 1, 2, 3, 4];
      const [i, vmin, vspan, at, temp] = [b.local(I32), b.local(V128), b.local(V128), b.local(I32), b.local(V128)];
      const values = [b.local(V128), b.local(V128), b.local(V128), b.local(V128)];
      b.get(min).f32x4Splat().set(vmin).get(span).f32x4Splat().set(vspan);
      b.block().i32(0).set(i).get(blocks).i32(0).op('le_s').brIf(0).loop();
      b.get(src).get(i).i32(6).op('shl').op('add').set(at);
      values.forEach((value, k) => b.get(at).v128Load(16 * k).set(value));
      b.get(dst).get(i).i32(4).op('shl').op('add');
      emitBlock(b, values, transform, vmin, vspan, temp, gray);
      b.v128Store(0);
      b.get(i).i32(1).op('add').tee(i).get(blocks).op('lt_s').brIf(0).end().end();
      fns.push({ name: `quantize_${transform}${gray ? '_gray' : ''}`, params: [I32, I32, I32, F32, F32], body: b });
    }
    const b = new FunctionBody(2 + 3 * TRANSFORMS.length);
    const [src, blocks] = [0, 1];
    const param = (k: number, field: 0 | 1 | 2): number => 2 + 3 * k + field;
    const [i, at, temp] = [b.local(I32), b.local(I32), b.local(V128)];
    const values = [b.local(V128), b.local(V128), b.local(V128), b.local(V128)];
    const ranges = TRANSFORMS.map(() => [b.local(V128), b.local(V128)]);
    ranges.forEach(([vmin, vspan], k) => b.get(param(k, 1)).f32x4Splat().set(vmin).get(param(k, 2)).f32x4Splat().set(vspan));
    b.block().i32(0).set(i).get(blocks).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(6).op('shl').op('add').set(at);
    values.forEach((value, k) => b.get(at).v128Load(16 * k).set(value));
    TRANSFORMS.forEach((transform, k) => {
      b.block().get(param(k, 0)).op('eqz').brIf(0);
      b.get(param(k, 0)).get(i).i32(4).op('shl').op('add');
      emitBlock(b, values, transform, ranges[k][0], ranges[k][1], temp, gray);
      b.v128Store(0).end();
    });
    b.get(i).i32(1).op('add').tee(i).get(blocks).op('lt_s').brIf(0).end().end();
    fns.push({ name: `quantize_views${gray ? '_gray' : ''}`, params: [I32, I32, ...TRANSFORMS.flatMap(() => [I32, F32, F32])], body: b });
  }
  // lut1(src, dst, n) and lut3(src, dst, n): colour indices through the table at SCRATCH.
  for (const channels of [1, 3]) {
    const b = new FunctionBody(3);
    const [src, dst, n] = [0, 1, 2];
    const [i, index] = [b.local(I32), b.local(I32)];
    b.block().i32(0).set(i).get(n).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).op('add').load8(0).i32(channels).op('mul').set(index);
    for (let c = 0; c < channels; c++) {
      b.get(dst).get(i).i32(channels).op('mul').op('add').get(index).load8(SCRATCH + c).store8(c);
    }
    b.get(i).i32(1).op('add').tee(i).get(n).op('lt_s').brIf(0).end().end();
    fns.push({ name: `lut${channels}`, params: [I32, I32, I32], body: b });
  }
  // down1 / down3(src, dst, sums, w, h, f, ow, oh): each output pixel the rounded mean of an f×f block
  // (fewer at the right and bottom edges). The f rows of a block row are first added column by column
  // into i32 sums, 16 bytes a step; then each output sums its f columns of those.
  for (const channels of [1, 3]) {
    const b = new FunctionBody(8);
    const [src, dst, sums, w, h, f, ow, oh] = [0, 1, 2, 3, 4, 5, 6, 7];
    const [oy, y, yEnd, rows, x, wc, vecEnd, row, s, ox, x1, n] = Array.from({ length: 12 }, () => b.local(I32));
    const [v, half] = [b.local(V128), b.local(V128)];
    const acc = Array.from({ length: channels }, () => b.local(I32));
    const min = (a: () => void, c: () => void): void => {
      a();
      c();
      a();
      c();
      b.op('lt_s').select();
    };
    b.get(w).i32(channels).op('mul').set(wc);
    b.get(wc).i32(-16).op('and').set(vecEnd);
    b.i32(0).set(oy).loop();
    // zero the column sums, four at a time (the buffer is padded to whole vectors)
    b.i32(0).set(x).loop();
    b.get(sums).get(x).i32(2).op('shl').op('add').v128Const(new Array(16).fill(0)).v128Store(0);
    b.get(x).i32(4).op('add').tee(x).get(wc).op('lt_s').brIf(0).end();
    b.get(oy).get(f).op('mul').set(y);
    min(() => b.get(h), () => b.get(y).get(f).op('add'));
    b.set(yEnd);
    b.get(yEnd).get(y).op('sub').set(rows);
    b.loop(); // input rows of this block row
    b.get(src).get(y).get(wc).op('mul').op('add').set(row);
    b.i32(0).set(x);
    b.block().get(vecEnd).i32(0).op('le_s').brIf(0).loop();
    b.get(row).get(x).op('add').v128Load(0).set(v);
    b.get(sums).get(x).i32(2).op('shl').op('add').set(s);
    for (const [widen, first] of [['i16x8.extend_low_i8x16_u', 0], ['i16x8.extend_high_i8x16_u', 32]] as const) {
      b.get(v).v128(widen).set(half);
      b.get(s).get(s).v128Load(first).get(half).v128('i32x4.extend_low_i16x8_u').v128('i32x4.add').v128Store(first);
      b.get(s).get(s).v128Load(first + 16).get(half).v128('i32x4.extend_high_i16x8_u').v128('i32x4.add').v128Store(first + 16);
    }
    b.get(x).i32(16).op('add').tee(x).get(vecEnd).op('lt_s').brIf(0).end().end();
    b.block().get(x).get(wc).op('ge_s').brIf(0).loop(); // the last bytes of the row, one at a time
    b.get(sums).get(x).i32(2).op('shl').op('add').tee(s).get(s).i32Load(0).get(row).get(x).op('add').load8(0).op('add').i32Store(0);
    b.get(x).i32(1).op('add').tee(x).get(wc).op('lt_s').brIf(0).end().end();
    b.get(y).i32(1).op('add').tee(y).get(yEnd).op('lt_s').brIf(0).end();
    // each output pixel: the sums of its columns, then the rounded mean
    b.i32(0).set(ox).loop();
    b.get(ox).get(f).op('mul').set(x);
    min(() => b.get(w), () => b.get(x).get(f).op('add'));
    b.set(x1);
    b.get(x1).get(x).op('sub').get(rows).op('mul').set(n);
    for (let c = 0; c < channels; c++) b.i32(0).set(acc[c]);
    b.loop();
    b.get(sums).get(x).i32(channels * 4).op('mul').op('add').set(s);
    for (let c = 0; c < channels; c++) b.get(acc[c]).get(s).i32Load(c * 4).op('add').set(acc[c]);
    b.get(x).i32(1).op('add').tee(x).get(x1).op('lt_s').brIf(0).end();
    for (let c = 0; c < channels; c++) {
      b.get(dst).get(oy).get(ow).op('mul').get(ox).op('add').i32(channels).op('mul').op('add');
      b.get(acc[c]).get(n).i32(1).op('shr_u').op('add').get(n).op('div_u');
      b.store8(c);
    }
    b.get(ox).i32(1).op('add').tee(ox).get(ow).op('lt_s').brIf(0).end();
    b.get(oy).i32(1).op('add').tee(oy).get(oh).op('lt_s').brIf(0).end();
    fns.push({ name: `down${channels}`, params: [I32, I32, I32, I32, I32, I32, I32, I32], body: b });
  }
  return moduleBytes(fns);
}

const kernels = new WebAssembly.Module(kernelModuleBytes());

type Exports = Record<string, (...args: number[]) => void>;

/** The kernels bound to an arena's memory (instantiating a compiled module takes microseconds). */
function bind(arena: Arena): Exports {
  return new WebAssembly.Instance(kernels, { env: { memory: arena.memory } }).exports as Exports;
}

const offset = (view: ArrayBufferView): number => view.byteOffset;

/** Pixels converted per step by {@link simdGray}: a small copy that stays in cache. */
const GRAY_CHUNK = 16 * 4096;

/**
 * OpenCV's gray of 8-bit pixels (1 or 3 channels), as float32(Y / 255), written into the arena.
 * Pixels that live elsewhere are copied in a chunk at a time through one small scratch buffer,
 * never as a whole (a 12 MP image would first-touch 36 MB more).
 * @example simdGray(rgb, 3, width * height, arena) // Float32Array in the arena
 */
export function simdGray(pixels: Uint8Array, channels: 1 | 3, count: number, arena?: Arena): Float32Array {
  const chunk = Math.min(count, GRAY_CHUNK);
  const space = arena ?? createArena(arenaBytes(chunk, channels) + arenaBytes(count, 4));
  const dst = allocFloat32(space, count);
  const scratch = pixels.buffer === space.memory.buffer ? undefined : allocBytes(space, chunk * channels);
  const kernels = bind(space);
  const whole = channels === 3 ? count - (count % 16) : count;
  for (let first = 0; first < whole; first += chunk) {
    const n = Math.min(chunk, whole - first);
    let src = pixels.subarray(first * channels, (first + n) * channels);
    if (scratch) {
      scratch.set(src);
      src = scratch;
    }
    if (channels === 3) kernels.gray3(offset(src), dst.byteOffset + first * 4, n >> 4);
    else kernels.gray1(offset(src), dst.byteOffset + first * 4, n);
  }
  for (let i = whole; i < count; i++) {
    dst[i] = Math.fround(((9798 * pixels[3 * i] + 19235 * pixels[3 * i + 1] + 3735 * pixels[3 * i + 2] + 16384) >> 15) / 255);
  }
  if (scratch) release(space, scratch);
  return dst;
}

/** One pass of statistics over a map, from which those of its transforms follow exactly. */
export interface RawStats {
  count: number;
  min: number;
  max: number;
  /** float64 sums of the positive and of the negative values, over eight lanes in a fixed order. */
  positiveSum: number;
  negativeSum: number;
  zeros: number;
  negatives: number;
}

/**
 * Minimum, maximum, sums of the positive and negative values (float64, lane-wise, combined in a fixed
 * order) and counts of zeros and negatives of a float32 array, in one SIMD pass.
 * @example deriveStats(simdStats(conv.data), 'relu').max
 */
export function simdStats(data: Float32Array, arena?: Arena): RawStats {
  const space = arena ?? createArena(arenaBytes(data.length, 4));
  const src = float32In(space, data);
  const vectors = data.length >> 2;
  bind(space).stats(offset(src), vectors);
  const f32 = new Float32Array(space.memory.buffer, 0, 8);
  const f64 = new Float64Array(space.memory.buffer, 32, 8);
  const lanes = new Int32Array(space.memory.buffer, 96, 8);
  let min = Math.min(f32[0], f32[1], f32[2], f32[3]);
  let max = Math.max(f32[4], f32[5], f32[6], f32[7]);
  let positiveSum = f64[0] + f64[2] + (f64[1] + f64[3]);
  let negativeSum = f64[4] + f64[6] + (f64[5] + f64[7]);
  let zeros = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  let negatives = lanes[4] + lanes[5] + lanes[6] + lanes[7];
  for (let i = vectors * 4; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (v > 0) positiveSum += v;
    else if (v < 0) {
      negativeSum += v;
      negatives++;
    } else zeros++;
  }
  return { count: data.length, min, max, positiveSum, negativeSum, zeros, negatives };
}

/** Statistics of a map as seen through a transform. */
export interface TransformedStats {
  min: number;
  max: number;
  sum: number;
  zeros: number;
}

/**
 * The statistics of a transform of the map, exactly: negating swaps and negates the extremes and
 * sums (float64 addition is symmetric), ReLU keeps the positive side and counts the rest as zeros.
 * @example deriveStats(raw, 'negate-relu').max // max(−min, 0)
 */
export function deriveStats(raw: RawStats, transform: Transform): TransformedStats {
  const positives = raw.count - raw.zeros - raw.negatives;
  switch (transform) {
    case 'none':
      return { min: raw.min, max: raw.max, sum: raw.positiveSum + raw.negativeSum, zeros: raw.zeros };
    case 'relu':
      return { min: Math.max(raw.min, 0), max: Math.max(raw.max, 0), sum: raw.positiveSum, zeros: raw.zeros + raw.negatives };
    case 'negate':
      return { min: 0 - raw.max, max: 0 - raw.min, sum: 0 - (raw.positiveSum + raw.negativeSum), zeros: raw.zeros };
    case 'negate-relu':
      return { min: Math.max(0 - raw.max, 0), max: Math.max(0 - raw.min, 0), sum: 0 - raw.negativeSum, zeros: raw.zeros + positives };
  }
}

/**
 * A transform of every value into the arena: `relu` is max(v, 0), `negate` is 0 − v (the exact
 * negation, never −0), `negate-relu` both; `none` copies.
 * @example simdMap(conv.data, 'relu')
 */
export function simdMap(data: Float32Array, transform: Transform, arena?: Arena): Float32Array {
  const space = arena ?? createArena(arenaBytes(data.length, 8));
  const src = float32In(space, data);
  const dst = allocFloat32(space, data.length);
  if (transform === 'none') {
    dst.set(src);
    return dst;
  }
  const vectors = data.length >> 2;
  bind(space)[`map_${transform}`](offset(src), offset(dst), vectors);
  for (let i = vectors * 4; i < data.length; i++) dst[i] = transformValue(data[i], transform);
  return dst;
}

/**
 * Colour indices 0..255 of transformed float32 values: `floor(fl32(fl32(v − min) / span) · 256)`,
 * clamped, the lanes rounding exactly as the scalar float32 steps do. `span` must be positive.
 * With `grayLut` the indices go through matplotlib's gray table in the same pass: the finished tile.
 * @example simdQuantize(map.data, min, Math.fround(max - min))
 */
export function simdQuantize(
  data: Float32Array,
  min: number,
  span: number,
  transform: Transform = 'none',
  arena?: Arena,
  into?: Uint8Array,
  grayLut = false,
): Uint8Array {
  const space = arena ?? createArena(arenaBytes(data.length, 5));
  const src = float32In(space, data);
  const dst = into && into.buffer === space.memory.buffer && into.length >= data.length ? into.subarray(0, data.length) : allocBytes(space, data.length);
  const blocks = data.length >> 4;
  bind(space)[`quantize_${transform}${grayLut ? '_gray' : ''}`](offset(src), offset(dst), blocks, min, span);
  const fround = Math.fround;
  for (let i = blocks * 16; i < data.length; i++) {
    const index = Math.floor(fround(fround(transformValue(data[i], transform) - min) / span) * 256);
    const clamped = index > 255 ? 255 : index < 0 ? 0 : index;
    dst[i] = grayLut ? GRAY_LUT[clamped] : clamped;
  }
  return dst;
}

/** One view of a map for {@link simdQuantizeViews}: how to read the map, its range and where its indices go. */
export interface QuantizeView {
  transform: Transform;
  min: number;
  /** max − min, positive. */
  span: number;
  /** The destination, in the arena, at least as long as the map. */
  into: Uint8Array;
}

/**
 * {@link simdQuantize} for several views of one map at once, reading the map a single time: the
 * tiles of a feature map, its ReLU and its negated twin come from one pass. Each view's indices are
 * exactly what `simdQuantize` gives it. Views sharing a transform go in separate passes.
 * @example simdQuantizeViews(conv.data, [{ transform: 'none', ...a, into: t1 }, { transform: 'relu', ...b, into: t2 }], arena, true)
 */
export function simdQuantizeViews(data: Float32Array, views: readonly QuantizeView[], arena: Arena, grayLut = false): void {
  const src = float32In(arena, data);
  const blocks = data.length >> 4;
  const kernels = bind(arena);
  const fround = Math.fround;
  for (let rest = [...views]; rest.length > 0; ) {
    const pass = TRANSFORMS.map((transform) => rest.find((view) => view.transform === transform));
    rest = rest.filter((view) => !pass.includes(view));
    for (const view of pass) {
      if (view && (view.into.buffer !== arena.memory.buffer || view.into.length < data.length || !(view.span > 0))) {
        throw new Error('simdQuantizeViews: each destination must be in the arena, as long as the map, with a positive span');
      }
    }
    kernels[`quantize_views${grayLut ? '_gray' : ''}`](
      offset(src),
      blocks,
      ...pass.flatMap((view) => (view ? [offset(view.into), Math.fround(view.min), view.span] : [0, 0, 1])),
    );
    for (const view of pass) {
      if (!view) continue;
      for (let i = blocks * 16; i < data.length; i++) {
        const index = Math.floor(fround(fround(transformValue(data[i], view.transform) - fround(view.min)) / view.span) * 256);
        const clamped = index > 255 ? 255 : index < 0 ? 0 : index;
        view.into[i] = grayLut ? GRAY_LUT[clamped] : clamped;
      }
    }
  }
}

/**
 * Looks colour indices up in a table of 256 entries of 1 (gray) or 3 (RGB) bytes, into the arena
 * (the indices themselves may be overwritten by later quantisations: they are scratch).
 * @example simdLookup(indices, GRAY_LUT, 1)
 */
export function simdLookup(indices: Uint8Array, table: Uint8Array, channels: 1 | 3, arena?: Arena): Uint8Array {
  const space = arena ?? createArena(arenaBytes(indices.length, 1 + channels));
  new Uint8Array(space.memory.buffer, SCRATCH, table.length).set(table);
  let src = indices;
  if (src.buffer !== space.memory.buffer) {
    src = allocBytes(space, indices.length);
    src.set(indices);
  }
  const dst = allocBytes(space, indices.length * channels);
  bind(space)[channels === 1 ? 'lut1' : 'lut3'](offset(src), offset(dst), indices.length);
  return dst;
}


/**
 * Reduces an 8-bit image (1 or 3 channels) by a whole factor: each output pixel the rounded mean,
 * `floor((sum + n/2) / n)`, of its f×f block (fewer pixels at the right and bottom edges).
 * @example simdDownscale(tile.data, 4000, 3000, 1, 8) // 500×375 bytes
 */
export function simdDownscale(data: Uint8Array, width: number, height: number, channels: 1 | 3, factor: number, arena?: Arena): Uint8Array {
  const ow = Math.ceil(width / factor);
  const oh = Math.ceil(height / factor);
  const sumsBytes = (width * channels + 4) * 4;
  const space = arena ?? createArena(arenaBytes(data.length, 1) + arenaBytes(ow * oh, channels) + arenaBytes(sumsBytes, 1));
  let src = data;
  if (src.buffer !== space.memory.buffer) {
    src = allocBytes(space, data.length);
    src.set(data);
  }
  const dst = allocBytes(space, ow * oh * channels);
  const sums = allocBytes(space, sumsBytes);
  bind(space)[`down${channels}`](offset(src), offset(dst), offset(sums), width, height, factor, ow, oh);
  release(space, sums);
  return dst;
}
