/**
 * cnnviz as a library: every stage of the pipeline, in the order the data flows.
 * The CLI (`cli.ts`) uses nothing but these exports.
 */
export type { FloatMap, GrayImage, Kernel, ValueRange } from './types.js';
export { CnnvizError, EXIT_CODES, invalidParameter, type ErrorKind } from './errors.js';
export { readInput } from './read.js';
export { decodeImage, DEFAULT_MAX_PIXELS, type AlphaPolicy, type DecodedImage, type DecodeOptions, type Rgb, type SourceInfo } from './decode.js';
export { GRAY_FORMULA, luma, toFloatMap, toGray8 } from './gray.js';
export { kernelFromRows, kernelRows, MAX_FILTERS, MAX_KERNEL_SIDE, tutorialKernels } from './kernels.js';
export { checkFits, convolve, convolveBank, outputSize } from './convolve.js';
export { relu } from './activate.js';
export { mapRange, mapStats, quantize, type MapStats } from './normalize.js';
export { applyGray, GRAY_LUT } from './colormap.js';
export { formatWeight, renderFilterTile, renderMapTile, type Tile } from './tiles.js';
export { composeGrid, downscaleArea, GRID_MAX_TILE_SIDE, type GridOptions, type GridRow, type GridTile } from './grid.js';
export { DEFAULT_COMPRESSION, encodePng, type EncodeOptions } from './encode.js';
export { MANIFEST_SCHEMA_VERSION, serializeManifest, sha256, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
export { render, type RenderedFile, type RenderOptions, type RenderResult } from './render.js';
export { writeOutputs, type OutputFile } from './write.js';
export { parseColour, parsePositiveInteger, resolveOptions, type CliFlags, type RunOptions } from './options.js';
