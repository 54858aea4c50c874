/**
 * Element-wise kernels in WebAssembly SIMD for the per-pixel stages (gray, ReLU, statistics,
 * quantisation, colour lookup): on this 2-core machine a JS loop over 12 million floats costs
 * 25–150 ms, a SIMD pass a few. Each kernel computes exactly what its scalar definition does (IEEE
 * float32 arithmetic is the same in every lane), and each call copies its operands into a fresh
 * WebAssembly memory and the result out: a memcpy is cheap next to the work, and nothing is shared.
 */
import { F32, FunctionBody, I32, moduleBytes, V128 } from './wasm.js';

const PAGE = 65536;
/** Bytes at the start of every call's memory for results and tables (statistics, a 256×3 LUT). */
const SCRATCH = 1024;

const kernels = ((): WebAssembly.Module => {
  const fns: { name: string; params: number[]; body: FunctionBody }[] = [];

  // gray3(src, dst, n): OpenCV's BGR2GRAY on interleaved RGB, then float32(Y / 255).
  {
    const b = new FunctionBody(3);
    const [src, dst, n] = [0, 1, 2];
    const i = b.local(I32);
    b.block().i32(0).set(i).get(n).i32(0).op('le_s').brIf(0).loop();
    b.get(dst).get(i).i32(2).op('shl').op('add'); // address for the store
    b.get(src).get(i).i32(3).op('mul').op('add').load8(0).i32(9798).op('mul');
    b.get(src).get(i).i32(3).op('mul').op('add').load8(1).i32(19235).op('mul').op('add');
    b.get(src).get(i).i32(3).op('mul').op('add').load8(2).i32(3735).op('mul').op('add');
    b.i32(16384).op('add').i32(15).op('shr_u').float('f32.convert_i32_u').f32(255).float('f32.div').f32Store(0);
    b.get(i).i32(1).op('add').tee(i).get(n).op('lt_s').brIf(0).end().end();
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
  // stats(src, vectors): lane-wise min, max, float64 sums (low and high pairs) and zero counts at 0..79.
  {
    const b = new FunctionBody(2);
    const [src, vectors] = [0, 1];
    const [i, v, lo, hi, sumLo, sumHi, zeros] = [b.local(I32), b.local(V128), b.local(V128), b.local(V128), b.local(V128), b.local(V128), b.local(V128)];
    b.f32x4Const(Infinity).set(lo).f32x4Const(-Infinity).set(hi);
    b.block().i32(0).set(i).get(vectors).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(4).op('shl').op('add').v128Load(0).set(v);
    b.get(lo).get(v).f32x4('min').set(lo);
    b.get(hi).get(v).f32x4('max').set(hi);
    b.get(sumLo).get(v).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumLo);
    b.get(sumHi).get(v).get(v).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumHi);
    b.get(zeros).get(v).f32x4Const(0).f32x4('eq').v128('i32x4.sub').set(zeros);
    b.get(i).i32(1).op('add').tee(i).get(vectors).op('lt_s').brIf(0).end().end();
    b.i32(0).get(lo).v128Store(0).i32(0).get(hi).v128Store(16).i32(0).get(sumLo).v128Store(32);
    b.i32(0).get(sumHi).v128Store(48).i32(0).get(zeros).v128Store(64);
    fns.push({ name: 'stats', params: [I32, I32], body: b });
  }
  // relu(src, dst, vectors) and negate(src, dst, vectors): max(v, +0) and 0 − v, four at a time.
  for (const name of ['relu', 'negate'] as const) {
    const b = new FunctionBody(3);
    const [src, dst, vectors] = [0, 1, 2];
    const i = b.local(I32);
    b.block().i32(0).set(i).get(vectors).i32(0).op('le_s').brIf(0).loop();
    b.get(dst).get(i).i32(4).op('shl').op('add');
    if (name === 'relu') b.get(src).get(i).i32(4).op('shl').op('add').v128Load(0).f32x4Const(0).f32x4('max');
    else b.f32x4Const(0).get(src).get(i).i32(4).op('shl').op('add').v128Load(0).f32x4('sub');
    b.v128Store(0);
    b.get(i).i32(1).op('add').tee(i).get(vectors).op('lt_s').brIf(0).end().end();
    fns.push({ name, params: [I32, I32, I32], body: b });
  }
  // quantize(src, dst, blocks, min, span): 16 floats → 16 colour indices floor(fl32(fl32(v − min) / span) · 256), clamped.
  {
    const b = new FunctionBody(5);
    const [src, dst, blocks, min, span] = [0, 1, 2, 3, 4];
    const [i, vmin, vspan, at] = [b.local(I32), b.local(V128), b.local(V128), b.local(I32)];
    const index = (offset: number): void => {
      b.get(at).v128Load(offset).get(vmin).f32x4('sub').get(vspan).f32x4('div').f32x4Const(256).f32x4('mul').f32x4('floor');
      b.f32x4Const(0).f32x4('max').f32x4Const(255).f32x4('min').v128('i32x4.trunc_sat_f32x4_s');
    };
    b.get(min).f32x4Splat().set(vmin).get(span).f32x4Splat().set(vspan);
    b.block().i32(0).set(i).get(blocks).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(6).op('shl').op('add').set(at);
    b.get(dst).get(i).i32(4).op('shl').op('add');
    index(0);
    index(16);
    b.v128('i16x8.narrow_i32x4_u');
    index(32);
    index(48);
    b.v128('i16x8.narrow_i32x4_u').v128('i8x16.narrow_i16x8_u').v128Store(0);
    b.get(i).i32(1).op('add').tee(i).get(blocks).op('lt_s').brIf(0).end().end();
    fns.push({ name: 'quantize', params: [I32, I32, I32, F32, F32], body: b });
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
  return new WebAssembly.Module(moduleBytes(fns));
})();

