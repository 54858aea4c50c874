/**
 * Element-wise kernels in WebAssembly SIMD for the per-pixel stages (gray, ReLU, statistics,
 * quantisation, colour lookup): on this 2-core machine a JS loop over 12 million floats costs
 * 25–150 ms, a SIMD pass a few. Each kernel computes exactly what its scalar definition does (IEEE
 * float32 arithmetic is the same in every lane). The kernels work in an {@link Arena}: operands that
 * live there are used in place, others are copied in; results are views on the arena.
 *
 * Statistics, quantisation take a `transform` so that a ReLU or a negated twin map never needs to
 * exist in memory: `relu` is max(v, +0), `negate` is 0 − v (never −0), `negate-relu` both.
 *
 * The kernels are written in `simd-emit.ts`; their compiled bytes are in `simd-kernels.ts`
 * (`npm run generate`, checked by a test), so start-up does not assemble them.
 */
import { allocBytes, allocFloat32, arenaBytes, createArena, float32In, release, type Arena } from './arena.js';
import { GRAY_LUT } from './colormap.js';
import { KERNEL_MODULE } from './simd-kernels.js';

/** Scratch bytes at the start of the arena: statistics at 0..79, a 256×3 colour table at 128. */
export const SCRATCH = 128;

/** A value transform fused into statistics and quantisation. */
export type Transform = 'none' | 'relu' | 'negate' | 'negate-relu';
/** The transforms, in the order of the views of `quantize_views`. */
export const TRANSFORMS: readonly Transform[] = ['none', 'relu', 'negate', 'negate-relu'];

/**
 * The scalar transform, for tails: exactly what the lanes do.
 * @example transformValue(-2, 'negate-relu') // 2
 */
export function transformValue(v: number, transform: Transform): number {
  const x = transform === 'negate' || transform === 'negate-relu' ? 0 - v : v;
  return transform === 'relu' || transform === 'negate-relu' ? (x > 0 ? x : 0) : x;
}

let compiled: WebAssembly.Module | undefined;

/**
 * Blocks of 16 values per call of a kernel over a large array: about 4 MB of floats. V8 first runs a
 * kernel as quickly compiled (Liftoff) code and swaps in its optimised build for later calls only,
 * so one long call would run entirely in the slow code; in calls of this size the rest of the array
 * gets the fast code (measured: 33 M values quantised in 34–38 ms in chunks, 47–62 ms in one call).
 */
const CHUNK_BLOCKS = 65536;

/** Calls `run(first, count)` over `0..total` in pieces of at most `size`. */
function forChunks(total: number, size: number, run: (first: number, count: number) => void): void {
  for (let first = 0; first < total; first += size) run(first, Math.min(size, total - first));
}

type Exports = Record<string, (...args: number[]) => void>;

/** The kernels bound to an arena's memory (compiled on first use; instantiating takes microseconds). */
function bind(arena: Arena): Exports {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNEL_MODULE, 'base64'));
  return new WebAssembly.Instance(compiled, { env: { memory: arena.memory } }).exports as Exports;
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
  forChunks(whole, chunk, (first, n) => {
    let src = pixels.subarray(first * channels, (first + n) * channels);
    if (scratch) {
      scratch.set(src);
      src = scratch;
    }
    if (channels === 3) kernels.gray3(offset(src), dst.byteOffset + first * 4, n >> 4);
    else kernels.gray1(offset(src), dst.byteOffset + first * 4, n);
  });
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
  const f32 = new Float32Array(space.memory.buffer, 0, 8);
  const f64 = new Float64Array(space.memory.buffer, 32, 8);
  const lanes = new Int32Array(space.memory.buffer, 96, 8);
  f32.fill(Infinity, 0, 4).fill(-Infinity, 4);
  f64.fill(0);
  lanes.fill(0);
  const stats = bind(space).stats;
  forChunks(vectors, CHUNK_BLOCKS * 4, (first, count) => stats(offset(src) + first * 16, count));
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
    } else if (v === 0) zeros++;
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
  const map = bind(space)[`map_${transform}`];
  forChunks(vectors, CHUNK_BLOCKS * 4, (first, count) => map(offset(src) + first * 16, offset(dst) + first * 16, count));
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
  const dst = into && into.buffer === space.memory.buffer && into.length >= data.length ? into.subarray(0, data.length) : allocBytes(space, data.length);
  simdQuantizeViews(data, [{ transform, min, span, into: dst }], space, grayLut);
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
    const quantize = kernels[`quantize_views${grayLut ? '_gray' : ''}`];
    forChunks(blocks, CHUNK_BLOCKS, (first, count) =>
      quantize(offset(src) + first * 64, count, ...pass.flatMap((view) => (view ? [offset(view.into) + first * 16, Math.fround(view.min), view.span] : [0, 0, 1]))),
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
  const lookup = bind(space)[channels === 1 ? 'lut1' : 'lut3'];
  forChunks(indices.length, CHUNK_BLOCKS * 16, (first, count) => lookup(offset(src) + first, offset(dst) + first * channels, count));
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
  const down = bind(space)[`down${channels}`];
  const rowBytes = factor * width * channels;
  forChunks(oh, Math.max(1, Math.floor((CHUNK_BLOCKS * 64) / rowBytes)), (first, rows) =>
    down(offset(src) + first * rowBytes, offset(dst) + first * ow * channels, offset(sums), width, Math.min(height - first * factor, rows * factor), factor, ow, rows),
  );
  release(space, sums);
  return dst;
}
