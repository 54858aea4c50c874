import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { COLORMAP_NAMES, colormapTable, GRAY_LUT, parseColormap } from '../src/colormap.js';
import { mapRange, stageRanges } from '../src/normalize.js';
import { renderMapTile } from '../src/tiles.js';
import { golden, mapOf, npyMap, readNpy } from './helpers.js';

/** RGB pixels of a PNG written by matplotlib (RGBA, opaque). */
function readRgb(path: string): Uint8Array {
  const png = PNG.sync.read(readFileSync(path));
  const out = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    assert.equal(png.data[4 * i + 3], 255, `${path}: pixel ${i} not opaque`);
    out.set(png.data.subarray(4 * i, 4 * i + 3), 3 * i);
  }
  return out;
}

/** Largest per-channel difference between two RGB buffers. */
function largestDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('colormaps vs matplotlib imsave', () => {
  const map = npyMap(readNpy(golden('render-random', 'map-random.npy')));
  it('knows the ten colormaps the README lists, case-insensitively', () => {
    assert.deepEqual(COLORMAP_NAMES, ['gray', 'viridis', 'magma', 'inferno', 'plasma', 'cividis', 'RdBu', 'bwr', 'seismic', 'coolwarm']);
    assert.equal(parseColormap('VIRIDIS'), 'viridis');
  });

  it("the generated gray table equals the LUT computed from matplotlib's arithmetic", () => {
    const table = colormapTable('gray');
    for (let i = 0; i < 256; i++) assert.deepEqual(Array.from(table.subarray(3 * i, 3 * i + 3)), [GRAY_LUT[i], GRAY_LUT[i], GRAY_LUT[i]], `entry ${i}`);
  });

  for (const name of COLORMAP_NAMES) {
    it(`${name}: tile pixels equal plt.imsave(map, cmap='${name}') (within 1 level; exact in practice)`, () => {
      const tile = renderMapTile(map, mapRange(map), name).image;
      const rgb = tile.channels === 3 ? tile.data : Uint8Array.from(Array.from(tile.data).flatMap((v) => [v, v, v]));
      const expected = readRgb(golden('colormaps', `${name}.png`));
      const worst = largestDifference(rgb, expected);
      assert.ok(worst <= 1, `largest difference ${worst}`);
      assert.equal(worst, 0, 'expected an exact match with the tables generated from matplotlib');
    });
  }

  const ranges = JSON.parse(readFileSync(golden('colormaps', 'ranges.json'), 'utf8')) as Record<string, [number, number]>;
  for (const [name, [min, max]] of Object.entries(ranges)) {
    it(`explicit range ${name} [${min}, ${max}]: equals imsave(vmin, vmax), clamping outside values`, () => {
      const tile = renderMapTile(map, { min, max }, 'gray').image;
      const expected = readRgb(golden('colormaps', `range-gray-${name}.png`));
      const gray = Uint8Array.from({ length: expected.length / 3 }, (_, i) => expected[3 * i]);
      assert.deepEqual(tile.data, gray);
    });
  }
});

describe('stageRanges', () => {
  const a = mapOf([[-1, 2]]);
  const b = mapOf([[0, 5]]);
  it('per-map: each its own min and max', () => assert.deepEqual(stageRanges([a, b], 'per-map'), [{ min: -1, max: 2 }, { min: 0, max: 5 }]));
  it('shared: one range over the stage', () => assert.deepEqual(stageRanges([a, b], 'shared'), [{ min: -1, max: 5 }, { min: -1, max: 5 }]));
  it('symmetric: ±max|v| per map', () => assert.deepEqual(stageRanges([a, b], 'symmetric'), [{ min: -2, max: 2 }, { min: -5, max: 5 }]));
  it('none: [0, 1]', () => assert.deepEqual(stageRanges([a], 'none'), [{ min: 0, max: 1 }]));
  it('an explicit range wins', () => assert.deepEqual(stageRanges([a], 'per-map', { min: -3, max: 3 }), [{ min: -3, max: 3 }]));
});
