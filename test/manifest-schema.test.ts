import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { kernelFromRows } from '../src/kernels.js';
import { render, type RenderOptions } from '../src/render.js';
import { fixture, ROOT } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'src', 'manifest.schema.json'), 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

describe('manifest.json validates against src/manifest.schema.json', () => {
  const cases: [string, string, RenderOptions][] = [
    ['the default run', 'sample.png', {}],
    ['every option at once', 'rgba.png', { background: [255, 255, 255], layer: { stride: [2, 1], padding: [1, 2], dilation: [1, 1] }, activation: { kind: 'leaky-relu', slope: 0.2 }, pool: 2, colormap: 'RdBu', zoom: 2, raw: true, html: true, grid: { columns: 2, gap: 4, labels: false } }],
    ['colour kernels with bias, no grid', 'sample.jpg', { color: true, kernels: [kernelFromRows('d', 'a difference', [[-1, 1]], 0.5)], grid: false, normalize: 'shared' }],
    ['an explicit range, same padding, no activation', 'exif6.jpg', { range: { min: -1, max: 1 }, layer: { stride: [1, 1], padding: 'same', dilation: [2, 2] }, activation: { kind: 'none' } }],
  ];
  for (const [name, file, options] of cases) {
    it(name, async () => {
      const { manifest } = await render(readFileSync(fixture(file)), { ...options, inputName: file });
      const ok = validate(manifest);
      assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    });
  }

  it('rejects a manifest with a wrong schemaVersion or a stray key (the schema can fail)', async () => {
    const { manifest } = await render(readFileSync(fixture('strip-9x4.png')));
    assert.equal(validate({ ...manifest, schemaVersion: 2 }), false);
    assert.equal(validate({ ...manifest, extra: true }), false);
    assert.equal(validate({ ...manifest, files: [{ ...manifest.files[0], path: '/abs/input.png' }] }), false);
  });
});
