/**
 * Decode: the only module that reads pixels with sharp. It reproduces `cv2.imread(path)`
 * (default flag): EXIF orientation applied, ICC profiles ignored, alpha dropped with the colour
 * used as stored, 16-bit samples reduced the way OpenCV 4.6 reduces them. Unlike OpenCV it
 * refuses truncated files instead of filling them with gray.
 */
import { createRequire } from 'node:module';
import type { Sharp } from 'sharp';
import { CnnvizError } from './errors.js';

/** An sRGB colour with 8-bit channels. */
export type Rgb = readonly [number, number, number];

/** What happens to transparency: dropped as OpenCV does, or flattened onto a colour. */
export type AlphaPolicy = 'none' | 'dropped' | 'flattened';

/** Facts about the source file, kept for the manifest and for notes to the user. */
export interface SourceInfo {
  /** sharp's name for the container: png, jpeg, webp, tiff, gif, heif… */
  format: string;
  /** Dimensions as stored, before EXIF orientation. */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation tag (1 to 8), 1 when absent. */
  orientation: number;
  /** Bits per sample of the decoded data: 8, or 16 before OpenCV's reduction. */
  bitDepth: 8 | 16;
  hasAlpha: boolean;
  alpha: AlphaPolicy;
  /** Flatten colour, present when `alpha` is `flattened`. */
  background?: Rgb;
  /** Pages or frames in the file; only the first is used. */
  pages: number;
}

/** Decoded 8-bit pixels, interleaved, row-major: gray (1 channel) or RGB (3 channels). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
  source: SourceInfo;
}

/** Options for {@link decodeImage}. */
export interface DecodeOptions {
  /** Flatten transparency onto this colour instead of dropping alpha (OpenCV drops it). */
  background?: Rgb | undefined;
  /** Refuse images with more pixels than this, from the header, before decoding. Default 100 000 000. */
  maxPixels?: number | undefined;
  /** Name used in error messages, e.g. the input path. Default `input`. */
  name?: string | undefined;
  /**
   * Called with the size from the header, after the `maxPixels` check and just before the pixels
   * are decoded (in sharp's thread): work it starts without waiting overlaps the decoding. An
   * exception it throws rejects the decode.
   */
  onHeader?: ((size: { width: number; height: number }) => void) | undefined;
}

/** Largest image decoded by default, in pixels (width × height, after orientation). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

type SharpFactory = typeof import('sharp').default;
/**
 * Loads sharp on first use (Node caches the module), so runs that never decode, such as
 * `--help` and `--version`, start without loading libvips. Loaded through `require`: sharp's
 * CommonJS build loads about 80 ms faster than its ES module build here.
 * @example const sharp = await loadSharp();
 */
export async function loadSharp(): Promise<SharpFactory> {
  return createRequire(import.meta.url)('sharp') as SharpFactory;
}

/**
 * Decodes an encoded image (PNG, JPEG, WebP, TIFF, GIF first frame, AVIF) into 8-bit gray or RGB
 * pixels exactly as `cv2.imread` returns them.
 *
 * @throws {CnnvizError} kind `input` for an unsupported, corrupt or truncated file, or one larger than `maxPixels`.
 * @example
 * const image = await decodeImage(await readFile('photo.png'), { name: 'photo.png' });
 * // image.channels === 3, image.data.length === image.width * image.height * 3
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const name = options.name ?? 'input';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new CnnvizError('input', 'input is empty (0 bytes)', name);
  const sharp = await loadSharp();
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const open = (): Sharp =>
    sharp(input, { failOn: 'warning', autoOrient: true, ignoreIcc: true, limitInputPixels: false, pages: 1 });

  const meta = await open()
    .metadata()
    .catch((err: unknown) => {
      throw decodeError(err, name);
    });
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new CnnvizError('input', 'image has no pixels', name);
  if (width * height > maxPixels) {
    throw new CnnvizError(
      'input',
      `image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels} (--max-pixels)`,
      name,
    );
  }
  options.onHeader?.({ width, height });
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  let pipeline = open();
  pipeline = options.background ? pipeline.flatten({ background: rgbObject(options.background) }) : pipeline.removeAlpha();
  if (sixteen) {
    // Keep all 16 bits through libvips (its own 8-bit conversion is not OpenCV's rule for every
    // format), then reduce as OpenCV does.
    const colourChannels = meta.hasAlpha ? meta.channels - 1 : meta.channels;
    pipeline = pipeline.toColourspace(colourChannels === 1 ? 'grey16' : 'rgb16');
  }
  const { data, info } = await pipeline
    .raw(sixteen ? { depth: 'ushort' } : {})
    .toBuffer({ resolveWithObject: true })
    .catch((err: unknown) => {
      throw decodeError(err, name);
    });
  if (info.channels !== 1 && info.channels !== 3) {
    throw new CnnvizError('input', `unsupported colour layout with ${info.channels} channels (${meta.space})`, name);
  }
  const pixels = sixteen ? reduce16(data, meta.format, info.channels) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    data: pixels,
    source: {
      format: meta.format,
      storedWidth: meta.width,
      storedHeight: meta.height,
      orientation: meta.orientation ?? 1,
      bitDepth: sixteen ? 16 : 8,
      hasAlpha: meta.hasAlpha,
      alpha: !meta.hasAlpha ? 'none' : options.background ? 'flattened' : 'dropped',
      ...(meta.hasAlpha && options.background ? { background: options.background } : {}),
      pages: meta.pages ?? 1,
    },
  };
}

/**
 * OpenCV 4.6 reduces 16-bit samples by truncation (`v >> 8`) for PNG and gray TIFF, but
 * rounds (`(v*255 + 32767) / 65535`) for colour TIFF; we follow it per format.
 */
function reduce16(data: Buffer, format: string, channels: number): Uint8Array {
  const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1);
  const out = new Uint8Array(samples.length);
  if (format === 'tiff' && channels === 3) {
    for (let i = 0; i < samples.length; i++) out[i] = Math.floor((samples[i] * 255 + 32767) / 65535);
  } else {
    for (let i = 0; i < samples.length; i++) out[i] = samples[i] >> 8;
  }
  return out;
}

function rgbObject(rgb: Rgb): { r: number; g: number; b: number } {
  return { r: rgb[0], g: rgb[1], b: rgb[2] };
}

/** Turns libvips' multi-line messages into one line a user can act on. */
function decodeError(err: unknown, name: string): CnnvizError {
  const raw = err instanceof Error ? err.message : String(err);
  const lines = raw.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  if (/unsupported image format/i.test(raw)) return new CnnvizError('input', 'not a supported image (PNG, JPEG, WebP, TIFF, GIF, AVIF)', name);
  if (/corrupt header/i.test(raw)) return new CnnvizError('input', 'image header is corrupt', name);
  // The most specific line: not the generic failOn notice, not per-tile noise, without the loader's prefix.
  const detail = lines
    .filter((line) => !/^warning treated as error|^error in tile/i.test(line))
    .map((line) => line.replace(/^[\w]*(png|jpeg|jpg|tiff|webp|gif|heif|load)[\w]*:\s*/i, '').replace(/:$/, ''))
    .at(-1);
  if (/warning treated as error|premature end|truncat|unexpected end|not enough data|read error|short read|checksum|crc/i.test(raw)) {
    return new CnnvizError('input', `image is truncated or corrupt: ${detail ?? 'the decoder found a damaged or incomplete file'}`, name);
  }
  return new CnnvizError('input', `cannot decode image: ${detail ?? 'unknown error'}`, name);
}
