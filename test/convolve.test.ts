import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relu } from '../src/activate.js';
import { convolve, convolveBank, negatedTwins } from '../src/convolve.js';
import { CnnvizError } from '../src/errors.js';
import { toFloatMap } from '../src/gray.js';
import { kernelFromRows, tutorialKernels } from '../src/kernels.js';
import type { FloatMap, Kernel } from '../src/types.js';
import { assertBitsEqual, golden, mapOf, npyMap, prng, readGrayPng, readNpy, rowsOf } from './helpers.js';

const kernel = (rows: number[][], name = 'k'): Kernel => kernelFromRows(name, '', rows);

/**
 * The float32 sum for one channel, written out plainly as the oracle, in row-major order from +0 (no
 * bias here, so both of PyTorch's engines agree): PyTorch's fused multiply-add per tap when `fused`,
 * else REFERENCE.md's recipe with each product rounded first (cnnviz's default).
 */
function plainSum(input: FloatMap, k: Kernel, fused = false): FloatMap {
  const width = input.width - k.width + 1;
  const height = input.height - k.height + 1;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let ky = 0; ky < k.height; ky++) {
        for (let kx = 0; kx < k.width; kx++) {
          const product = k.weights[ky * k.width + kx] * input.data[(y + ky) * input.width + x + kx];
          acc = Math.fround(acc + (fused ? product : Math.fround(product)));
        }
      }
      data[y * width + x] = acc;
    }
  }
  return { width, height, data };
}

