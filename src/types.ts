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

/** An 8-bit single-channel image: a rendered tile or the composite grid. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One filter of the bank: `weights` is row-major, `height × width` float32 values. */
export interface Kernel {
  /** A slug a person recognises, safe in file names: `vertical-edge`. */
  name: string;
  /** One sentence saying what the filter responds to. */
  description: string;
  width: number;
  height: number;
  weights: Float32Array;
}

/** The value range a tile was normalised with; `min === max` renders black, as matplotlib does. */
export interface ValueRange {
  min: number;
  max: number;
}
