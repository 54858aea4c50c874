import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as cnnviz from 'cnnviz';
import { fixture, golden, npyMap, readNpy } from './helpers.js';

describe("the library, imported by the package's own name", () => {
  it('exports every stage of the pipeline', () => {
    for (const name of ['render', 'decodeGray', 'decodeImage', 'toGray8', 'toFloatMap', 'convolve', 'convolveBank', 'relu', 'activate', 'maxPool', 'mapStats', 'quantize', 'renderMapTile', 'renderFilterTile', 'composeGrid', 'encodePng', 'encodeNpy', 'writeOutputs', 'presetKernels', 'parseInlineKernels', 'parseKernelFile', 'resolveInputs']) {
      assert.equal(typeof (cnnviz as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('render draws the same files whether each map is computed when its tiles come (default) or all first (--raw keeps them)', async () => {
    const bytes = readFileSync(fixture('sample.png'));
    for (const options of [{}, { colormap: 'viridis' as const }, { kernels: cnnviz.presetKernels('sobel'), activation: { kind: 'none' as const } }]) {
      const streamed = await cnnviz.render(bytes, options);
      const whole = await cnnviz.render(bytes, { ...options, raw: true });
      const pngs = (result: cnnviz.RenderResult) => result.files.filter((file) => file.name.endsWith('.png'));
      assert.deepEqual(pngs(streamed).map((file) => file.name), pngs(whole).map((file) => file.name));
      pngs(streamed).forEach((file, i) => assert.ok(Buffer.from(file.bytes).equals(Buffer.from(pngs(whole)[i].bytes)), `${file.name} ${JSON.stringify(options)}`));
      assert.deepEqual(streamed.manifest.files.filter((file) => file.kind !== 'raw'), whole.manifest.files.filter((file) => file.kind !== 'raw'));
      assert.deepEqual(streamed.conv.map((map) => map.data), whole.conv.map((map) => map.data));
    }
  });

  it('render returns PNGs, maps and the manifest in memory, writing nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cnnviz-lib-'));
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const result = await cnnviz.render(readFileSync(fixture('sample.png')), { inputName: 'sample.png' });
      assert.deepEqual(readdirSync(cwd), []);
      assert.equal(result.files.at(-1)?.name, 'manifest.json');
      assert.deepEqual(Buffer.from(result.files[0].bytes.subarray(1, 4)).toString(), 'PNG');
      assert.deepEqual(result.conv[0].data, npyMap(readNpy(golden('sample', 'conv.npy')), 0).data);
      assert.deepEqual(result.activated?.[1].data, npyMap(readNpy(golden('sample', 'relu.npy')), 1).data);
      // The gray map's memory went to the tiles; the result computes it again, the same bits.
      assert.deepEqual(result.gray.data, readNpy(golden('sample', 'gray.npy')).data);
      assert.equal(result.input[0], result.gray);
    } finally {
      process.chdir(before);
    }
  });

  it('decodeGray + convolve + relu reproduce the tutorial', async () => {
    const gray = await cnnviz.decodeGray(readFileSync(fixture('sample.png')));
    const map = cnnviz.relu(cnnviz.convolve(gray, cnnviz.tutorialKernels()[2]));
    assert.deepEqual(map.data, npyMap(readNpy(golden('sample', 'relu.npy')), 2).data);
  });

  it('bad input throws a CnnvizError with a one-line message and an exit code', async () => {
    await assert.rejects(cnnviz.render(readFileSync(fixture('tiny-3x3.png')), { inputName: 'tiny.png' }), (err: unknown) => {
      assert.ok(err instanceof cnnviz.CnnvizError);
      assert.equal(err.exitCode, 2);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });
});