describe('convolve: hand-computed cases', () => {
  it('img=3x3 k=1x1 → 3x3 scales every pixel', () => {
    const out = convolve(mapOf([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), kernel([[2]]));
    assert.deepEqual(rowsOf(out), [[2, 4, 6], [8, 10, 12], [14, 16, 18]]);
  });

  it('img=4x2 k=2x1 (asymmetric [-1, 1]) → 3x2 is a forward difference, so the kernel is not flipped', () => {
    const out = convolve(mapOf([[1, 2, 4, 8], [0, 3, 3, 0]]), kernel([[-1, 1]]));
    // A flipped kernel (true convolution) would give the negation: [-1, -2, -4], [-3, 0, 3].
    assert.deepEqual(rowsOf(out), [[1, 2, 4], [3, 0, -3]]);
  });

  it('img=3x4 k=1x2 (asymmetric [[1], [10]]) → 3x3 weighs the lower row by 10', () => {
    const out = convolve(mapOf([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]), kernel([[1], [10]]));
    assert.deepEqual(rowsOf(out), [[41, 52, 63], [74, 85, 96], [17, 18, 19]]);
  });

  it('img=4x4 k=4x4 → 1x1 is the dot product of the whole image with the kernel', () => {
    const img = mapOf([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]);
    const out = convolve(img, tutorialKernels()[0]);
    // -(1+2+5+6+9+10+13+14) + (3+4+7+8+11+12+15+16) = -60 + 76
    assert.deepEqual(rowsOf(out), [[16]]);
  });

  it('img=5x3 k=3x2 → 3x2 with a rectangular asymmetric kernel', () => {
    const img = mapOf([[1, 0, 2, 0, 1], [0, 1, 0, 1, 0], [3, 0, 0, 0, 3]]);
    const out = convolve(img, kernel([[1, 2, 3], [4, 5, 6]]));
    // out[0][0] = (1*1 + 2*0 + 3*2) + (4*0 + 5*1 + 6*0) = 12
    // out[1][2] = (1*0 + 2*1 + 3*0) + (4*0 + 5*0 + 6*3) = 20
    assert.deepEqual(rowsOf(out), [[12, 14, 10], [14, 4, 20]]);
  });

  it('img=9x4 k=4x4 → 6x1, a one-row map', () => {
    const img = mapOf(Array.from({ length: 4 }, () => [0, 0, 0, 0, 1, 1, 1, 1, 1]));
    const out = convolve(img, tutorialKernels()[0]);
    assert.deepEqual(rowsOf(out), [[0, 4, 8, 4, 0, 0]]);
  });

  it('img=3x3 k=4x4 is an error naming both sizes and the kernel', () => {
    assert.throws(
      () => convolve(mapOf([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), tutorialKernels()[0]),
      (err: unknown) =>
        err instanceof CnnvizError &&
        err.kind === 'input' &&
        err.message === "image is 3×3 pixels, smaller than the 4×4 kernel 'vertical-edge'",
    );
  });

  it('rounds each product, then each sum, to float32 in row-major order; exact: once per tap', () => {
    // 0.1 is not exact in float32; the sum of its products depends on order and on float32 rounding.
    const img = mapOf([[0.1, 0.7, 1e-8, 3.3]]);
    const k = kernel([[1e8, 0.3, 1, -1e8]]);
    assertBitsEqual(convolve(img, k).data, plainSum(img, k).data, 'one pixel');
    assertBitsEqual(convolve(img, k, { exact: true }).data, plainSum(img, k, true).data, 'one pixel, exact');
  });
});

describe('convolveBank', () => {
  it("finds the tutorial bank's negated twins", () => {
    assert.deepEqual(negatedTwins(tutorialKernels()), [-1, 0, -1, 2]);
  });

  it('computes a negated kernel by negating its twin, bit-identical to a direct pass', () => {
    const seeded = seededMap(41, 29, 7);
    const bank = tutorialKernels();
    const maps = convolveBank(seeded, bank);
    bank.forEach((k, i) => assertBitsEqual(maps[i].data, plainSum(seeded, k).data, `filter ${i + 1}`));
  });

  it('never produces -0 through negation', () => {
    const flat = mapOf([[0.5, 0.5, 0.5, 0.5, 0.5]].concat(Array.from({ length: 3 }, () => [0.5, 0.5, 0.5, 0.5, 0.5])));
    const maps = convolveBank(flat, tutorialKernels());
    for (const map of maps) for (const v of map.data) assert.ok(Object.is(v, 0), `expected +0, got ${Object.is(v, -0) ? '-0' : v}`);
  });

  it('random kernels on random odd-sized input match the plain sum bit for bit, and the fused sum with exact', () => {
    const input = seededMap(37, 23, 1);
    const bank = [1, 2, 3].map((seed) => kernel(seededRows(seed + 10, 3 + seed, 5 - seed), `r${seed}`));
    convolveBank(input, bank).forEach((map, i) => assertBitsEqual(map.data, plainSum(input, bank[i]).data, `kernel ${i}`));
    convolveBank(input, bank, { exact: true }).forEach((map, i) => assertBitsEqual(map.data, plainSum(input, bank[i], true).data, `exact kernel ${i}`));
  });
});

describe('convolve vs PyTorch goldens (fixtures/golden, made by scripts/make-goldens.py)', () => {
  for (const stem of ['sample', 'strip-9x4', 'flat-8x8']) {
    it(`${stem}: conv and relu are bit-identical to torch.nn.Conv2d(1, 4, 4, bias=False) and F.relu`, () => {
      const gray = toFloatMap(readGrayPng(golden(stem, 'gray.png')));
      assertBitsEqual(gray.data, npyMap(readNpy(golden(stem, 'gray.npy'))).data, `${stem} gray`);
      const conv = readNpy(golden(stem, 'conv.npy'));
      const activated = readNpy(golden(stem, 'relu.npy'));
      const maps = convolveBank(gray, tutorialKernels());
      assert.equal(conv.shape[0], 4);
      maps.forEach((map, i) => {
        const expected = npyMap(conv, i);
        assert.deepEqual([map.width, map.height], [expected.width, expected.height]);
        assertBitsEqual(map.data, expected.data, `${stem} conv ${i + 1}`);
        assertBitsEqual(relu(map).data, npyMap(activated, i).data, `${stem} relu ${i + 1}`);
      });
    });
  }
});

/** A deterministic pseudo-random map in [0, 1] (mulberry32). */
function seededMap(width: number, height: number, seed: number): FloatMap {
  const next = prng(seed);
  return { width, height, data: Float32Array.from({ length: width * height }, () => Math.round(next() * 255) / 255) };
}

function seededRows(seed: number, width: number, height: number): number[][] {
  const next = prng(seed);
  return Array.from({ length: height }, () => Array.from({ length: width }, () => next() * 4 - 2));
}
