import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRAY_LUT } from '../src/colormap.js';
import { allocBytes, createArena } from '../src/arena.js';
import { kernelModuleBytes } from '../src/simd-emit.js';
import { KERNEL_MODULE } from '../src/simd-kernels.js';
import { deriveStats, simdDownscale, simdGray, simdLookup, simdMap, simdQuantize, simdQuantizeViews, simdStats, transformValue, type Transform } from '../src/simd.js';
import { assertBitsEqual } from './helpers.js';

/** Deterministic values with exact zeros, both signs and repeats, of awkward lengths. */
function values(count: number, seed: number): Float32Array {
  let a = seed;
  return Float32Array.from({ length: count }, (_, i) => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return i % 7 === 0 ? 0 : Math.fround(((a >>> 8) / 2 ** 24 - 0.45) * 3);
  });
}

const TRANSFORMS: Transform[] = ['none', 'relu', 'negate', 'negate-relu'];
const SIZES = [1, 3, 4, 15, 16, 17, 33, 1000, 4099];

describe('SIMD element-wise kernels equal their scalar definitions', () => {
  it('src/simd-kernels.ts holds exactly the module simd-emit.ts assembles', () => {
    assert.ok(Buffer.from(KERNEL_MODULE, 'base64').equals(Buffer.from(kernelModuleBytes())), 'src/simd-kernels.ts is stale: run npm run generate');
  });

  it('gray3: OpenCV luma then float32(Y / 255), for sizes around the 16-pixel block and the copy chunk', () => {
    for (const count of [...SIZES, 65536, 65536 + 37, 3 * 65536 + 16]) {
      const rgb = Uint8Array.from({ length: count * 3 }, (_, i) => (i * 7919 + count) & 255);
      const out = simdGray(rgb, 3, count);
      const expected = Float32Array.from({ length: count }, (_, i) =>
        Math.fround(((9798 * rgb[3 * i] + 19235 * rgb[3 * i + 1] + 3735 * rgb[3 * i + 2] + 16384) >> 15) / 255),
      );
      assertBitsEqual(out, expected, `${count} pixels`);
    }
  });

  it('gray1: float32(Y / 255) of 8-bit gray, across copy chunks', () => {
    for (const count of [1, 17, 65536 + 5, 2 * 65536 + 1]) {
      const gray = Uint8Array.from({ length: count }, (_, i) => (i * 31 + 7) & 255);
      assertBitsEqual(simdGray(gray, 1, count), Float32Array.from(gray, (v) => Math.fround(v / 255)), `${count} pixels`);
    }
  });

  it('relu, negate, both, and none, never producing −0', () => {
    for (const count of SIZES) {
      const data = values(count, count);
      for (const op of ['relu', 'negate', 'negate-relu', 'none'] as const) {
        const out = simdMap(data, op);
        assertBitsEqual(out, data.map((v) => transformValue(v, op)), `${op} ${count}`);
        assert.ok(!Array.from(out).some((v) => Object.is(v, -0)), `${op} gives no −0`);
      }
    }
  });

  it('statistics of every transform follow exactly from one pass', () => {
    for (const count of SIZES) {
      const data = values(count, count + 1);
      const raw = simdStats(data);
      for (const transform of TRANSFORMS) {
        const seen = data.map((v) => transformValue(v, transform));
        const stats = deriveStats(raw, transform);
        assert.equal(stats.min, Math.min(...seen), `${transform} min`);
        assert.equal(stats.max, Math.max(...seen), `${transform} max`);
        assert.equal(stats.zeros, seen.filter((v) => v === 0).length, `${transform} zeros`);
        const plain = seen.reduce((sum, v) => sum + v, 0);
        assert.ok(Math.abs(stats.sum - plain) <= 1e-9 * Math.max(1, Math.abs(plain)) * count, `${transform} sum ${stats.sum} vs ${plain}`);
        // The negated sums are exact negations (float64 addition is symmetric).
        if (transform === 'negate') assert.ok(stats.sum === -deriveStats(raw, 'none').sum, 'negated sum');
      }
    }
  });

  it('quantize: floor(fl32(fl32(v − min) / span) · 256) clamped, and with the gray table fused', () => {
    for (const count of SIZES) {
      const data = values(count, count + 2);
      for (const transform of TRANSFORMS) {
        const min = -0.7;
        const span = Math.fround(1.9);
        const expected = Uint8Array.from(data, (v) => {
          const index = Math.floor(Math.fround(Math.fround(transformValue(v, transform) - Math.fround(min)) / span) * 256);
          return index > 255 ? 255 : index < 0 ? 0 : index;
        });
        assert.deepEqual(simdQuantize(data, Math.fround(min), span, transform), expected, `${transform} ${count}`);
        assert.deepEqual(simdQuantize(data, Math.fround(min), span, transform, undefined, undefined, true), expected.map((i) => GRAY_LUT[i]), `gray ${transform} ${count}`);
      }
    }
  });

  it('quantize views: every view of a map from one read, each exactly its own scalar rule, with the gray table or without', () => {
    for (const count of SIZES) {
      const data = values(count, count + 3);
      for (const grayLut of [false, true]) {
        // Each view a different range; the fifth shares a transform with the first (a second pass).
        const looks = [
          { transform: 'none' as const, min: -0.7, max: 1.2 },
          { transform: 'relu' as const, min: 0, max: 0.9 },
          { transform: 'negate' as const, min: -1.3, max: 0.4 },
          { transform: 'negate-relu' as const, min: 0.01, max: 1.5 },
          { transform: 'none' as const, min: -2, max: 2 },
        ];
        for (const chosen of [looks, [looks[1]], [looks[0], looks[3]], looks.slice(0, 4)]) {
          const arena = createArena(count * 16 + 4096);
          const views = chosen.map((look) => ({ transform: look.transform, min: Math.fround(look.min), span: Math.fround(look.max - look.min), into: allocBytes(arena, count).fill(7) }));
          simdQuantizeViews(data, views, arena, grayLut);
          for (const view of views) {
            const expected = Uint8Array.from(data, (v) => {
              const index = Math.floor(Math.fround(Math.fround(transformValue(v, view.transform) - view.min) / view.span) * 256);
              const clamped = index > 255 ? 255 : index < 0 ? 0 : index;
              return grayLut ? GRAY_LUT[clamped] : clamped;
            });
            assert.deepEqual(view.into, expected, `${view.transform} [${view.min}, +${view.span}] ${count} values, gray table ${grayLut}`);
          }
        }
      }
    }
  });

  it('NaN, ±Infinity, ±0 and subnormals: maps and indices agree with the scalar definitions', () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 0.5, -0.5];
    const data = Float32Array.from({ length: 37 }, (_, i) => special[i % special.length]);
    for (const transform of TRANSFORMS) {
      const expected = data.map((v) => transformValue(v, transform));
      assertBitsEqual(simdMap(data, transform), expected, `map ${transform}`);
      const indices = Uint8Array.from(expected, (v) => {
        const index = Math.floor(Math.fround(Math.fround(v - Math.fround(-0.5)) / 1) * 256);
        return index > 255 ? 255 : index < 0 ? 0 : index;
      });
      assert.deepEqual(simdQuantize(data, Math.fround(-0.5), 1, transform), indices, `quantize ${transform}`);
    }
    // Statistics skip NaN, in the lanes as in the tail.
    const finite = Float32Array.from({ length: 41 }, (_, i) => (i % 5 === 0 ? NaN : Math.fround((i - 20) / 7)));
    const raw = simdStats(finite);
    assert.deepEqual([raw.min, raw.max, raw.zeros, raw.negatives], [Math.fround(-19 / 7), Math.fround(19 / 7), 0, 16]);
  });

  it('large arrays go through the kernels in several calls with exactly the results of one pass', () => {
    // Over 1 Mi values a kernel is called chunk by chunk (so V8 swaps in its optimised code).
    const count = 2 * 1024 * 1024 + 65536 + 37;
    const data = values(count, 11);
    const raw = simdStats(data);
    const lanes = [0, 0, 0, 0];
    let negativeSum = 0;
    const negLanes = [0, 0, 0, 0];
    const whole = count - (count % 4);
    for (let i = 0; i < whole; i++) {
      if (data[i] > 0) lanes[i % 4] += data[i];
      else negLanes[i % 4] += data[i];
    }
    let positiveSum = lanes[0] + lanes[2] + (lanes[1] + lanes[3]);
    negativeSum = negLanes[0] + negLanes[2] + (negLanes[1] + negLanes[3]);
    for (let i = whole; i < count; i++) {
      if (data[i] > 0) positiveSum += data[i];
      else negativeSum += data[i];
    }
    assert.equal(raw.positiveSum, positiveSum);
    assert.equal(raw.negativeSum, negativeSum);
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.deepEqual([raw.min, raw.max, raw.zeros, raw.negatives], [min, max, data.filter((v) => v === 0).length, data.filter((v) => v < 0).length]);

    const arena = createArena(count * 6 + 4096);
    const into = allocBytes(arena, count);
    simdQuantizeViews(data, [{ transform: 'negate-relu', min: Math.fround(0.1), span: Math.fround(1.2), into }], arena, true);
    for (let i = 0; i < count; i += 997) {
      const index = Math.floor(Math.fround(Math.fround(transformValue(data[i], 'negate-relu') - Math.fround(0.1)) / Math.fround(1.2)) * 256);
      assert.equal(into[i], GRAY_LUT[index > 255 ? 255 : index < 0 ? 0 : index], `value ${i}`);
    }

    const negated = simdMap(data, 'negate-relu');
    const indices = Uint8Array.from({ length: count }, (_, i) => (i * 13) & 255);
    const table = Uint8Array.from({ length: 768 }, (_, i) => (i * 5 + 1) & 255);
    const colours = simdLookup(indices, table, 3);
    for (let i = 0; i < count; i += 1009) {
      assert.ok(Object.is(negated[i], transformValue(data[i], 'negate-relu')), `map ${i}`);
      assert.deepEqual([...colours.subarray(3 * i, 3 * i + 3)], [...table.subarray(3 * indices[i], 3 * indices[i] + 3)], `colour ${i}`);
    }
    assert.ok(Object.is(negated[count - 1], transformValue(data[count - 1], 'negate-relu')));

    const [width, height, factor] = [2001, 2203, 2];
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 7 + (i >> 11)) & 255);
    const reduced = simdDownscale(pixels, width, height, 1, factor);
    const ow = Math.ceil(width / factor);
    for (const [ox, oy] of [[0, 0], [ow - 1, 1047], [3, 1048], [ow - 1, Math.ceil(height / factor) - 1], [500, 600]]) {
      let sum = 0;
      let n = 0;
      for (let y = oy * factor; y < Math.min(height, oy * factor + factor); y++) {
        for (let x = ox * factor; x < Math.min(width, ox * factor + factor); x++, n++) sum += pixels[y * width + x];
      }
      assert.equal(reduced[oy * ow + ox], Math.floor((sum + (n >> 1)) / n), `block ${ox},${oy}`);
    }
  });

  it('the fused gray table maps every index 0..255 like GRAY_LUT', () => {
    const ramp = Float32Array.from({ length: 256 }, (_, i) => i / 256 + 1 / 512);
    assert.deepEqual(simdQuantize(ramp, 0, 1, 'none', undefined, undefined, true), GRAY_LUT);
  });

  it('downscale: rounded block means, partial edge blocks, gray and RGB', () => {
    for (const [width, height, factor] of [[5, 3, 2], [16, 9, 4], [33, 17, 8], [7, 7, 7], [67, 13, 5], [100, 37, 9], [1, 40, 3], [40, 1, 3], [129, 65, 16]]) {
      for (const channels of [1, 3] as const) {
        const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (width === 129 ? 255 : (i * 131 + 7) & 255));
        const ow = Math.ceil(width / factor);
        const oh = Math.ceil(height / factor);
        const expected = new Uint8Array(ow * oh * channels);
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++) {
            for (let c = 0; c < channels; c++) {
              let sum = 0;
              let n = 0;
              for (let y = oy * factor; y < Math.min(height, oy * factor + factor); y++) {
                for (let x = ox * factor; x < Math.min(width, ox * factor + factor); x++) {
                  sum += data[(y * width + x) * channels + c];
                  n++;
                }
              }
              expected[(oy * ow + ox) * channels + c] = Math.floor((sum + (n >> 1)) / n);
            }
          }
        }
        assert.deepEqual(simdDownscale(data, width, height, channels, factor), expected, `${width}x${height} f=${factor} c=${channels}`);
      }
    }
  });
});
