/**
 * The sharp floor of one cnnviz run, for `npm run bench`: a process that does only what sharp does in
 * cnnviz (load sharp, decode the JPEG, encode the run's PNGs at level 1 all at once, write them), with
 * the tiles' pixels read from raw files made beforehand. cnnviz's time over this is its own work:
 * loading its modules, the maps, statistics, tiles, hashes and the grid.
 * Usage: node scripts/bench-sharp-floor.cjs photo.jpg raw-dir out-dir
 */
const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const sharp = require('sharp');

const [jpeg, rawDir, outDir] = process.argv.slice(2);
(async () => {
  await sharp(jpeg, { autoOrient: true, ignoreIcc: true }).removeAlpha().raw().toBuffer();
  mkdirSync(outDir, { recursive: true });
  const tiles = readdirSync(rawDir).filter((name) => name.endsWith('.json'));
  await Promise.all(
    tiles.map(async (name) => {
      const { width, height, channels } = JSON.parse(readFileSync(join(rawDir, name), 'utf8'));
      const pixels = readFileSync(join(rawDir, name.replace(/\.json$/, '.raw')));
      const png = await sharp(pixels, { raw: { width, height, channels } })
        .toColourspace(channels === 1 ? 'b-w' : 'srgb')
        .png({ compressionLevel: 1, adaptiveFiltering: false, palette: false })
        .toBuffer();
      writeFileSync(join(outDir, name.replace(/\.json$/, '.png')), png);
    }),
  );
})();
