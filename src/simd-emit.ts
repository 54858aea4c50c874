/**
 * The element-wise SIMD kernels of `simd.ts`, written with the tiny emitter of `wasm.ts`. Not loaded
 * at run time: `npm run generate` saves the module's bytes in `simd-kernels.ts`.
 */
import { GRAY_LUT } from './colormap.js';
import { SCRATCH, TRANSFORMS, type Transform } from './simd.js';
import { F32, FunctionBody, I32, moduleBytes, V128 } from './wasm.js';

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
 * The kernels' WebAssembly module, as bytes. `npm run generate` saves them in `simd-kernels.ts`,
 * which the runtime loads (assembling them cold took 20–30 ms of every start); a test checks that
 * the saved copy is what this function makes.
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
  // (low and high lane pairs), and counts of zeros and negatives, carried on at 0..127. One pass serves a map,
  // its ReLU, its negation and the negation's ReLU (see deriveStats).
  {
    const b = new FunctionBody(2);
    const [src, vectors] = [0, 1];
    const [i, v, lo, hi, posLo, posHi, negLo, negHi, zeros, negatives, part] = [I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128].map((t) => b.local(t));
    const accumulate = (sumLo: number, sumHi: number): void => {
      b.get(sumLo).get(part).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumLo);
      b.get(sumHi).get(part).get(part).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).v128('f64x2.promote_low_f32x4').v128('f64x2.add').set(sumHi);
    };
    // The running values start from 0..127 (the caller sets them before the first call), so a long
    // array can be passed in several calls with exactly the lanes and sums of one.
    [lo, hi, posLo, posHi, negLo, negHi, zeros, negatives].forEach((local, k) => b.i32(0).v128Load(k * 16).set(local));
    b.block().i32(0).set(i).get(vectors).i32(0).op('le_s').brIf(0).loop();
    b.get(src).get(i).i32(4).op('shl').op('add').v128Load(0).set(v);
    // pmin(a, b) is `b < a ? b : a`, pmax(a, b) `a < b ? b : a`: one instruction each (min and max
    // are several, for NaN and −0). A NaN is never smaller or larger, so it is skipped, as the tail does.
    b.get(lo).get(v).f32x4('pmin').set(lo);
    b.get(hi).get(v).f32x4('pmax').set(hi);
    b.f32x4Const(0).get(v).f32x4('pmax').set(part);
    accumulate(posLo, posHi);
    b.f32x4Const(0).get(v).f32x4('pmin').set(part);
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
  // quantize_views(src, blocks, dst_k, min_k, span_k for the four transforms in TRANSFORMS order):
  // 16 floats → 16 colour indices floor(fl32(fl32(t(v) − min) / span) · 256), clamped, for every
  // view t of one map from a single read of it; a view whose dst is 0 is skipped.
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