type Exports = Record<string, (...args: number[]) => void>;

/** A fresh memory of at least `bytes` after the scratch area, with the kernels bound to it. */
function instance(bytes: number): { memory: WebAssembly.Memory; fn: Exports } {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((SCRATCH + bytes) / PAGE)) });
  const fn = new WebAssembly.Instance(kernels, { env: { memory } }).exports as Exports;
  return { memory, fn };
}

/**
 * OpenCV's gray of 8-bit pixels (1 or 3 channels), as float32(Y / 255).
 * @example simdGray(rgb, 3, width * height) // Float32Array
 */
export function simdGray(pixels: Uint8Array, channels: 1 | 3, count: number): Float32Array {
  const { memory, fn } = instance(count * channels + count * 4 + 4);
  const src = SCRATCH;
  const dst = align(src + count * channels);
  new Uint8Array(memory.buffer, src, count * channels).set(pixels.subarray(0, count * channels));
  fn[channels === 3 ? 'gray3' : 'gray1'](src, dst, count);
  return new Float32Array(memory.buffer, dst, count);
}

/** Lane-wise partial results of {@link simdStats}, combined in a fixed order. */
export interface RawStats {
  min: number;
  max: number;
  sum: number;
  zeros: number;
}

/**
 * Minimum, maximum, float64 sum and count of exact zeros of a float32 array. The sum is accumulated
 * in eight float64 lanes (value i goes to lane i mod 8 … ) and combined in a fixed order, so it is
 * deterministic; it is not the left-to-right sum.
 * @example simdStats(map.data).max
 */
export function simdStats(data: Float32Array): RawStats {
  const vectors = data.length >> 2;
  const { memory, fn } = instance(vectors * 16);
  new Float32Array(memory.buffer, SCRATCH, vectors * 4).set(data.subarray(0, vectors * 4));
  fn.stats(SCRATCH, vectors);
  const f32 = new Float32Array(memory.buffer, 0, 8);
  const f64 = new Float64Array(memory.buffer, 32, 4);
  const zeroLanes = new Int32Array(memory.buffer, 64, 4);
  let min = Math.min(f32[0], f32[1], f32[2], f32[3]);
  let max = Math.max(f32[4], f32[5], f32[6], f32[7]);
  let sum = f64[0] + f64[2] + f64[1] + f64[3];
  let zeros = zeroLanes[0] + zeroLanes[1] + zeroLanes[2] + zeroLanes[3];
  for (let i = vectors * 4; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros++;
  }
  return { min, max, sum, zeros };
}

/**
 * `max(v, 0)` (ReLU) or `0 − v` (the exact negation, never −0) of every value.
 * @example simdMap(conv.data, 'relu')
 */
export function simdMap(data: Float32Array, op: 'relu' | 'negate'): Float32Array {
  const vectors = data.length >> 2;
  const { memory, fn } = instance(data.length * 8 + 16);
  const src = SCRATCH;
  const dst = align(src + data.length * 4);
  new Float32Array(memory.buffer, src, data.length).set(data);
  fn[op](src, dst, vectors);
  const out = new Float32Array(memory.buffer, dst, data.length);
  for (let i = vectors * 4; i < data.length; i++) out[i] = op === 'relu' ? (data[i] > 0 ? data[i] : 0) : 0 - data[i];
  return out;
}

/**
 * Colour indices 0..255 of float32 values: `floor(fl32(fl32(v − min) / span) · 256)` clamped, the
 * lanes rounding exactly as the scalar float32 steps do. `span` must be positive.
 * @example simdQuantize(map.data, min, Math.fround(max - min))
 */
export function simdQuantize(data: Float32Array, min: number, span: number): Uint8Array {
  const blocks = data.length >> 4;
  const { memory, fn } = instance(data.length * 5 + 16);
  const src = SCRATCH;
  const dst = align(src + data.length * 4);
  new Float32Array(memory.buffer, src, data.length).set(data);
  fn.quantize(src, dst, blocks, min, span);
  const out = new Uint8Array(memory.buffer, dst, data.length);
  const fround = Math.fround;
  for (let i = blocks * 16; i < data.length; i++) {
    const index = Math.floor(fround(fround(data[i] - min) / span) * 256);
    out[i] = index > 255 ? 255 : index < 0 ? 0 : index;
  }
  return out;
}

/**
 * Looks colour indices up in a table of 256 entries of 1 (gray) or 3 (RGB) bytes.
 * @example simdLookup(indices, GRAY_LUT, 1)
 */
export function simdLookup(indices: Uint8Array, table: Uint8Array, channels: 1 | 3): Uint8Array {
  const { memory, fn } = instance(256 * 3 + indices.length * (1 + channels));
  const src = SCRATCH + 256 * 3;
  const dst = src + indices.length;
  new Uint8Array(memory.buffer, SCRATCH, table.length).set(table);
  new Uint8Array(memory.buffer, src, indices.length).set(indices);
  fn[channels === 1 ? 'lut1' : 'lut3'](src, dst, indices.length);
  return new Uint8Array(memory.buffer, dst, indices.length * channels);
}

function align(offset: number): number {
  return (offset + 15) & ~15;
}
