/**
 * The script of the HTML report, run in the browser. It is type-checked here and serialised into
 * the page with `Function.prototype.toString`, so it must stay self-contained: no imports, no
 * references to anything outside the function.
 *
 * The page recomputes every value it shows from the embedded 8-bit input with the same float32
 * arithmetic as cnnviz (engine order, bias placement, product rounding), so hovering a pixel shows
 * the exact value at any image size, while the tiles are drawn at a reduced size for large inputs.
 */

/** What the Node side embeds in the page (see report.ts). */
export interface PageData {
  name: string;
  input: { width: number; height: number; channels: 1 | 3; pixels: string };
  kernels: { name: string; width: number; height: number; channels: number; weights: number[]; bias: number; oneDnn: boolean; padTop: number; padLeft: number; outWidth: number; outHeight: number }[];
  stride: [number, number];
  dilation: [number, number];
  exact: boolean;
  activation: { kind: string; slope?: number };
  pool: number | null;
  stages: { kind: 'conv' | 'activation' | 'pool'; title: string; ranges: [number, number][] }[];
  factor: number;
  colormaps: Record<string, string>;
  normalize: string;
  colormap: string;
}

/** The page's entry point: builds the tiles, wires the controls and the hover details. */
export function reportPage(data: PageData): void {
  const fround = Math.fround;
  const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
  const raw = atob(data.input.pixels);
  const pixels = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) pixels[i] = raw.charCodeAt(i);
  const { width: iw, height: ih, channels } = data.input;
  // The float input, exactly as cnnviz computes it: float32(v / 255).
  const plane = (c: number): Float32Array => {
    const out = new Float32Array(iw * ih);
    for (let i = 0; i < out.length; i++) out[i] = fround(pixels[i * channels + c] / 255);
    return out;
  };
  const planes = Array.from({ length: channels }, (_, c) => plane(c));
  const tables: Record<string, Uint8Array> = {};
  for (const [name, hex] of Object.entries(data.colormaps)) {
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    tables[name] = bytes;
  }

  /** One output value of kernel k at (x, y), and the taps that made it. */
  const conv = (k: number, x: number, y: number, taps?: { ix: number; iy: number; c: number; w: number; g: number }[]): number => {
    const kernel = data.kernels[k];
    const [sy, sx] = data.stride;
    const [dy, dx] = data.dilation;
    const y0 = y * sy - kernel.padTop;
    const x0 = x * sx - kernel.padLeft;
    const size = kernel.width * kernel.height;
    let acc = kernel.oneDnn ? kernel.bias : 0;
    const add = (c: number, ky: number, kx: number): void => {
      const iy = y0 + ky * dy;
      const ix = x0 + kx * dx;
      if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) return;
      const w = kernel.weights[c * size + ky * kernel.width + kx];
      const g = planes[c][iy * iw + ix];
      taps?.push({ ix, iy, c, w, g });
      acc = fround(acc + (data.exact ? w * g : fround(w * g)));
    };
    if (kernel.oneDnn) {
      for (let ky = 0; ky < kernel.height; ky++) for (let kx = 0; kx < kernel.width; kx++) for (let c = 0; c < kernel.channels; c++) add(c, ky, kx);
    } else {
      for (let c = 0; c < kernel.channels; c++) for (let ky = 0; ky < kernel.height; ky++) for (let kx = 0; kx < kernel.width; kx++) add(c, ky, kx);
      if (kernel.bias !== 0) acc = fround(acc + kernel.bias);
    }
    return acc;
  };
  const activate = (v: number): number => {
    const a = data.activation;
    if (a.kind === 'relu') return v > 0 ? v : 0;
    if (a.kind === 'abs') return Math.abs(v);
    if (a.kind === 'leaky-relu') return v > 0 ? v : fround(v * fround(a.slope ?? 0.01));
    return v;
  };
  const value = (stage: number, k: number, x: number, y: number): number => {
    const kind = data.stages[stage].kind;
    if (kind === 'conv') return conv(k, x, y);
    if (kind === 'activation') return activate(conv(k, x, y));
    const n = data.pool ?? 1;
    let best = -Infinity;
    for (let py = 0; py < n; py++) for (let px = 0; px < n; px++) best = Math.max(best, activate(conv(k, x * n + px, y * n + py)));
    return best;
  };
  const mapSize = (stage: number, k: number): [number, number] => {
    const kernel = data.kernels[k];
    const n = data.stages[stage].kind === 'pool' ? data.pool ?? 1 : 1;
    return [Math.floor(kernel.outWidth / n), Math.floor(kernel.outHeight / n)];
  };

  /** The range a map is drawn with under a normalisation (cnnviz's rules, from the full maps' min and max). */
  const rangeOf = (stage: number, k: number, mode: string): [number, number] => {
    const own = data.stages[stage].ranges;
    if (mode === 'none') return [0, 1];
    if (mode === 'symmetric') {
      const m = Math.max(Math.abs(own[k][0]), Math.abs(own[k][1]));
      return [-m, m];
    }
    if (mode === 'shared') return [Math.min(...own.map((r) => r[0])), Math.max(...own.map((r) => r[1]))];
    return own[k];
  };

  /** Fills a canvas with one drawn pixel per `factor`-th map pixel; `colour` writes its RGB. */
  const paint = (canvas: HTMLCanvasElement, width: number, height: number, colour: (x: number, y: number, out: Uint8ClampedArray, at: number) => void): void => {
    const f = data.factor;
    const dw = Math.ceil(width / f);
    const dh = Math.ceil(height / f);
    canvas.width = dw;
    canvas.height = dh;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    const image = context.createImageData(dw, dh);
    for (let y = 0; y < dh; y++) {
      for (let x = 0; x < dw; x++) {
        const at = 4 * (y * dw + x);
        colour(x * f, y * f, image.data, at);
        image.data[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  };

  /** Draws values as cnnviz renders them: float32 normalisation, floor(q · 256), matplotlib's table. */
  const draw = (canvas: HTMLCanvasElement, width: number, height: number, sample: (x: number, y: number) => number, range: [number, number], colormap: string): void => {
    const table = tables[colormap];
    const min = fround(range[0]);
    const span = fround(range[1] - range[0]);
    paint(canvas, width, height, (x, y, out, at) => {
      let index = 0;
      if (span > 0) {
        const i = Math.floor(fround(fround(sample(x, y) - min) / span) * 256);
        index = i > 255 ? 255 : i < 0 ? 0 : i;
      }
      out[at] = table[3 * index];
      out[at + 1] = table[3 * index + 1];
      out[at + 2] = table[3 * index + 2];
    });
  };

  const formatNumber = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(7).replace(/0+$/, '').replace(/\.$/, ''));
  const inputCanvas = $('input') as HTMLCanvasElement;
  const drawInput = (): void => {
    if (channels === 3) {
      // The colour input is shown as stored: each channel's 0..1 straight to 0..255.
      paint(inputCanvas, iw, ih, (x, y, out, at) => {
        for (let c = 0; c < 3; c++) out[at + c] = Math.round(planes[c][y * iw + x] * 255);
      });
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of planes[0]) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    draw(inputCanvas, iw, ih, (x, y) => planes[0][y * iw + x], [lo, hi], 'gray');
  };

  const tiles = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.map'));
  const redraw = (): void => {
    const mode = ($('normalize') as HTMLSelectElement).value;
    const colormap = ($('colormap') as HTMLSelectElement).value;
    for (const canvas of tiles) {
      const stage = Number(canvas.dataset.stage);
      const k = Number(canvas.dataset.filter);
      const [w, h] = mapSize(stage, k);
      const range = rangeOf(stage, k, mode);
      draw(canvas, w, h, (x, y) => value(stage, k, x, y), range, colormap);
      const caption = document.getElementById(`range-${stage}-${k}`);
      if (caption) caption.textContent = `${formatNumber(range[0])} … ${formatNumber(range[1])}`;
    }
  };
  const zoom = (): void => {
    const z = Number(($('zoom') as HTMLSelectElement).value);
    document.body.style.setProperty('--zoom', String(z));
    for (const canvas of [inputCanvas, ...tiles]) {
      canvas.style.width = `${canvas.width * z}px`;
      canvas.style.height = `${canvas.height * z}px`;
    }
  };

  const details = $('details');
  const windowBox = $('window');
  const show = (canvas: HTMLCanvasElement, x: number, y: number): void => {
    const stage = Number(canvas.dataset.stage);
    const k = Number(canvas.dataset.filter);
    const [w, h] = mapSize(stage, k);
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    canvas.dataset.x = String(x);
    canvas.dataset.y = String(y);
    const kind = data.stages[stage].kind;
    // For a pooled pixel, the window of its maximum.
    let cx = x;
    let cy = y;
    if (kind === 'pool') {
      const n = data.pool ?? 1;
      let best = -Infinity;
      for (let py = 0; py < n; py++) {
        for (let px = 0; px < n; px++) {
          const v = activate(conv(k, x * n + px, y * n + py));
          if (v > best) [best, cx, cy] = [v, x * n + px, y * n + py];
        }
      }
    }
    const taps: { ix: number; iy: number; c: number; w: number; g: number }[] = [];
    const before = conv(k, cx, cy, taps);
    const shown = value(stage, k, x, y);
    const kernel = data.kernels[k];
    const rows = taps.map((t) => `<tr><td>(${t.ix}, ${t.iy})${channels === 3 ? ` ${'RGB'[t.c]}` : ''}</td><td>${formatNumber(t.g)}</td><td>${formatNumber(t.w)}</td><td>${formatNumber(fround(t.w * t.g))}</td></tr>`);
    details.innerHTML = [
      `<h2>${data.stages[stage].title}, filter ${k + 1} (${kernel.name}), pixel (${x}, ${y})</h2>`,
      `<p class="value">value <output data-value="${shown}">${formatNumber(shown)}</output> (float32)</p>`,
      kind === 'conv' ? '' : `<p>${kind === 'pool' ? `max of the ${data.pool}×${data.pool} window, at (${cx}, ${cy}); ` : ''}before the activation: ${formatNumber(before)}</p>`,
      `<p>dot product of the input window and the kernel${kernel.bias !== 0 ? `, plus the bias ${formatNumber(kernel.bias)}` : ''} = ${formatNumber(before)}</p>`,
      `<table><thead><tr><th>input pixel</th><th>value</th><th>weight</th><th>product</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    ].join('');
    // Highlight the window on the input: its extent in input pixels, in the displayed input's units.
    const [sy, sx] = data.stride;
    const [dy, dx] = data.dilation;
    const left = cx * sx - kernel.padLeft;
    const top = cy * sy - kernel.padTop;
    const spanX = dx * (kernel.width - 1) + 1;
    const spanY = dy * (kernel.height - 1) + 1;
    const scale = Number(($('zoom') as HTMLSelectElement).value) / data.factor;
    windowBox.hidden = false;
    windowBox.dataset.x = String(left);
    windowBox.dataset.y = String(top);
    windowBox.dataset.width = String(spanX);
    windowBox.dataset.height = String(spanY);
    windowBox.style.left = `${inputCanvas.offsetLeft + inputCanvas.clientLeft + left * scale}px`;
    windowBox.style.top = `${inputCanvas.offsetTop + inputCanvas.clientTop + top * scale}px`;
    windowBox.style.width = `${Math.max(1, spanX * scale)}px`;
    windowBox.style.height = `${Math.max(1, spanY * scale)}px`;
  };
  for (const canvas of tiles) {
    canvas.addEventListener('mousemove', (event) => {
      // Content-box coordinates (inside the 1 px border), in drawn pixels, then map pixels.
      const box = canvas.getBoundingClientRect();
      const f = data.factor;
      const x = Math.floor(((event.clientX - box.left - canvas.clientLeft) / canvas.clientWidth) * canvas.width);
      const y = Math.floor(((event.clientY - box.top - canvas.clientTop) / canvas.clientHeight) * canvas.height);
      show(canvas, x * f, y * f);
    });
    canvas.addEventListener('focus', () => show(canvas, Number(canvas.dataset.x ?? 0), Number(canvas.dataset.y ?? 0)));
    canvas.addEventListener('keydown', (event) => {
      const step: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const move = step[event.key];
      if (!move) return;
      event.preventDefault();
      show(canvas, Number(canvas.dataset.x ?? 0) + move[0] * data.factor, Number(canvas.dataset.y ?? 0) + move[1] * data.factor);
    });
  }
  ($('normalize') as HTMLSelectElement).value = data.normalize;
  ($('colormap') as HTMLSelectElement).value = data.colormap;
  $('normalize').addEventListener('change', redraw);
  $('colormap').addEventListener('change', redraw);
  $('zoom').addEventListener('change', zoom);
  drawInput();
  redraw();
  zoom();
  document.body.dataset.ready = 'true';
}
