/**
 * cnnviz as a library: every stage of the pipeline, in the order the data flows.
 * The CLI (`cli.ts`) uses nothing but these exports.
 */
export type { FloatMap, GrayImage, Kernel, Raster, ValueRange } from './types.js';
export { CnnvizError, EXIT_CODES, invalidParameter, type ErrorKind } from './errors.js';
export { readInput, readKernelFile } from './read.js';
export { decodeImage, DEFAULT_MAX_PIXELS, type AlphaPolicy, type DecodedImage, type DecodeOptions, type Rgb, type SourceInfo } from './decode.js';
export { GRAY_FORMULA, luma, toFloatMap, toGray8 } from './gray.js';
export { checkBank, kernelFromRows, kernelRows, makeKernel, MAX_FILTERS, MAX_KERNEL_SIDE, toColourKernel, tutorialKernels, type KernelSpec } from './kernels.js';
export { isPresetName, listPresets, presetKernels, PRESETS, type Preset } from './presets.js';
export { parseInlineKernels, parseKernelFile } from './kernel-parse.js';
export { DEFAULT_LAYER, layerOutputSize, resolvePadding, type LayerOptions, type Padding, type PaddingSpec } from './layer.js';
export { allocFloat32, createArena, type Arena } from './arena.js';
export { checkFits, convolve, convolveBank, negatedTwins, outputSize, type ConvolveOptions, type Planes } from './convolve.js';
export { activate, activationName, DEFAULT_LEAKY_SLOPE, maxPool, relu, RELU, type Activation } from './activate.js';
export { mapRange, mapStats, NORMALIZE_MODES, quantize, stageRanges, type MapStats, type NormalizeMode } from './normalize.js';
export { applyColormap, applyGray, COLORMAP_NAMES, colormapTable, DIVERGING_COLORMAPS, GRAY_LUT, parseColormap, type ColormapName } from './colormap.js';
export { formatWeight, renderFilterTile, renderMapTile, zoomRaster, type Tile } from './tiles.js';
export { composeGrid, downscaleArea, formatValue, GRID_MAX_TILE_SIDE, type GridOptions, type GridRow, type GridTile, type Legend } from './grid.js';
export { DEFAULT_COMPRESSION, encodePng, type EncodeOptions } from './encode.js';
export { MANIFEST_SCHEMA_VERSION, serializeManifest, sha256, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
export { decodeGray, render, type RenderedFile, type RenderOptions, type RenderResult } from './render.js';
export { encodeNpy, stack } from './npy.js';
export { batchNames, expandGlob, hasGlob, resolveInputs } from './inputs.js';
export { progressLine, runOrdered, type OrderedOptions, type Outcome } from './batch.js';
export { comparePixels, compareManifests, EXACT, isCi, junitXml, type CompareReport, type FileReport, type PixelComparison, type Rgba, type Thresholds } from './compare.js';
export { compareRenderings, readRgba, updateSnapshot, type CompareOptions } from './snapshot.js';
export { reportHtml } from './report.js';
export { LOCK_NAME, removeTempsSync, stageOutputs, writeOutputs, type OutputFile, type Staging, type WriteOptions } from './write.js';
export {
  parseActivation,
  parseColour,
  parseSeconds,
  parseRatio,
  parseInteger,
  parsePadding,
  parsePair,
  parsePositiveInteger,
  parseRange,
  resolveOptions,
  type CliFlags,
  type RunOptions,
} from './options.js';
