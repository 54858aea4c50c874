/**
 * The command line: maps flags to library options and errors to exit codes. Nothing else lives
 * here; every step is a library function that tests and users can call in-process.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CnnvizError, EXIT_CODES } from './errors.js';
import { resolveOptions, type CliFlags } from './options.js';
import { listPresets } from './presets.js';
import { readInput } from './read.js';
import { render } from './render.js';
import { writeOutputs } from './write.js';

/** Where the CLI writes; injectable so tests run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit code:
 * 0 ok, 2 usage or bad input, 3 cannot write, 70 internal error.
 * @example process.exitCode = await main(['photo.png', '--out', 'maps']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (err) {
    return report(err, io);
  }
}

function buildProgram(io: CliIo): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const program = new Command('cnnviz')
    .description('Render what a convolutional layer does to an image: filter tiles, feature maps before and after the\nactivation, a labelled grid and a JSON manifest, identical to OpenCV + PyTorch + matplotlib.')
    .version(versionText(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .argument('[image]', 'input image: PNG, JPEG, WebP, TIFF, GIF (first frame) or AVIF')
    .option('-o, --out <dir>', 'output folder', 'maps')
    .option('--filters <name|file>', 'a preset (see --list-filters) or a kernel file (.json or libvips .mat); default: tutorial')
    .option('--kernel <spec>', "an inline kernel, ImageMagick syntax 'WxH: v,v,...' (repeatable; ';' separates kernels)", collect, [])
    .option('--list-filters', 'print the presets with their weights, then exit')
    .option('--color', 'keep R, G, B as three input channels (Conv2d(3, n)) instead of converting to gray')
    .option('--stride <n|y,x>', 'step between windows (default 1)')
    .option('--padding <mode>', 'valid (default), same, n or y,x pixels of zero padding')
    .option('--dilation <n|y,x>', 'spacing between kernel taps (default 1)')
    .option('--activation <name>', 'relu (default), none, abs, leaky-relu or leaky-relu:<slope>')
    .option('--no-relu', 'same as --activation none: write and show only the maps before activation')
    .option('--pool <n>', 'max-pool n×n with stride n after the activation (writes pool-N.png)')
    .option('--normalize <mode>', 'per-map (default; symmetric with a diverging colormap), shared, symmetric or none')
    .option('--range <lo,hi>', 'map the values lo..hi to the colormap for every map (instead of --normalize)')
    .option('--colormap <name>', 'gray (default), viridis, magma, inferno, plasma, cividis, RdBu, bwr, seismic, coolwarm')
    .option('--zoom <n>', 'enlarge map tiles n times, nearest neighbour (default 1)')
    .option('--cols <n>', 'tiles per row in grid.png (default 8)')
    .option('--gap <px>', 'space between tiles in grid.png (default 16)')
    .option('--no-labels', 'no titles, labels or legends in grid.png')
    .option('--no-grid', 'do not write grid.png')
    .option('--background <colour>', 'flatten transparency onto this colour (#rrggbb, r,g,b or a name) instead of dropping alpha')
    .option('--compression <0-9>', 'PNG zlib level, 0 (fastest) to 9 (smallest) (default 1)')
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this (checked from the header)').default(undefined, '100000000'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cnnviz photo.png --out maps/',
        '  cnnviz photo.png --filters sobel --colormap RdBu',
        "  cnnviz photo.png --kernel '3x3: 0,-1,0 -1,5,-1 0,-1,0' --stride 2 --pool 2",
        '',
        'Exit codes: 0 ok, 2 usage or bad input, 3 cannot write, 70 internal error.',
      ].join('\n'),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: () => undefined,
    })
    .action(async (image: string | undefined, flags: CliFlags & { listFilters?: boolean }) => {
      if (flags.listFilters) {
        io.stdout(listPresets());
        return;
      }
      if (image === undefined) throw new CommanderError(2, 'commander.missingArgument', "error: missing required argument 'image'");
      const options = await resolveOptions(image, flags);
      const bytes = await readInput(options.input);
      const result = await render(bytes, { ...options.render, inputName: basename(options.input) });
      for (const note of result.notes) io.stderr(`cnnviz: note: ${note} (${options.input})\n`);
      const written = await writeOutputs(options.outDir, result.files);
      io.stdout(written.map((path) => `${path}\n`).join(''));
    });
  return program;
}

/** The package version, read from package.json without loading the pipeline (and sharp). */
function versionText(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Prints one line for an error and returns its exit code. */
function report(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT_CODES.ok;
    }
    const message = err.message.replace(/^error:\s*/, '').split('\n')[0];
    io.stderr(`cnnviz: ${message} (see cnnviz --help)\n`);
    return EXIT_CODES.usage;
  }
  if (err instanceof CnnvizError) {
    io.stderr(`cnnviz: ${err.message}${err.subject ? ` (${err.subject})` : ''}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  io.stderr(`cnnviz: internal error: ${message} (please report this at the project's issue tracker)\n`);
  return EXIT_CODES.internal;
}
