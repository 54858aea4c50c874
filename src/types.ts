/**
 * The plain data model shared by every stage. Row-major, index `y * width + x`
 * (the scijs/ndarray vocabulary); records, not classes.
 */

/** A single-channel float32 map: the gray input, a feature map before or after the activation. */
export interface FloatMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** An 8-bit single-channel image: OpenCV's gray, a text canvas. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An 8-bit image with 1 (gray) or 3 (RGB, interleaved) channels: a rendered tile or the grid. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/**
 * One filter of the bank. `weights` holds `channels × height × width` float32 values, channel-major
 * then row-major, as PyTorch lays out one output channel of `Conv2d.weight`.
 */
export interface Kernel {
  /** A name a person recognises: letters, digits, `.`, `_`, `+`, `-`. */
  name: string;
  /** One sentence saying what the filter responds to (may be empty). */
  description: string;
  width: number;
  height: number;
  /** 1 for gray input; 3 for `--color` (R, G, B). */
  channels: number;
  weights: Float32Array;
  /** Added to every output value, as `Conv2d`'s bias. */
  bias: number;
}

/** The value range a tile was normalised with; `min === max` renders the first colour, as matplotlib does. */
export interface ValueRange {
  min: number;
  max: number;
}
