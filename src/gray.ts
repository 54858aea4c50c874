/**
 * Gray: `cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)` on 8-bit pixels, then `.astype("float32") / 255`.
 * OpenCV's fixed-point weights are 9798, 19235 and 3735 out of 2^15 (not sharp's linear-light
 * `greyscale()`, and not the often-quoted 14-bit variant, which is wrong for 43,864 colours).
 */
import type { DecodedImage } from './decode.js';
import type { FloatMap, GrayImage } from './types.js';

/** The formula, as recorded in the manifest. */
export const GRAY_FORMULA = 'Y = (9798*R + 19235*G + 3735*B + 16384) >> 15; value = float32(Y / 255)';

/**
 * The 8-bit luma of one colour, bit-identical to OpenCV's COLOR_BGR2GRAY for all 2^24 colours.
 * @example luma(255, 0, 0) // 76
 */
export function luma(r: number, g: number, b: number): number {
  return (9798 * r + 19235 * g + 3735 * b + 16384) >> 15;
}

/**
 * float32(Y / 255) for Y in 0..255: dividing, then rounding once, is what numpy does;
 * multiplying by a float32 reciprocal differs for 126 of the 256 values.
 */
const UNIT_FLOAT = Float32Array.from({ length: 256 }, (_, y) => y / 255);

/**
 * Converts decoded pixels to OpenCV's 8-bit gray. A 1-channel image is already gray: OpenCV
 * replicates it to three equal channels, and the formula returns such a colour unchanged.
 *
 * @example
 * const gray8 = toGray8({ width: 1, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0), source });
 * // gray8.data[0] === 76
 */
export function toGray8(image: Pick<DecodedImage, 'width' | 'height' | 'channels' | 'data'>): GrayImage {
  const { width, height, channels, data } = image;
  const count = width * height;
  if (channels === 1) return { width, height, data: data.slice(0, count) };
  const out = new Uint8Array(count);
  for (let i = 0, j = 0; i < count; i++, j += 3) {
    out[i] = (9798 * data[j] + 19235 * data[j + 1] + 3735 * data[j + 2] + 16384) >> 15;
  }
  return { width, height, data: out };
}

/**
 * Scales 8-bit gray to float32 in [0, 1] exactly as numpy's `astype("float32") / 255`.
 * @example toFloatMap(gray8).data[0] // Math.fround(76 / 255)
 */
export function toFloatMap(gray: GrayImage): FloatMap {
  const out = new Float32Array(gray.data.length);
  for (let i = 0; i < out.length; i++) out[i] = UNIT_FLOAT[gray.data[i]];
  return { width: gray.width, height: gray.height, data: out };
}
