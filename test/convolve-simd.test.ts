import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convolveBank } from '../src/convolve.js';
import { convolveSimd, productsExact } from '../src/convolve-simd.js';
import { kernelFromRows, tutorialKernels } from '../src/kernels.js';
import { presetKernels } from '../src/presets.js';
import type { FloatMap, Kernel } from '../src/types.js';
import { SIMD_AVAILABLE } from '../src/wasm.js';
import { assertBitsEqual, prng } from './helpers.js';

/** The scalar recipe the SIMD lanes must reproduce: fl32(acc + fl32(w·g)), row-major, bias first or last. */
function scalar(input: FloatMap, k: Kernel, biasFirst: boolean): Float32Array {
  const ow = input.width - k.width + 1;
  const oh = input.height - k.height + 1;
  const out = new Float32Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = biasFirst ? k.bias : 0;
      for (let ky = 0; ky < k.height; ky++) {
        for (let kx = 0; kx < k.width; kx++) {
          acc = Math.fround(acc + Math.fround(k.weights[ky * k.width + kx] * input.data[(y + ky) * input.width + x + kx]));
        }
      }
      out[y * ow + x] = biasFirst || k.bias === 0 ? acc : Math.fround(acc + k.bias);
    }
  }
  return out;
}

const grayMap = (width: number, height: number, seed: number): FloatMap => {
  const next = prng(seed);
  return { width, height, data: Float32Array.from({ length: width * height }, () => Math.fround(Math.floor(next() * 256) / 255)) };
};

const randomKernel = (width: number, height: number, seed: number, bias = 0): Kernel => {
  const next = prng(seed);
  const pick = () => [-1, 1, 0, 0.5, -2, next() * 4 - 2][Math.floor(next() * 6)];
  return kernelFromRows(`r${seed}`, '', Array.from({ length: height }, () => Array.from({ length: width }, pick)), bias);
};

describe('SIMD convolution equals the scalar recipe bit for bit', { skip: !SIMD_AVAILABLE && 'no WebAssembly SIMD' }, () => {
  const shapes: [number, number, number, number][] = [
    // input w, h, kernel w, h: outputs 4, 5, 7 and 8 wide, 1 high, odd sizes, 1×1 and tall kernels
    [7, 5, 4, 4], [8, 4, 4, 4], [10, 6, 4, 3], [11, 9, 4, 4], [13, 1, 1, 1], [9, 12, 2, 7], [37, 23, 7, 7], [6, 8, 3, 1],
  ];
  for (const [w, h, kw, kh] of shapes) {
    it(`img=${w}x${h} k=${kw}x${kh} → ${w - kw + 1}x${h - kh + 1}, groups of 1 to 4 filters, bias first and last`, () => {
      const input = grayMap(w, h, w * 31 + h);
      const kernels = [1, 2, 3, 4].map((s) => randomKernel(kw, kh, s * 7 + w, s === 3 ? 0 : s / 8 - 0.3));
      for (let n = 1; n <= 4; n++) {
        for (const biasFirst of [true, false]) {
          const results = convolveSimd(input, kernels.slice(0, n).map((kernel, i) => ({ kernel, biasFirst, negated: i % 2 === 0 })));
          results.forEach((result, i) => {
            const expected = scalar(input, kernels[i], biasFirst);
            assertBitsEqual(result.map.data, expected, `filter ${i} of ${n}, biasFirst ${biasFirst}`);
            if (i % 2 === 0) assertBitsEqual(result.negated?.data ?? new Float32Array(), expected.map((v) => 0 - v), `negated filter ${i}`);
            else assert.equal(result.negated, undefined);
          });
        }
      }
    });
  }

  it('maps of more than 1 Mi values are computed in bands of rows, seamlessly', () => {
    // 1027 × 1097 outputs, two outputs per filter: bands of 510 rows, the last one short.
    const input = grayMap(1030, 1100, 77);
    const kernels = [randomKernel(4, 4, 5, 0.25), randomKernel(4, 4, 6)];
    const results = convolveSimd(input, kernels.map((kernel, i) => ({ kernel, biasFirst: i === 0, negated: true })));
    results.forEach((result, i) => {
      const expected = scalar(input, kernels[i], i === 0);
      assertBitsEqual(result.map.data, expected, `filter ${i}`);
      assertBitsEqual(result.negated?.data ?? new Float32Array(), expected.map((v) => 0 - v), `negated filter ${i}`);
    });
  });

  it('convolveBank takes the SIMD path for the tutorial bank and matches the scalar recipe', () => {
    const input = grayMap(45, 31, 5);
    convolveBank(input, tutorialKernels()).forEach((map, i) => assertBitsEqual(map.data, scalar(input, tutorialKernels()[i], true), `filter ${i}`));
  });

  it('mixed sizes and banks of more than four share passes by size and keep their order', () => {
    const input = grayMap(40, 30, 9);
    const bank = [...presetKernels('sobel'), ...presetKernels('gaussian'), ...tutorialKernels(), randomKernel(3, 3, 99)];
    const maps = convolveBank(input, bank);
    bank.forEach((kernel, i) => {
      const oneDnn = (kernel.width > 3 && kernel.height > 3) || 40 * 30 > 20480;
      assertBitsEqual(maps[i].data, scalar(input, kernel, oneDnn), `${kernel.name}`);
    });
  });

  it('outputs narrower than 4 pixels fall back to the scalar loop', () => {
    const input = grayMap(6, 5, 3);
    const [map] = convolveBank(input, [tutorialKernels()[0]]);
    assert.equal(map.width, 3);
    assertBitsEqual(map.data, scalar(input, tutorialKernels()[0], true), 'narrow');
  });
});

describe('productsExact', () => {
  it('is true for 0 and ±2^k weights, false otherwise', () => {
    assert.equal(productsExact(tutorialKernels()[0]), true);
    assert.equal(productsExact(presetKernels('gaussian')[0]), true);
    assert.equal(productsExact(presetKernels('sobel')[1]), true);
    assert.equal(productsExact(presetKernels('box')[0]), false);
    assert.equal(productsExact(presetKernels('scharr')[0]), false);
  });
});
