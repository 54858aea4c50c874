import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createArena } from '../src/arena.js';
import { applyGray, COLORMAP_NAMES, GRAY_LUT } from '../src/colormap.js';
import { measureText } from '../src/font.js';
import { tutorialKernels, kernelFromRows } from '../src/kernels.js';
import { mapRange, mapStats, quantize } from '../src/normalize.js';
import { formatWeight, renderFilterTile, renderMapTile, renderMapTiles } from '../src/tiles.js';
import { assertPixelsEqual, golden, mapOf, npyMap, readGrayPng, readNpy } from './helpers.js';

describe("colormap: matplotlib's gray LUT as imsave writes it", () => {
  it('is the identity except for 24 entries one lower (listed in REFERENCE.md)', () => {
    const low = [33, 37, 41, 45, 49, 53, 57, 61, 66, 74, 82, 90, 98, 106, 114, 122, 132, 148, 164, 180, 196, 212, 228, 244];
    for (let i = 0; i < 256; i++) assert.equal(GRAY_LUT[i], low.includes(i) ? i - 1 : i, `LUT[${i}]`);
  });

  it('applyGray maps indices through it', () => {
    assert.deepEqual(Array.from(applyGray(Uint8Array.of(0, 33, 255), 3, 1).data), [0, 32, 255]);
  });
});

describe('normalize', () => {
  it('1x1 and constant maps quantise to index 0 (black), as imsave renders them', () => {
    assert.deepEqual(Array.from(quantize(mapOf([[5]]), { min: 5, max: 5 })), [0]);
    assert.deepEqual(Array.from(quantize(mapOf([[2, 2, 2]]), mapRange(mapOf([[2, 2, 2]])))), [0, 0, 0]);
  });

  it('4x1 map: min → 0, max → 255, the rest floor(q * 256)', () => {
    const map = mapOf([[-1, 0, 0.5, 1]]);
    // q = 0, 0.5, 0.75, 1 → floor(q*256) = 0, 128, 192, 256→255
    assert.deepEqual(Array.from(quantize(map, mapRange(map))), [0, 128, 192, 255]);
  });

  it('values outside an explicit range clamp to the end indices', () => {
    assert.deepEqual(Array.from(quantize(mapOf([[-5, 0.5, 9]]), { min: 0, max: 1 })), [0, 128, 255]);
  });

  it('mapRange loops instead of spreading (no stack overflow on 10^6 values)', () => {
    const data = new Float32Array(1_000_000);
    data[777] = -3;
    data[999_999] = 8;
    assert.deepEqual(mapRange({ width: 1000, height: 1000, data }), { min: -3, max: 8 });
  });

  it('mapStats: 2x2 map with one zero', () => {
    assert.deepEqual(mapStats(mapOf([[0, 1], [2, 5]])), { min: 0, max: 5, mean: 2, zeroFraction: 0.25 });
  });
});

describe('renderMapTile vs matplotlib imsave goldens', () => {
  const cases = readdirSync(golden('render-random')).filter((f) => f.endsWith('.npy'));
  it('has the render goldens', () => assert.ok(cases.length >= 5, `found ${cases.length}`));
  for (const file of cases) {
    const name = file.replace(/\.npy$/, '');
    it(`${name}: pixel-identical to plt.imsave(cmap='gray')`, () => {
      const tile = renderMapTile(npyMap(readNpy(golden('render-random', file))));
      assertPixelsEqual(tile.image, readGrayPng(golden('render-random', `${name}.png`)), name);
    });
  }

  for (const stem of ['sample', 'strip-9x4', 'flat-8x8']) {
    it(`${stem}: input, conv and relu tiles are pixel-identical to imsave of the reference's own maps`, () => {
      assertPixelsEqual(renderMapTile(npyMap(readNpy(golden(stem, 'gray.npy')))).image, readGrayPng(golden(stem, 'input.png')), `${stem} input`);
      for (const kind of ['conv', 'relu']) {
        const maps = readNpy(golden(stem, `${kind}.npy`));
        for (let i = 0; i < 4; i++) {
          const tile = renderMapTile(npyMap(maps, i));
          assertPixelsEqual(tile.image, readGrayPng(golden(stem, `${kind}-${i + 1}.png`)), `${stem} ${kind}-${i + 1}`);
        }
      }
    });
  }
});

