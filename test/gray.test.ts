import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { luma, toFloatMap, toGray8 } from '../src/gray.js';
import { golden } from './helpers.js';

describe('gray: OpenCV COLOR_BGR2GRAY on 8-bit colours', () => {
  it('is bit-identical to cv2.cvtColor for all 16,777,216 colours (sha256 of OpenCV\'s output)', () => {
    const expected = JSON.parse(readFileSync(golden('all-colours.json'), 'utf8')) as { sha256: string; samples: number[][] };
    const rgb = new Uint8Array(256 * 256 * 256 * 3);
    for (let i = 0, j = 0; i < 1 << 24; i++, j += 3) {
      rgb[j] = i >> 16;
      rgb[j + 1] = (i >> 8) & 255;
      rgb[j + 2] = i & 255;
    }
    const gray = toGray8({ width: 4096, height: 4096, channels: 3, data: rgb });
    assert.equal(createHash('sha256').update(gray.data).digest('hex'), expected.sha256);
    for (const [r, g, b, y] of expected.samples) assert.equal(luma(r, g, b), y, `luma(${r}, ${g}, ${b})`);
  });

  it('1x3 colours: pure red, green and blue give 76, 150 and 29', () => {
    const gray = toGray8({ width: 3, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255) });
    assert.deepEqual(Array.from(gray.data), [76, 150, 29]);
  });

  it('a 1-channel image is already gray and is copied unchanged', () => {
    const data = Uint8Array.of(0, 17, 255);
    const gray = toGray8({ width: 3, height: 1, channels: 1, data });
    assert.deepEqual(Array.from(gray.data), [0, 17, 255]);
    assert.notEqual(gray.data, data);
  });

  it('floats are float32(Y / 255), not Y times a float32 reciprocal (they differ for 126 values)', () => {
    const all = toFloatMap({ width: 256, height: 1, data: Uint8Array.from({ length: 256 }, (_, i) => i) });
    const reciprocal = Math.fround(1 / 255);
    let differ = 0;
    for (let y = 0; y < 256; y++) {
      assert.equal(all.data[y], Math.fround(y / 255), `Y = ${y}`);
      if (all.data[y] !== Math.fround(y * reciprocal)) differ++;
    }
    assert.equal(differ, 126);
    assert.equal(all.data[255], 1);
  });
});
