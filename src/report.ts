/**
 * Report: `index.html`, one self-contained page (no network: the data, the colour tables and the
 * script are inline) that shows the input, the filters and every map, and on hover or focus the
 * exact value of a map pixel, its input window, the weights and their dot product. Pure: data in,
 * HTML out. The page's script is `report-page.ts`.
 */
import { COLORMAP_TABLES } from './colormap-tables.js';
import { formatWeight } from './tiles.js';
import { reportPage, type PageData } from './report-page.js';

/** Longest side of a tile as the page draws it; larger maps are drawn from every f-th pixel. */
export const REPORT_MAX_SIDE = 512;

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The page for one rendering. `pixels` is the 8-bit input the maps were computed from: OpenCV's gray
 * (1 channel) or RGB with `--color`.
 * @example const html = reportHtml({ ...pageData }); // '<!doctype html>…'
 */
export function reportHtml(data: Omit<PageData, 'factor' | 'colormaps'> & { kernelLabels?: string[] }): string {
  const factor = Math.max(1, Math.ceil(Math.max(data.input.width, data.input.height) / REPORT_MAX_SIDE));
  const page: PageData = { ...data, factor, colormaps: { ...COLORMAP_TABLES } };
  const note =
    factor > 1
      ? `<p class="note">The image is ${data.input.width}×${data.input.height}: tiles are drawn from every ${factor}th pixel in each direction (the display is reduced, not the numbers). Hovering shows exact values.</p>`
      : '';
  const filters = data.kernels
    .map((kernel, k) => {
      const size = kernel.width * kernel.height;
      // One shade range for all channels, as the filter tiles use.
      const lo = kernel.weights.reduce((a, b) => Math.min(a, b), Infinity);
      const hi = kernel.weights.reduce((a, b) => Math.max(a, b), -Infinity);
      const panels = Array.from({ length: kernel.channels }, (_, c) => {
        const weights = kernel.weights.slice(c * size, (c + 1) * size);
        const rows = Array.from({ length: kernel.height }, (_, y) => {
          const cells = weights.slice(y * kernel.width, (y + 1) * kernel.width).map((w) => {
            const shade = hi > lo ? Math.round(((w - lo) / (hi - lo)) * 255) : 0;
            return `<td style="background:rgb(${shade},${shade},${shade});color:${w < 0 ? '#fff' : '#000'}">${escape(formatWeight(w))}</td>`;
          });
          return `<tr>${cells.join('')}</tr>`;
        });
        return `<table class="kernel" aria-label="weights${kernel.channels === 3 ? ` ${'RGB'[c]}` : ''}">${rows.join('')}</table>`;
      });
      return `<figure><div class="panels">${panels.join('')}</div><figcaption>Filter ${k + 1}<br><small>${escape(kernel.name)}${kernel.bias !== 0 ? `, bias ${formatWeight(kernel.bias)}` : ''}</small></figcaption></figure>`;
    })
    .join('');
  const stages = data.stages
    .map((stage, s) => {
      const figures = data.kernels
        .map(
          (kernel, k) =>
            `<figure><canvas class="map" data-stage="${s}" data-filter="${k}" tabindex="0" aria-label="${escape(`${stage.title}, output ${k + 1}`)}"></canvas><figcaption>Output ${k + 1}<br><small id="range-${s}-${k}"></small></figcaption></figure>`,
        )
        .join('');
      return `<section class="row"><h2>${escape(stage.title)}</h2><div class="tiles">${figures}</div></section>`;
    })
    .join('');
  const options = (values: string[], chosen: string): string => values.map((v) => `<option${v === chosen ? ' selected' : ''}>${escape(v)}</option>`).join('');
  const json = JSON.stringify(page).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cnnviz: ${escape(data.name)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem 1.5rem; color: #111; background: #fff; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; } h2 { font-size: 1rem; margin: 1rem 0 .4rem; }
.controls { display: flex; gap: 1rem; align-items: center; margin: .5rem 0; }
.note { color: #555; }
.layout { display: flex; gap: 1.5rem; align-items: flex-start; }
main { flex: 1; min-width: 0; }
.tiles, .row-filters { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; text-align: center; position: relative; }
canvas { image-rendering: pixelated; border: 1px solid #000; display: block; }
canvas:focus { outline: 3px solid #1a73e8; }
.input-box { position: relative; display: inline-block; }
#window { position: absolute; border: 2px solid #e8201a; box-sizing: border-box; pointer-events: none; }
table.kernel { border-collapse: collapse; border: 1px solid #000; }
table.kernel td { width: 2.4rem; height: 2.4rem; text-align: center; font-variant-numeric: tabular-nums; }
.panels { display: flex; gap: 6px; }
#details { width: 26rem; position: sticky; top: 1rem; border-left: 1px solid #ccc; padding-left: 1rem; }
#details table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
#details td, #details th { padding: 1px 6px; text-align: right; border-bottom: 1px solid #eee; }
.value output { font-weight: bold; font-size: 1.1rem; }
</style>
</head>
<body>
<h1>cnnviz: ${escape(data.name)}</h1>
<p>${data.input.width}×${data.input.height} ${data.input.channels === 3 ? 'RGB' : 'gray'} input, ${data.kernels.length} filter${data.kernels.length === 1 ? '' : 's'}, stride ${data.stride.join('×')}, dilation ${data.dilation.join('×')}, activation ${escape(data.activation.kind)}${data.pool ? `, max-pool ${data.pool}` : ''}.</p>
<div class="controls">
<label>Normalisation <select id="normalize">${options(['per-map', 'shared', 'symmetric', 'none'], data.normalize)}</select></label>
<label>Colormap <select id="colormap">${options(Object.keys(COLORMAP_TABLES), data.colormap)}</select></label>
<label>Zoom <select id="zoom">${options(['1', '2', '4', '8', '16'], '1')}</select></label>
</div>
${note}
<div class="layout">
<main>
<section class="row"><h2>Input</h2><div class="input-box"><canvas id="input" aria-label="input"></canvas><div id="window" hidden></div></div></section>
<section class="row"><h2>Filters</h2><div class="row-filters">${filters}</div></section>
${stages}
</main>
<aside id="details" aria-live="polite"><p>Hover a pixel of a map, or focus a map (Tab) and move with the arrow keys, to see its exact value, the input window that produced it, the weights and their dot product.</p></aside>
</div>
<script>(${reportPage.toString()})(${json});</script>
</body>
</html>
`;
}
