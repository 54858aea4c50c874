/**
 * A bundled 5×7 dot-matrix bitmap font with descenders, so that text rendered
 * into our PNGs is pixel-identical on every machine: no system fonts, no
 * hinting, no antialiasing.
 *
 * The glyphs were drawn for this project. Each is a 5-column × 9-row cell
 * (rows numbered 0..8 from the top): rows 0..6 are the body, row 6 being the
 * baseline on which capitals, digits and most lowercase letters stand, so they
 * are 7 rows tall; lowercase letters use rows 2..6 as their x-height. Rows 7
 * and 8 lie below the baseline and hold only the descenders of g, j, p, q, y,
 * µ, ',' and ';'; every other glyph leaves them empty.
 *
 * @module
 */

import type { GrayImage } from './types.js';

export type { GrayImage };

/**
 * Width in font pixels (before scaling) of one glyph cell of the bundled font.
 *
 * @example
 * ```ts
 * const inkWidth = GLYPH_WIDTH * scale; // width of a single character at `scale`
 * ```
 */
export const GLYPH_WIDTH = 5;

/**
 * Height in font pixels (before scaling) of one glyph cell of the bundled font,
 * descenders included; also the height of any line of text, as reported by
 * {@link measureText}. Equals {@link BASELINE} plus the 2 descender rows.
 *
 * @example
 * ```ts
 * const lineHeight = GLYPH_HEIGHT * scale + gap;
 * ```
 */
export const GLYPH_HEIGHT = 9;

/**
 * Number of font-pixel rows (before scaling) from the top of a glyph cell down
 * to and including the baseline row; equivalently, the height of a capital
 * letter or digit, and the 0-based index of the first row below the baseline.
 *
 * The baseline row is row `BASELINE - 1` (= 6, 0-based): the bottom row of ink
 * of every glyph without a descender. Rows `BASELINE .. GLYPH_HEIGHT - 1`
 * (7 and 8) hold only descenders. For text drawn by {@link drawText} at
 * (`x`, `y`) and `scale`, non-descending ink therefore ends at image row
 * `y + BASELINE * scale - 1`, and descenders occupy image rows
 * `y + BASELINE * scale` to `y + GLYPH_HEIGHT * scale - 1`.
 *
 * @example
 * ```ts
 * // Put the baseline of the text on the bottom of image row `baselineY`:
 * drawText(image, 'jumpy', x, baselineY - BASELINE * scale + 1, 255, scale);
 * ```
 */
export const BASELINE = 7;

/**
 * Horizontal advance in font pixels (before scaling) from one character to the
 * next: the glyph width plus 1 px of spacing.
 *
 * @example
 * ```ts
 * const thirdCharX = x + 2 * ADVANCE * scale;
 * ```
 */
export const ADVANCE = 6;

/** Smallest and largest integer scale accepted; 16× already gives 112 px tall capitals (144 px cells). */
const MIN_SCALE = 1;
const MAX_SCALE = 16;

/**
 * Glyph bitmaps: 9 rows of 5 columns, `#` ink and `.` background; the 7th row
 * (index `BASELINE - 1`) is the baseline and the last 2 rows are the descender
 * area, blank except in g, j, p, q, y, µ, ',' and ';'. Kept as strings so the
 * design can be read and reviewed in the source; they are packed into
 * {@link GLYPH_ROWS} once at module load.
 *
 * U+2212 (minus sign) is deliberately absent: it is an alias of '-' (see
 * {@link glyphIndex}) so that the two can never drift apart.
 */
