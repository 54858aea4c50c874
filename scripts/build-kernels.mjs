// Part of `npm run build`: writes the SIMD kernels' WebAssembly module next to dist/simd.js, so runs
// load it instead of assembling it (src/simd.ts falls back to assembling when the file is absent).
import { rmSync, writeFileSync } from 'node:fs';

const target = new URL('../dist/simd-kernels.wasm', import.meta.url);
rmSync(target, { force: true }); // never load a stale copy while making the new one
const { kernelModuleBytes } = await import('../dist/simd.js');
writeFileSync(target, kernelModuleBytes());
