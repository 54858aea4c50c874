import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { GLYPH_HEIGHT } from '../src/font.js';
import { composeGrid, downscaleArea } from '../src/grid.js';
import { render } from '../src/render.js';
import type { Raster } from '../src/types.js';
import { assertPixelsEqual, decodeGrayPng, fixture, readGrayPng } from './helpers.js';

const image = (width: number, height: number, values: number[]): Raster => ({ width, height, channels: 1, data: Uint8Array.from(values) });

describe('downscaleArea', () => {
  it('img=4x2 max=2 → 2x1: each pixel the rounded mean of a 2x2 block', () => {
    const out = downscaleArea(image(4, 2, [0, 10, 100, 101, 20, 30, 200, 200]), 2);
    assert.deepEqual([out.width, out.height, Array.from(out.data)], [2, 1, [15, 150]]);
  });

  it('img=5x1 max=2 → 2x1 (f = 3): the last block is partial and averaged over what it has', () => {
    const out = downscaleArea(image(5, 1, [3, 6, 9, 100, 201]), 2);
    assert.deepEqual([out.width, out.height, Array.from(out.data)], [2, 1, [6, 151]]);
  });

  it('leaves an image that already fits untouched', () => {
    const small = image(2, 2, [1, 2, 3, 4]);
    assert.equal(downscaleArea(small, 2), small);
  });
});

describe('composeGrid', () => {
  it('places each tile under its label, framed, on white', () => {
    const tile = image(3, 2, [0, 0, 0, 0, 0, 0]);
    const grid = composeGrid([{ title: 'Row', tiles: [{ label: 'A', image: tile }, { label: 'B', image: tile }] }], { gap: 16 });
    const text = GLYPH_HEIGHT * 2;
    // width: the title "Row" (34 px) plus two gaps beats two 3-px columns.
    assert.equal(grid.width, 34 + 32);
    assert.equal(grid.height, 16 + text + 16 + text + 6 + 2 + 16);
    assert.equal(grid.data[0], 255, 'white background');
  });

  it('wraps rows after `columns` tiles', () => {
    const tile = image(40, 10, new Array(400).fill(0));
    const tiles = Array.from({ length: 5 }, (_, i) => ({ label: `${i}`, image: tile }));
    const one = composeGrid([{ title: '', tiles }], { columns: 8 });
    const two = composeGrid([{ title: '', tiles }], { columns: 3 });
    assert.ok(two.height > one.height && two.width < one.width);
  });

  it('shows large tiles reduced to the size limit', () => {
    const big = image(1200, 10, new Array(12000).fill(0));
    const grid = composeGrid([{ title: '', tiles: [{ label: '', image: big }] }], { maxTileSide: 300, gap: 10 });
    assert.equal(grid.width, 300 + 20);
  });
});

describe('grid.png snapshot of the bundled sample (shown in the README; UPDATE=1 rewrites it)', () => {
  it('is pixel-identical to fixtures/snapshots/sample-grid.png', async () => {
    const path = fixture('snapshots', 'sample-grid.png');
    const result = await render(readFileSync(fixture('sample.png')), { inputName: 'sample.png' });
    const grid = decodeGrayPng(result.files.find((f) => f.name === 'grid.png')!.bytes);
    if (process.env.UPDATE === '1') {
      mkdirSync(dirname(path), { recursive: true });
      const png = new PNG({ width: grid.width, height: grid.height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
      png.data = Buffer.from(grid.data);
      writeFileSync(path, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
    }
    assertPixelsEqual(grid, readGrayPng(path), 'grid.png');
  });
});
