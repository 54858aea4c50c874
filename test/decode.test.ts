import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeImage } from '../src/decode.js';
import { CnnvizError } from '../src/errors.js';
import { toGray8 } from '../src/gray.js';
import { assertPixelsEqual, fixture, golden, readGrayPng } from './helpers.js';

const decodeFixture = (name: string, options = {}) => decodeImage(readFileSync(fixture(name)), { name, ...options });

describe('decode + gray vs cv2.imread + cvtColor goldens', () => {
  const cases: [string, string][] = [
    ['sample.png', 'sample'],
    ['sample.jpg', 'sample-jpg'],
    ['gray8.png', 'gray8'],
    ['gray1.png', 'gray1'],
    ['gray16.png', 'gray16'],
    ['rgb16.png', 'rgb16'],
    ['gray-alpha.png', 'gray-alpha'],
    ['rgba.png', 'rgba'],
    ['palette.png', 'palette'],
    ['exif6.jpg', 'exif6'],
    ['strip-9x4.png', 'strip-9x4'],
    ['flat-8x8.png', 'flat-8x8'],
    ['sample.webp', 'sample-webp'],
    ['sample.tif', 'sample-tif'],
    ['rgb16.tif', 'rgb16-tif'],
    ['gray16.tif', 'gray16-tif'],
    ['multipage.tif', 'multipage-tif'],
    // OpenCV 4.6 has no GIF reader: this golden is PIL's first frame through OpenCV's gray formula.
    ['anim.gif', 'anim-gif'],
  ];
  for (const [file, stem] of cases) {
    it(`${file}: 8-bit gray identical to OpenCV's`, async () => {
      const image = await decodeFixture(file);
      assertPixelsEqual(toGray8(image), readGrayPng(golden(stem, 'gray.png')), file);
    });
  }
});

describe('decode: what it reports about the source', () => {
  it('anim.gif and multipage.tif: the first frame or page is used, and the page count reported', async () => {
    assert.equal((await decodeFixture('anim.gif')).source.pages, 2);
    const tiff = await decodeFixture('multipage.tif');
    assert.deepEqual([tiff.width, tiff.height, tiff.source.pages], [96, 64, 2]);
  });

  it('AVIF decodes (lossless AVIF made from the sample gives back its pixels)', async () => {
    const sharp = (await import('sharp')).default;
    const avif = await sharp(readFileSync(fixture('sample.png'))).avif({ lossless: true }).toBuffer();
    const image = await decodeImage(avif, { name: 'sample.avif' });
    assert.equal(image.source.format, 'heif');
    assertPixelsEqual(toGray8(image), readGrayPng(golden('sample', 'gray.png')), 'sample.avif');
  });

  it('exif6.jpg is stored 213x320 with orientation 6 and comes back upright 320x213', async () => {
    const image = await decodeFixture('exif6.jpg');
    assert.deepEqual([image.width, image.height], [320, 213]);
    assert.deepEqual([image.source.storedWidth, image.source.storedHeight, image.source.orientation], [213, 320, 6]);
  });

  it('rgba.png: alpha dropped by default, flattened with a background', async () => {
    const dropped = await decodeFixture('rgba.png');
    assert.equal(dropped.source.alpha, 'dropped');
    assert.equal(dropped.channels, 3);
    const flat = await decodeFixture('rgba.png', { background: [255, 0, 255] });
    assert.equal(flat.source.alpha, 'flattened');
    assert.deepEqual(flat.source.background, [255, 0, 255]);
    assert.notDeepEqual(flat.data, dropped.data);
  });

  it('flattening puts fully transparent pixels on the background colour and keeps opaque ones', async () => {
    const sharp = (await import('sharp')).default;
    // 2x1 RGBA: an opaque red pixel and a fully transparent green one.
    const png = await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 0]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const flat = await decodeImage(png, { background: [0, 0, 255] });
    assert.deepEqual(Array.from(flat.data), [255, 0, 0, 0, 0, 255]);
    const dropped = await decodeImage(png);
    assert.deepEqual(Array.from(dropped.data), [255, 0, 0, 0, 255, 0]);
  });

  it('sample.png has no alpha and 8-bit depth; rgb16.png reports 16-bit', async () => {
    const sample = await decodeFixture('sample.png');
    assert.deepEqual([sample.source.alpha, sample.source.bitDepth, sample.source.format], ['none', 8, 'png']);
    assert.equal((await decodeFixture('rgb16.png')).source.bitDepth, 16);
  });
});

describe('decode: bad input is one clear error', () => {
  const rejects = async (file: string, pattern: RegExp, options = {}) => {
    await assert.rejects(decodeFixture(file, options), (err: unknown) => {
      assert.ok(err instanceof CnnvizError, `expected CnnvizError, got ${String(err)}`);
      assert.equal(err.kind, 'input');
      assert.equal(err.subject, file);
      assert.match(err.message, pattern);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  };
  it('empty file', () => rejects('empty.png', /^input is empty \(0 bytes\)$/));
  it('text file', () => rejects('not-an-image.png', /^not a supported image \(PNG, JPEG, WebP, TIFF, GIF, AVIF\)$/));
  it('truncated PNG', () => rejects('truncated.png', /^image is truncated or corrupt: /));
  it('truncated JPEG (OpenCV would fill it with gray; we refuse)', () => rejects('truncated.jpg', /^image is truncated or corrupt: /));
  it('more pixels than --max-pixels, refused from the header', () =>
    rejects('sample.png', /^image is 320×213 = 68160 pixels, over the limit of 68159 \(--max-pixels\)$/, { maxPixels: 68159 }));
});
