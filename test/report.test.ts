import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { fixture, golden, npyMap, readNpy, ROOT } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
// .ci/run installs Debian's chromium; elsewhere the end-to-end test needs it installed by hand.
const skip = !existsSync(CHROMIUM) && !process.env.CI ? 'Debian chromium not installed (apt-get install chromium)' : false;

describe('the HTML report in real headless Chromium', { skip }, () => {
  it('loads offline with no console error, shows exact values on hover and focus, and switches normalisation', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cnnviz-html-')), 'maps');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cnnviz.js'), fixture('sample.png'), '--out', out, '--html'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`file://${join(out, 'index.html')}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

      // Hover map pixel (150, 80) of filter 1 before ReLU: the value cnnviz (and PyTorch) computed.
      const conv1 = page.locator('canvas.map[data-stage="0"][data-filter="0"]');
      const box = await conv1.boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + 1 + 150.5, box.y + 1 + 80.5);
      const shown = Number(await page.locator('#details output').getAttribute('data-value'));
      const expected = npyMap(readNpy(golden('sample', 'conv.npy')), 0).data[80 * 317 + 150];
      assert.ok(Math.abs(shown - expected) <= 1e-5, `${shown} vs ${expected}`);
      // The 4×4 window of the input that produced it is highlighted, at its place on the input.
      const window = await page.locator('#window').evaluate((e: HTMLElement) => ({ ...e.dataset, left: e.style.left, top: e.style.top, hidden: e.hidden }));
      assert.deepEqual(window, { x: '150', y: '80', width: '4', height: '4', left: '151px', top: '81px', hidden: false });
      assert.equal(await page.locator('#details tbody tr').count(), 16);

      // Keyboard: focus a ReLU map and move right.
      const relu2 = page.locator('canvas.map[data-stage="1"][data-filter="1"]');
      await relu2.focus();
      await page.keyboard.press('ArrowRight');
      assert.match((await page.locator('#details h2').textContent()) ?? '', /after ReLU, filter 2 .*pixel \(1, 0\)/);
      const relu = npyMap(readNpy(golden('sample', 'relu.npy')), 1).data[1];
      assert.ok(Math.abs(Number(await page.locator('#details output').getAttribute('data-value')) - relu) <= 1e-5);

      // Switching the normalisation redraws the tiles.
      const pixels = () => conv1.evaluate((c: HTMLCanvasElement) => c.toDataURL());
      const before = await pixels();
      await page.selectOption('#normalize', 'symmetric');
      assert.notEqual(await pixels(), before);
      await page.selectOption('#colormap', 'RdBu');
      assert.match((await page.locator('#range-0-0').textContent()) ?? '', /^-4\.3\d+ … 4\.3\d+$/);

      await page.selectOption('#normalize', 'per-map');
      await page.selectOption('#colormap', 'gray');
      await page.mouse.move(box.x + 1 + 150.5, box.y + 1 + 80.5);
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'report.png') });
      if (process.env.UPDATE === '1') copyFileSync(join(ROOT, 'test-artifacts', 'report.png'), fixture('snapshots', 'report.png'));

      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [`file://${join(out, 'index.html')}`], 'no network request');
    } finally {
      await browser.close();
    }
  });
});