const GLYPH_SOURCE: Readonly<Record<string, readonly string[]>> = {
  ' ': [
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '!': [
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.....',
    '..#..',
    '.....',
    '.....',
  ],
  '"': [
    '.#.#.',
    '.#.#.',
    '.#.#.',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '#': [
    '.#.#.',
    '.#.#.',
    '#####',
    '.#.#.',
    '#####',
    '.#.#.',
    '.#.#.',
    '.....',
    '.....',
  ],
  '$': [
    '..#..',
    '.####',
    '#.#..',
    '.###.',
    '..#.#',
    '####.',
    '..#..',
    '.....',
    '.....',
  ],
  '%': [
    '##...',
    '##..#',
    '...#.',
    '..#..',
    '.#...',
    '#..##',
    '...##',
    '.....',
    '.....',
  ],
  '&': [
    '.##..',
    '#..#.',
    '#.#..',
    '.#...',
    '#.#.#',
    '#..#.',
    '.##.#',
    '.....',
    '.....',
  ],
  "'": [
    '..#..',
    '..#..',
    '..#..',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '(': [
    '...#.',
    '..#..',
    '.#...',
    '.#...',
    '.#...',
    '..#..',
    '...#.',
    '.....',
    '.....',
  ],
  ')': [
    '.#...',
    '..#..',
    '...#.',
    '...#.',
    '...#.',
    '..#..',
    '.#...',
    '.....',
    '.....',
  ],
  '*': [
    '.....',
    '..#..',
    '#.#.#',
    '.###.',
    '#.#.#',
    '..#..',
    '.....',
    '.....',
    '.....',
  ],
  '+': [
    '.....',
    '..#..',
    '..#..',
    '#####',
    '..#..',
    '..#..',
    '.....',
    '.....',
    '.....',
  ],
  ',': [
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.##..',
    '.##..',
    '..#..',
    '.#...',
  ],
  '-': [
    '.....',
    '.....',
    '.....',
    '#####',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '.': [
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.##..',
    '.##..',
    '.....',
    '.....',
  ],
  '/': [
    '....#',
    '....#',
    '...#.',
    '..#..',
    '.#...',
    '#....',
    '#....',
    '.....',
    '.....',
  ],
  '0': [
    '.###.',
    '#...#',
    '#..##',
    '#.#.#',
    '##..#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  '1': [
    '..#..',
    '.##..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.###.',
    '.....',
    '.....',
  ],
  '2': [
    '.###.',
    '#...#',
    '....#',
    '...#.',
    '..#..',
    '.#...',
    '#####',
    '.....',
    '.....',
  ],
  '3': [
    '.###.',
    '#...#',
    '....#',
    '..##.',
    '....#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  '4': [
    '...#.',
    '..##.',
    '.#.#.',
    '#..#.',
    '#####',
    '...#.',
    '...#.',
    '.....',
    '.....',
  ],
  '5': [
    '#####',
    '#....',
    '####.',
    '....#',
    '....#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  '6': [
    '..##.',
    '.#...',
    '#....',
    '####.',
    '#...#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  '7': [
    '#####',
    '....#',
    '...#.',
    '..#..',
    '.#...',
    '.#...',
    '.#...',
    '.....',
    '.....',
  ],
  '8': [
    '.###.',
    '#...#',
    '#...#',
    '.###.',
    '#...#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  '9': [
    '.###.',
    '#...#',
    '#...#',
    '.####',
    '....#',
    '...#.',
    '.##..',
    '.....',
    '.....',
  ],
  ':': [
    '.....',
    '.##..',
    '.##..',
    '.....',
    '.##..',
    '.##..',
    '.....',
    '.....',
    '.....',
  ],
  ';': [
    '.....',
    '.##..',
    '.##..',
    '.....',
    '.##..',
    '.##..',
    '..#..',
    '.#...',
    '.....',
  ],
  '<': [
    '...#.',
    '..#..',
    '.#...',
    '#....',
    '.#...',
    '..#..',
    '...#.',
    '.....',
    '.....',
  ],
  '=': [
    '.....',
    '.....',
    '#####',
    '.....',
    '#####',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '>': [
    '.#...',
    '..#..',
    '...#.',
    '....#',
    '...#.',
    '..#..',
    '.#...',
    '.....',
    '.....',
  ],
  '?': [
    '.###.',
    '#...#',
    '....#',
    '...#.',
    '..#..',
    '.....',
    '..#..',
    '.....',
    '.....',
  ],
  '@': [
    '.###.',
    '#...#',
    '#.###',
    '#.#.#',
    '#.###',
    '#....',
    '.###.',
    '.....',
    '.....',
  ],
  'A': [
    '.###.',
    '#...#',
    '#...#',
    '#####',
    '#...#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'B': [
    '####.',
    '#...#',
    '#...#',
    '####.',
    '#...#',
    '#...#',
    '####.',
    '.....',
    '.....',
  ],
  'C': [
    '.###.',
    '#...#',
    '#....',
    '#....',
    '#....',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  'D': [
    '###..',
    '#..#.',
    '#...#',
    '#...#',
    '#...#',
    '#..#.',
    '###..',
    '.....',
    '.....',
  ],
  'E': [
    '#####',
    '#....',
    '#....',
    '####.',
    '#....',
    '#....',
    '#####',
    '.....',
    '.....',
  ],
  'F': [
    '#####',
    '#....',
    '#....',
    '####.',
    '#....',
    '#....',
    '#....',
    '.....',
    '.....',
  ],
  'G': [
    '.###.',
    '#...#',
    '#....',
    '#.###',
    '#...#',
    '#...#',
    '.####',
    '.....',
    '.....',
  ],
  'H': [
    '#...#',
    '#...#',
    '#...#',
    '#####',
    '#...#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'I': [
    '.###.',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.###.',
    '.....',
    '.....',
  ],
  'J': [
    '..###',
    '...#.',
    '...#.',
    '...#.',
    '...#.',
    '#..#.',
    '.##..',
    '.....',
    '.....',
  ],
  'K': [
    '#...#',
    '#..#.',
    '#.#..',
    '##...',
    '#.#..',
    '#..#.',
    '#...#',
    '.....',
    '.....',
  ],
  'L': [
    '#....',
    '#....',
    '#....',
    '#....',
    '#....',
    '#....',
    '#####',
    '.....',
    '.....',
  ],
  'M': [
    '#...#',
    '##.##',
    '#.#.#',
    '#.#.#',
    '#...#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'N': [
    '#...#',
    '#...#',
    '##..#',
    '#.#.#',
    '#..##',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'O': [
    '.###.',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  'P': [
    '####.',
    '#...#',
    '#...#',
    '####.',
    '#....',
    '#....',
    '#....',
    '.....',
    '.....',
  ],
  'Q': [
    '.###.',
    '#...#',
    '#...#',
    '#...#',
    '#.#.#',
    '#..#.',
    '.##.#',
    '.....',
    '.....',
  ],
  'R': [
    '####.',
    '#...#',
    '#...#',
    '####.',
    '#.#..',
    '#..#.',
    '#...#',
    '.....',
    '.....',
  ],
  'S': [
    '.####',
    '#....',
    '#....',
    '.###.',
    '....#',
    '....#',
    '####.',
    '.....',
    '.....',
  ],
  'T': [
    '#####',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.....',
    '.....',
  ],
  'U': [
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  'V': [
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '.#.#.',
    '..#..',
    '.....',
    '.....',
  ],
  'W': [
    '#...#',
    '#...#',
    '#...#',
    '#.#.#',
    '#.#.#',
    '#.#.#',
    '.#.#.',
    '.....',
    '.....',
  ],
  'X': [
    '#...#',
    '#...#',
    '.#.#.',
    '..#..',
    '.#.#.',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'Y': [
    '#...#',
    '#...#',
    '.#.#.',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.....',
    '.....',
  ],
  'Z': [
    '#####',
    '....#',
    '...#.',
    '..#..',
    '.#...',
    '#....',
    '#####',
    '.....',
    '.....',
  ],
  '[': [
    '.###.',
    '.#...',
    '.#...',
    '.#...',
    '.#...',
    '.#...',
    '.###.',
    '.....',
    '.....',
  ],
  '\\': [
    '#....',
    '#....',
    '.#...',
    '..#..',
    '...#.',
    '....#',
    '....#',
    '.....',
    '.....',
  ],
  ']': [
    '.###.',
    '...#.',
    '...#.',
    '...#.',
    '...#.',
    '...#.',
    '.###.',
    '.....',
    '.....',
  ],
  '^': [
    '..#..',
    '.#.#.',
    '#...#',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '_': [
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '#####',
    '.....',
    '.....',
  ],
  '`': [
    '.#...',
    '..#..',
    '...#.',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  'a': [
    '.....',
    '.....',
    '.###.',
    '....#',
    '.####',
    '#...#',
    '.####',
    '.....',
    '.....',
  ],
  'b': [
    '#....',
    '#....',
    '#.##.',
    '##..#',
    '#...#',
    '#...#',
    '####.',
    '.....',
    '.....',
  ],
  'c': [
    '.....',
    '.....',
    '.###.',
    '#....',
    '#....',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  'd': [
    '....#',
    '....#',
    '.##.#',
    '#..##',
    '#...#',
    '#...#',
    '.####',
    '.....',
    '.....',
  ],
  'e': [
    '.....',
    '.....',
    '.###.',
    '#...#',
    '#####',
    '#....',
    '.###.',
    '.....',
    '.....',
  ],
  'f': [
    '..##.',
    '.#..#',
    '.#...',
    '###..',
    '.#...',
    '.#...',
    '.#...',
    '.....',
    '.....',
  ],
  'g': [
    '.....',
    '.....',
    '.####',
    '#...#',
    '#...#',
    '#...#',
    '.####',
    '....#',
    '.###.',
  ],
  'h': [
    '#....',
    '#....',
    '#.##.',
    '##..#',
    '#...#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'i': [
    '..#..',
    '.....',
    '.##..',
    '..#..',
    '..#..',
    '..#..',
    '.###.',
    '.....',
    '.....',
  ],
  'j': [
    '...#.',
    '.....',
    '..##.',
    '...#.',
    '...#.',
    '...#.',
    '...#.',
    '#..#.',
    '.##..',
  ],
  'k': [
    '#....',
    '#....',
    '#..#.',
    '#.#..',
    '##...',
    '#.#..',
    '#..#.',
    '.....',
    '.....',
  ],
  'l': [
    '.##..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..##.',
    '.....',
    '.....',
  ],
  'm': [
    '.....',
    '.....',
    '##.#.',
    '#.#.#',
    '#.#.#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'n': [
    '.....',
    '.....',
    '#.##.',
    '##..#',
    '#...#',
    '#...#',
    '#...#',
    '.....',
    '.....',
  ],
  'o': [
    '.....',
    '.....',
    '.###.',
    '#...#',
    '#...#',
    '#...#',
    '.###.',
    '.....',
    '.....',
  ],
  'p': [
    '.....',
    '.....',
    '#.##.',
    '##..#',
    '#...#',
    '#...#',
    '####.',
    '#....',
    '#....',
  ],
  'q': [
    '.....',
    '.....',
    '.##.#',
    '#..##',
    '#...#',
    '#...#',
    '.####',
    '....#',
    '....#',
  ],
  'r': [
    '.....',
    '.....',
    '#.##.',
    '##..#',
    '#....',
    '#....',
    '#....',
    '.....',
    '.....',
  ],
  's': [
    '.....',
    '.....',
    '.####',
    '#....',
    '.###.',
    '....#',
    '####.',
    '.....',
    '.....',
  ],
  't': [
    '.#...',
    '.#...',
    '###..',
    '.#...',
    '.#...',
    '.#..#',
    '..##.',
    '.....',
    '.....',
  ],
  'u': [
    '.....',
    '.....',
    '#...#',
    '#...#',
    '#...#',
    '#..##',
    '.##.#',
    '.....',
    '.....',
  ],
  'v': [
    '.....',
    '.....',
    '#...#',
    '#...#',
    '#...#',
    '.#.#.',
    '..#..',
    '.....',
    '.....',
  ],
  'w': [
    '.....',
    '.....',
    '#...#',
    '#...#',
    '#.#.#',
    '#.#.#',
    '.#.#.',
    '.....',
    '.....',
  ],
  'x': [
    '.....',
    '.....',
    '#...#',
    '.#.#.',
    '..#..',
    '.#.#.',
    '#...#',
    '.....',
    '.....',
  ],
  'y': [
    '.....',
    '.....',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '.####',
    '....#',
    '.###.',
  ],
  'z': [
    '.....',
    '.....',
    '#####',
    '...#.',
    '..#..',
    '.#...',
    '#####',
    '.....',
    '.....',
  ],
  '{': [
    '...##',
    '..#..',
    '..#..',
    '.#...',
    '..#..',
    '..#..',
    '...##',
    '.....',
    '.....',
  ],
  '|': [
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '..#..',
    '.....',
    '.....',
  ],
  '}': [
    '##...',
    '..#..',
    '..#..',
    '...#.',
    '..#..',
    '..#..',
    '##...',
    '.....',
    '.....',
  ],
  '~': [
    '.....',
    '.....',
    '.#...',
    '#.#.#',
    '...#.',
    '.....',
    '.....',
    '.....',
    '.....',
  ],
  '\u00D7': [
    '.....',
    '#...#',
    '.#.#.',
    '..#..',
    '.#.#.',
    '#...#',
    '.....',
    '.....',
    '.....',
  ],
  '\u2026': [
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '.....',
    '#.#.#',
    '.....',
    '.....',
  ],
  '\u00B5': [
    '.....',
    '.....',
    '#...#',
    '#...#',
    '#...#',
    '#..##',
    '###.#',
    '#....',
    '#....',
  ],
};

/** Characters beyond printable ASCII, in the order their glyphs follow '~' in the table. */
const EXTRA_CHARS = ['\u00D7', '\u2026', '\u00B5'] as const;

const FIRST_ASCII = 0x20;
const LAST_ASCII = 0x7e;
const ASCII_GLYPHS = LAST_ASCII - FIRST_ASCII + 1;
const MINUS_SIGN = 0x2212;

/**
 * Packs {@link GLYPH_SOURCE} into one byte per glyph row, bit 4 being the
 * leftmost column. Validates the source so that a typo in a glyph fails at
 * import time instead of silently rendering a wrong character.
 */
function packGlyphs(): Uint8Array {
  const order: string[] = [];
  for (let code = FIRST_ASCII; code <= LAST_ASCII; code++) order.push(String.fromCharCode(code));
  order.push(...EXTRA_CHARS);

  const sourceKeys = Object.keys(GLYPH_SOURCE);
  if (sourceKeys.length !== order.length) {
    throw new Error(`font: expected ${order.length} glyphs, source defines ${sourceKeys.length}`);
  }

  const table = new Uint8Array(order.length * GLYPH_HEIGHT);
  order.forEach((char, glyph) => {
    const rows = GLYPH_SOURCE[char];
    if (rows === undefined || rows.length !== GLYPH_HEIGHT) {
      throw new Error(`font: glyph ${JSON.stringify(char)} must have ${GLYPH_HEIGHT} rows`);
    }
    rows.forEach((row, r) => {
      if (row.length !== GLYPH_WIDTH || !/^[#.]+$/.test(row)) {
        throw new Error(`font: glyph ${JSON.stringify(char)} row ${r} must be ${GLYPH_WIDTH} of '#'/'.'`);
      }
      let bits = 0;
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (row[c] === '#') bits |= 1 << (GLYPH_WIDTH - 1 - c);
      }
      table[glyph * GLYPH_HEIGHT + r] = bits;
    });
  });
  return table;
}

/** Row bitmaps of every glyph, `GLYPH_HEIGHT` bytes per glyph; never mutated after load. */
const GLYPH_ROWS: Uint8Array = packGlyphs();

const QUESTION_GLYPH = '?'.charCodeAt(0) - FIRST_ASCII;
const HYPHEN_GLYPH = '-'.charCodeAt(0) - FIRST_ASCII;

/** Maps a code point to its glyph number in {@link GLYPH_ROWS}; unsupported code points get '?'. */
function glyphIndex(codePoint: number): number {
  if (codePoint >= FIRST_ASCII && codePoint <= LAST_ASCII) return codePoint - FIRST_ASCII;
  switch (codePoint) {
    case MINUS_SIGN:
      return HYPHEN_GLYPH;
    case 0xd7:
      return ASCII_GLYPHS;
    case 0x2026:
      return ASCII_GLYPHS + 1;
    case 0xb5:
      return ASCII_GLYPHS + 2;
    default:
      return QUESTION_GLYPH;
  }
}

/**
 * Counts characters the way `for...of` iterates a string, so that measuring
 * and drawing agree: a surrogate pair (e.g. an emoji) is one character and is
 * drawn as a single '?', not two.
 */
function countChars(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function assertScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < MIN_SCALE || scale > MAX_SCALE) {
    throw new RangeError(`font: scale must be an integer in ${MIN_SCALE}..${MAX_SCALE}, got ${scale}`);
  }
}

/**
 * Measures `text` drawn at integer `scale`, in image pixels.
 *
 * Width is `chars * ADVANCE * scale - scale` (the trailing 1 px spacing is not
 * counted) and 0 for the empty string; height is always `GLYPH_HEIGHT * scale`,
 * descender rows included whether or not `text` has a descender, even for
 * `""`, so that layout rows keep a constant height. A character is a
 * code point, so a surrogate pair counts once, exactly as {@link drawText}
 * draws it.
 *
 * @param text - Any string; unsupported characters are measured like '?'.
 * @param scale - Integer magnification, 1..16.
 * @returns The bounding box of the drawn text; ink may not reach its right or bottom edge.
 * @throws RangeError if `scale` is not an integer in 1..16.
 *
 * @example
 * ```ts
 * measureText('-0.5', 1); // { width: 23, height: 9 }
 * measureText('-0.5', 3); // { width: 69, height: 27 }
 * measureText('', 2);     // { width: 0, height: 18 }
 * ```
 */
export function measureText(text: string, scale: number): { width: number; height: number } {
  assertScale(scale);
  const chars = countChars(text);
  return {
    width: chars === 0 ? 0 : chars * ADVANCE * scale - scale,
    height: GLYPH_HEIGHT * scale,
  };
}

/**
 * Draws `text` into `image` with its top-left corner at (`x`, `y`), each font
 * pixel becoming a `scale`×`scale` block of `value`. The cell is
 * `GLYPH_HEIGHT * scale` tall; the baseline is the bottom of image row
 * `y + BASELINE * scale - 1`, with descenders below it (see {@link BASELINE}).
 *
 * Only ink pixels are written; the background between and around glyphs is
 * left untouched, so text can be drawn over existing content. Pixels falling
 * outside the image are clipped silently, so `x` and `y` may be negative or
 * beyond the image. Characters outside the supported set (printable ASCII
 * 32..126, U+2212 −, U+00D7 ×, U+2026 …, U+00B5 µ) are drawn as '?'. There is
 * no line breaking: '\n' is unsupported and draws as '?'.
 *
 * @param image - Destination; `data.length` must equal `width * height`.
 * @param text - The string to draw, one glyph per code point.
 * @param x - Left edge in image pixels, an integer (may be out of bounds).
 * @param y - Top edge in image pixels, an integer (may be out of bounds).
 * @param value - Gray level of the ink, an integer 0..255.
 * @param scale - Integer magnification, 1..16.
 * @throws RangeError if `scale`, `value`, `x` or `y` is out of range or not an
 * integer, or if the image's dimensions and data length disagree.
 *
 * @example
 * ```ts
 * const { width, height } = measureText('-2.5e-3', 2);
 * const image: GrayImage = { width, height, data: new Uint8Array(width * height) };
 * drawText(image, '-2.5e-3', 0, 0, 255, 2);
 * ```
 */
export function drawText(
  image: GrayImage,
  text: string,
  x: number,
  y: number,
  value: number,
  scale: number,
): void {
  assertScale(scale);
  if (!Number.isInteger(value) || value < 0 || value > 255) {
    throw new RangeError(`font: value must be an integer in 0..255, got ${value}`);
  }
  // Fractional positions would land between pixels; make callers round
  // explicitly so that output never depends on an implicit rounding rule.
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) {
    throw new RangeError(`font: x and y must be integers, got (${x}, ${y})`);
  }
  const { width, height, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 0 ||
    height < 0 ||
    data.length !== width * height
  ) {
    throw new RangeError(
      `font: image is ${width}×${height} but has ${data.length} bytes of data`,
    );
  }

  const cellHeight = GLYPH_HEIGHT * scale;
  if (y >= height || y + cellHeight <= 0) return;

  const cellWidth = GLYPH_WIDTH * scale;
  const step = ADVANCE * scale;
  let penX = x;
  for (const char of text) {
    // The pen only moves right, so once it passes the right edge nothing
    // further can be visible.
    if (penX >= width) break;
    if (penX + cellWidth > 0) {
      drawGlyph(data, width, height, glyphIndex(char.codePointAt(0) ?? 0), penX, y, value, scale);
    }
    penX += step;
  }
}

/**
 * Blits one glyph. Each row is decomposed into runs of consecutive ink
 * columns so that a run becomes a single clipped `fill` per image row, rather
 * than a test and a store per pixel.
 */
function drawGlyph(
  data: Uint8Array,
  width: number,
  height: number,
  glyph: number,
  left: number,
  top: number,
  value: number,
  scale: number,
): void {
  const base = glyph * GLYPH_HEIGHT;
  for (let r = 0; r < GLYPH_HEIGHT; r++) {
    const bits = GLYPH_ROWS[base + r] ?? 0;
    if (bits === 0) continue;
    const y0 = Math.max(top + r * scale, 0);
    const y1 = Math.min(top + (r + 1) * scale, height);
    if (y0 >= y1) continue;

    let c = 0;
    while (c < GLYPH_WIDTH) {
      if ((bits & (1 << (GLYPH_WIDTH - 1 - c))) === 0) {
        c++;
        continue;
      }
      const runStart = c;
      while (c < GLYPH_WIDTH && (bits & (1 << (GLYPH_WIDTH - 1 - c))) !== 0) c++;
      const x0 = Math.max(left + runStart * scale, 0);
      const x1 = Math.min(left + c * scale, width);
      if (x0 >= x1) continue;
      for (let py = y0, offset = y0 * width; py < y1; py++, offset += width) {
        data.fill(value, offset + x0, offset + x1);
      }
    }
  }
}
