import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  ADVANCE,
  BASELINE,
  GLYPH_HEIGHT,
  GLYPH_WIDTH,
  drawText,
  measureText,
  type GrayImage,
} from '../src/font.js';

/** Every character the font claims to support, in table order. */
const SUPPORTED: readonly string[] = [
  ...Array.from({ length: 126 - 32 + 1 }, (_, i) => String.fromCharCode(32 + i)),
  '\u2212',
  '\u00D7',
  '\u2026',
  '\u00B5',
];

/** The only characters allowed to put ink below the baseline. */
const DESCENDERS: readonly string[] = ['g', 'j', 'p', 'q', 'y', '\u00B5', ',', ';'];

function blank(width: number, height: number, fill = 0): GrayImage {
  return { width, height, data: new Uint8Array(width * height).fill(fill) };
}

/** Renders one character at scale 1 into a bare cell and returns it as '#'/'.' rows. */
function glyphRows(char: string): string[] {
  const image = blank(GLYPH_WIDTH, GLYPH_HEIGHT);
  drawText(image, char, 0, 0, 255, 1);
  return toRows(image);
}

function toRows(image: GrayImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) row += image.data[y * image.width + x] === 0 ? '.' : '#';
    rows.push(row);
  }
  return rows;
}

function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(char)}`;
}

describe('font constants', () => {
  it('advance is the glyph width plus one pixel of spacing', () => {
    assert.equal(GLYPH_WIDTH, 5);
    assert.equal(ADVANCE, GLYPH_WIDTH + 1);
  });

  it('the cell is a 7-row body down to the baseline plus 2 descender rows', () => {
    assert.equal(BASELINE, 7);
    assert.equal(GLYPH_HEIGHT, 9);
    assert.equal(GLYPH_HEIGHT, BASELINE + 2);
  });
});

describe('measureText', () => {
  it('at scale 1 is 6 px per character minus the trailing space, 9 px tall', () => {
    assert.deepEqual(measureText('A', 1), { width: 5, height: 9 });
    assert.deepEqual(measureText('-0.125', 1), { width: 35, height: 9 });
  });

  it('at scale 3 multiplies both dimensions by 3', () => {
    assert.deepEqual(measureText('A', 3), { width: 15, height: 27 });
    assert.deepEqual(measureText('-0.125', 3), { width: 105, height: 27 });
  });

  it('gives width 0 but a full line height for the empty string', () => {
    assert.deepEqual(measureText('', 1), { width: 0, height: 9 });
    assert.deepEqual(measureText('', 3), { width: 0, height: 27 });
  });

  it('reports the same height with or without descenders in the text', () => {
    assert.equal(measureText('jumpy', 2).height, measureText('HELLO', 2).height);
    assert.equal(measureText('jumpy', 2).height, GLYPH_HEIGHT * 2);
  });

  it('counts a surrogate pair as one character, matching what drawText draws', () => {
    assert.deepEqual(measureText('a\u{1F600}b', 1), measureText('a?b', 1));
  });

  it('rejects a scale that is not an integer in 1..16', () => {
    for (const scale of [0, 17, 1.5, -1, Number.NaN]) {
      assert.throws(() => measureText('x', scale), RangeError, `scale ${scale}`);
    }
    assert.doesNotThrow(() => measureText('x', 16));
  });
});

describe('drawText', () => {
  it("draws 'I' at scale 1 as exactly the expected pixels, offset by (x, y)", () => {
    const image = blank(8, 12);
    drawText(image, 'I', 2, 1, 255, 1);
    assert.deepEqual(toRows(image), [
      '........',
      '...###..',
      '....#...',
      '....#...',
      '....#...',
      '....#...',
      '....#...',
      '...###..',
      '........',
      '........',
      '........',
      '........',
    ]);
  });

  it("draws 'p' with its bowl on the x-height and its stem below the baseline", () => {
    const image = blank(7, 11);
    drawText(image, 'p', 1, 1, 255, 1);
    assert.deepEqual(toRows(image), [
      '.......',
      '.......',
      '.......',
      '.#.##..',
      '.##..#.',
      '.#...#.',
      '.#...#.',
      '.####..', // baseline: image row y + BASELINE - 1
      '.#.....',
      '.#.....',
      '.......',
    ]);
  });

  it('writes exactly `value` for ink and leaves background pixels untouched', () => {
    const image = blank(5, 9, 100);
    drawText(image, 'I', 0, 0, 7, 1);
    assert.deepEqual(new Set(image.data), new Set([100, 7]));
  });

  it('places consecutive characters ADVANCE * scale apart', () => {
    const pair = blank(11, GLYPH_HEIGHT);
    drawText(pair, 'II', 0, 0, 255, 1);
    const single = blank(11, GLYPH_HEIGHT);
    drawText(single, 'I', 0, 0, 255, 1);
    drawText(single, 'I', ADVANCE, 0, 255, 1);
    assert.deepEqual(pair.data, single.data);
  });

  it('at scale 2 turns every font pixel into a 2×2 block', () => {
    const text = '-2.5e-3 gjpqy\u00B5,;';
    const one = blank(measureText(text, 1).width, GLYPH_HEIGHT);
    drawText(one, text, 0, 0, 255, 1);
    const { width, height } = measureText(text, 2);
    const two = blank(width, height);
    drawText(two, text, 0, 0, 255, 2);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        assert.equal(
          two.data[y * width + x],
          one.data[(y >> 1) * one.width + (x >> 1)],
          `pixel (${x}, ${y})`,
        );
      }
    }
  });

  it('stays inside the box reported by measureText', () => {
    const text = SUPPORTED.join('');
    const { width, height } = measureText(text, 2);
    const pad = 3;
    const image = blank(width + 2 * pad, height + 2 * pad);
    drawText(image, text, pad, pad, 255, 2);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const inside = x >= pad && x < pad + width && y >= pad && y < pad + height;
        if (!inside) assert.equal(image.data[y * image.width + x], 0, `pixel (${x}, ${y})`);
      }
    }
  });

  it('clips at every edge: matches an unclipped rendering and writes nothing outside', () => {
    const text = 'W0@gy';
    const scale = 2;
    const { width: textWidth, height: textHeight } = measureText(text, scale);

    // Reference: the same text drawn with generous margins, never clipped.
    const margin = 40;
    const reference = blank(textWidth + 2 * margin, textHeight + 2 * margin);
    drawText(reference, text, margin, margin, 255, scale);

    const width = 13;
    const height = 9;
    const guard = 16;
    const positions = [-textWidth - 5, -textWidth, -textWidth + 1, -7, -1, 0, 3, width - 1, width, width + 9];
    const rows = [-textHeight - 3, -textHeight, -textHeight + 1, -15, -5, -1, 0, 2, height - 1, height, height + 4];
    for (const x of positions) {
      for (const y of rows) {
        // The image is a window into a larger buffer so that any write past
        // either end of `data` would show up in the guard bytes.
        const backing = new Uint8Array(guard + width * height + guard).fill(9);
        const data = backing.subarray(guard, guard + width * height).fill(0);
        const image: GrayImage = { width, height, data };
        assert.doesNotThrow(() => drawText(image, text, x, y, 255, scale), `at (${x}, ${y})`);
        for (let i = 0; i < guard; i++) {
          assert.equal(backing[i], 9, `guard before data at (${x}, ${y})`);
          assert.equal(backing[guard + width * height + i], 9, `guard after data at (${x}, ${y})`);
        }
        // Each visible pixel must be the one the unclipped rendering has at
        // that position; a wrapped row or column would break this.
        for (let py = 0; py < height; py++) {
          for (let px = 0; px < width; px++) {
            const rx = px - x + margin;
            const ry = py - y + margin;
            const expected =
              rx >= 0 && rx < reference.width && ry >= 0 && ry < reference.height
                ? reference.data[ry * reference.width + rx]
                : 0;
            assert.equal(data[py * width + px], expected, `pixel (${px}, ${py}) with text at (${x}, ${y})`);
          }
        }
      }
    }
  });

  it('accepts an empty image and empty text without throwing', () => {
    assert.doesNotThrow(() => drawText(blank(0, 0), 'abc', 0, 0, 255, 1));
    const image = blank(4, 4);
    drawText(image, '', 0, 0, 255, 3);
    assert.ok(image.data.every((v) => v === 0));
  });

  it("renders an unknown character exactly like '?'", () => {
    const question = glyphRows('?');
    for (const unknown of ['\n', '\t', '\u00E9', '\u03B1', '\u{1F600}', '\u007F']) {
      assert.deepEqual(glyphRows(unknown), question, codePointName(unknown));
    }
  });

  it("draws a surrogate pair as a single '?'", () => {
    const a = blank(measureText('x\u{1F600}y', 1).width, GLYPH_HEIGHT);
    drawText(a, 'x\u{1F600}y', 0, 0, 255, 1);
    const b = blank(a.width, GLYPH_HEIGHT);
    drawText(b, 'x?y', 0, 0, 255, 1);
    assert.deepEqual(a.data, b.data);
  });

  it('rejects invalid scale, value, position and image shape with RangeError', () => {
    const image = blank(10, 10);
    assert.throws(() => drawText(image, 'a', 0, 0, 255, 0), RangeError);
    assert.throws(() => drawText(image, 'a', 0, 0, 255, 17), RangeError);
    assert.throws(() => drawText(image, 'a', 0, 0, 255, 2.5), RangeError);
    assert.throws(() => drawText(image, 'a', 0, 0, 256, 1), RangeError);
    assert.throws(() => drawText(image, 'a', 0, 0, -1, 1), RangeError);
    assert.throws(() => drawText(image, 'a', 0, 0, 0.5, 1), RangeError);
    assert.throws(() => drawText(image, 'a', 0.5, 0, 255, 1), RangeError);
    assert.throws(() => drawText(image, 'a', 0, Number.NaN, 255, 1), RangeError);
    assert.throws(
      () => drawText({ width: 10, height: 10, data: new Uint8Array(99) }, 'a', 0, 0, 255, 1),
      RangeError,
    );
  });
});

describe('glyph set', () => {
  it('gives every supported character except space a non-empty glyph', () => {
    for (const char of SUPPORTED) {
      const ink = glyphRows(char).join('').split('#').length - 1;
      if (char === ' ') assert.equal(ink, 0, 'space must be blank');
      else assert.ok(ink > 0, `${codePointName(char)} has no ink`);
    }
  });

  it("has a real glyph for every supported character, not the '?' fallback", () => {
    const question = glyphRows('?').join('\n');
    for (const char of SUPPORTED) {
      if (char === '?') continue;
      assert.notEqual(glyphRows(char).join('\n'), question, codePointName(char));
    }
  });

  it('has no two identical bitmaps among 0-9, A-Z and a-z', () => {
    const alphanumerics = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const seen = new Map<string, string>();
    for (const char of alphanumerics) {
      const key = glyphRows(char).join('\n');
      const previous = seen.get(key);
      assert.equal(previous, undefined, `${JSON.stringify(char)} looks exactly like ${JSON.stringify(previous)}`);
      seen.set(key, char);
    }
  });

  it('has no two identical bitmaps anywhere in the set, except the minus-sign alias', () => {
    const seen = new Map<string, string>();
    for (const char of SUPPORTED) {
      if (char === '\u2212') continue;
      const key = glyphRows(char).join('\n');
      const previous = seen.get(key);
      assert.equal(previous, undefined, `${codePointName(char)} looks exactly like ${JSON.stringify(previous)}`);
      seen.set(key, char);
    }
  });

  it("draws U+2212 MINUS SIGN exactly like '-'", () => {
    assert.deepEqual(glyphRows('\u2212'), glyphRows('-'));
    assert.deepEqual(glyphRows('-'), [
      '.....',
      '.....',
      '.....',
      '#####',
      '.....',
      '.....',
      '.....',
      '.....',
      '.....',
    ]);
  });

  it('puts ink below the baseline for exactly g, j, p, q, y, µ, comma and semicolon', () => {
    for (const char of SUPPORTED) {
      const below = glyphRows(char).slice(BASELINE).join('');
      if (DESCENDERS.includes(char)) assert.match(below, /#/, `${codePointName(char)} has no descender`);
      else assert.equal(below, '.'.repeat((GLYPH_HEIGHT - BASELINE) * GLYPH_WIDTH), codePointName(char));
    }
  });

  it('sits every glyph without a descender on the baseline row or above it', () => {
    // Letters and digits touch the baseline; punctuation may float above it.
    for (const char of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefhiklmnorstuvwxz') {
      assert.match(glyphRows(char)[BASELINE - 1] ?? '', /#/, `${codePointName(char)} does not reach the baseline`);
    }
  });

  it('draws the descender letters at the x-height of o, not raised like capitals', () => {
    const xHeightTop = glyphRows('o').findIndex((row) => row.includes('#'));
    assert.equal(xHeightTop, 2);
    for (const char of ['g', 'p', 'q', 'y', '\u00B5']) {
      const rows = glyphRows(char);
      assert.equal(rows.findIndex((row) => row.includes('#')), xHeightTop, codePointName(char));
      assert.match(rows[GLYPH_HEIGHT - 1] ?? '', /#/, `${codePointName(char)} descender stops short`);
    }
    // j has its dot on row 0 like i, then a gap, then its stem from the x-height down.
    const j = glyphRows('j');
    const i = glyphRows('i');
    for (const rows of [i, j]) {
      assert.match(rows[0] ?? '', /#/);
      assert.equal(rows[1], '.....');
      assert.match(rows[xHeightTop] ?? '', /#/);
    }
    assert.match(j[GLYPH_HEIGHT - 1] ?? '', /#/, 'j descender stops short');
  });

  it('tells lowercase p and y apart from capitals P and Y by their top rows', () => {
    for (const [lower, upper] of [['p', 'P'], ['y', 'Y']] as const) {
      const top = glyphRows(lower).slice(0, 2).join('');
      assert.equal(top, '.'.repeat(2 * GLYPH_WIDTH), `${lower} must be blank above the x-height`);
      assert.match(glyphRows(upper).slice(0, 2).join(''), /#/, upper);
    }
  });

  it('never draws ink outside the 5×9 cell, so ADVANCE always leaves a 1 px gap', () => {
    for (const char of SUPPORTED) {
      const image = blank(GLYPH_WIDTH + 4, GLYPH_HEIGHT + 4);
      drawText(image, char, 2, 2, 255, 1);
      const rows = toRows(image);
      for (let y = 0; y < rows.length; y++) {
        for (let x = 0; x < (rows[y] ?? '').length; x++) {
          const inCell = x >= 2 && x < 2 + GLYPH_WIDTH && y >= 2 && y < 2 + GLYPH_HEIGHT;
          if (!inCell) assert.equal(rows[y]?.[x], '.', `${codePointName(char)} at (${x}, ${y})`);
        }
      }
    }
  });
});
