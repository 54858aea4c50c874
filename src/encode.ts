/**
 * Encode: 8-bit rasters to gray or RGB PNG with sharp (libvips + libspng + zlib-ng).
 * No metadata, no timestamps: the same pixels always give the same file on the same versions,
 * and the same decoded pixels everywhere.
 */
import { loadSharp } from './decode.js';
import { invalidParameter } from './errors.js';
import type { Raster } from './types.js';

/** Default zlib level for PNG output (0 fastest and largest, 9 smallest). */
export const DEFAULT_COMPRESSION = 1;

/** Options for {@link encodePng}. */
export interface EncodeOptions {
  /** zlib compression level, integer 0 to 9. Default {@link DEFAULT_COMPRESSION}. */
  compression?: number;
}

/**
 * Encodes a raster as an 8-bit PNG: single-channel gray, or RGB.
 * @throws {CnnvizError} kind `usage` for a compression level outside 0..9.
 * @example const png = await encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) });
 */
export async function encodePng(image: Raster, options: EncodeOptions = {}): Promise<Buffer> {
  const compression = options.compression ?? DEFAULT_COMPRESSION;
  if (!Number.isInteger(compression) || compression < 0 || compression > 9) {
    throw invalidParameter('integer between 0 and 9', 'compression', compression);
  }
  const sharp = await loadSharp();
  // Without an explicit 'b-w' colourspace libvips writes raw 1-channel input as an RGB PNG.
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .toColourspace(image.channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel: compression, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