describe('renderMapTiles: every view of a map in one pass', () => {
  it('draws exactly the tiles renderMapTile draws one by one, for every colormap, odd sizes and a constant view', () => {
    for (const [width, height] of [[1, 1], [5, 3], [17, 2], [33, 9]]) {
      const data = Float32Array.from({ length: width * height }, (_, i) => Math.fround(Math.sin(i * 1.7 + width) * 0.8));
      const map = { width, height, data };
      const looks = [
        { transform: 'none' as const, range: { min: -0.8, max: 0.8 } },
        { transform: 'relu' as const, range: { min: 0, max: 0.5 } },
        { transform: 'negate' as const, range: { min: -0.3, max: 0.9 } },
        { transform: 'negate-relu' as const, range: { min: 0.25, max: 0.25 } },
        { transform: 'relu' as const, range: { min: -1, max: 1 } },
      ];
      for (const colormap of COLORMAP_NAMES) {
        const arena = createArena(width * height * 40 + 4096);
        const together = renderMapTiles(map, looks, colormap, arena);
        looks.forEach((look, k) => {
          const alone = renderMapTile(map, look.range, colormap, { transform: look.transform });
          assert.deepEqual(together[k].image, alone.image, `${width}x${height} ${colormap} view ${k}`);
          assert.deepEqual(together[k].range, look.range);
        });
      }
    }
  });
});

describe('renderFilterTile', () => {
  it('4x4 tutorial filter → 160x160: -1 cells black with white text, 1 cells white with black text', () => {
    const { image, range } = renderFilterTile(tutorialKernels()[0]);
    assert.deepEqual([image.width, image.height], [160, 160]);
    assert.deepEqual(range, { min: -1, max: 1 });
    // Cell corners carry the shade; the text sits in the middle of the cell.
    assert.equal(image.data[1 * 160 + 1], 0, 'top-left cell (-1) is black');
    assert.equal(image.data[1 * 160 + 121], 255, 'top-right cell (1) is white');
    const inkIn = (cx: number, cy: number, value: number): number => {
      let count = 0;
      for (let y = cy * 40; y < cy * 40 + 40; y++) for (let x = cx * 40; x < cx * 40 + 40; x++) if (image.data[y * 160 + x] === value) count++;
      return count;
    };
    assert.ok(inkIn(0, 0, 255) > 20, 'white text in a -1 cell');
    assert.ok(inkIn(3, 3, 0) > 10, 'black text in a 1 cell');
  });

  it('cells grow to fit long labels', () => {
    const { image } = renderFilterTile(kernelFromRows('thirds', '', [[1 / 3, -1 / 3]]));
    const cell = measureText('-0.333', 2).width + 12;
    assert.deepEqual([image.width, image.height], [2 * cell, cell]);
  });

  it('a constant kernel still shows its text (outlined): black cells, black text, white outline', () => {
    const { image } = renderFilterTile(kernelFromRows('box', '', [[0.25, 0.25], [0.25, 0.25]]));
    assert.ok(image.data.includes(255), 'outline pixels present');
  });
});

describe('formatWeight', () => {
  const cases: [number, string][] = [
    [-1, '-1'],
    [1, '1'],
    [0, '0'],
    [-0, '0'],
    [Math.fround(0.1), '0.1'],
    [0.125, '0.125'],
    [1 / 3, '0.333'],
    [-2.5e-3, '-0.0025'],
    [-2.5e-4, '-2.5e-4'],
    [0.001, '0.001'],
    [1e6, '1e6'],
    [1.2345e-4, '1.2e-4'],
    [123456.7, '1.2e5'],
  ];
  for (const [value, text] of cases) it(`${value} → '${text}'`, () => assert.equal(formatWeight(value), text));
});
