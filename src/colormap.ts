/**
 * Colormap: turns colour indices into 8-bit pixels. Only matplotlib's `gray` for now.
 */
import type { GrayImage } from './types.js';

/**
 * matplotlib's `gray` colormap as `imsave` writes it: index i gives i, except 24 entries that come
 * out one lower because matplotlib builds the table in floating point and truncates
 * (i = 33, 37, 41, …, 244). Computed here with the same double arithmetic, not listed by hand.
 */
export const GRAY_LUT: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => {
  const t = i === 255 ? 1 : i * (1 / 255);
  return Math.trunc(((255 * t) / 255) * 255);
});

/**
 * Maps colour indices through matplotlib's gray colormap into an 8-bit gray image.
 * @example applyGray(Uint8Array.of(0, 33, 255), 3, 1).data // [0, 32, 255]
 */
export function applyGray(indices: Uint8Array, width: number, height: number): GrayImage {
  const out = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = GRAY_LUT[indices[i]];
  return { width, height, data: out };
}
