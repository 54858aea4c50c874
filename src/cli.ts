/**
 * The command line: maps flags to library options and errors to exit codes, and decides where
 * things go (files, stdout, stderr). Every step of the work is a library function that tests and
 * users can call in-process.
 */
import { readFileSync } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
// The CLI uses the library's public API and nothing else.
import {
  batchNames,
  CnnvizError,
  compareRenderings,
  EXIT_CODES,
  hasGlob,
  isCi,
  junitXml,
  listPresets,
  parseInteger,
  parseRatio,
  progressLine,
  readInput,
  removeTempsSync,
  render,
  resolveInputs,
  resolveOptions,
  runOrdered,
  stageOutputs,
  updateSnapshot,
  type CliFlags,
  type CompareOptions,
  type CompareReport,
  type Outcome,
  type RenderResult,
  type RunOptions,
  type Staging,
} from './index.js';

// commander through require: its CommonJS build loads faster than the ES module wrapper (~7 ms here).
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');
const { CommanderError, Option } = commander;

/** Where the CLI reads and writes; injectable so tests run it in-process. */
export interface CliIo {
  stdout: (data: string | Uint8Array) => void;
  stderr: (text: string) => void;
  /** All of standard input (only called when an input is `-` or stdin is piped with no input). */
  readStdin?: () => Promise<Uint8Array>;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Environment variables (CI decides what a missing snapshot means). Default: the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Temporary files and locks of writes under way, for a signal handler to remove. */
  temps?: Set<string>;
}

/**
 * The real process's streams and signals. A closed stdout (`cnnviz … | head`) ends the run quietly
 * with 141, as SIGPIPE would; any other stdout failure (a full disk) is one line and exit 3. Ctrl-C
 * (SIGINT) and SIGTERM remove the temporary files and locks of writes under way, then exit 130 / 143.
 */
function processIo(): CliIo {
  const temps = new Set<string>();
  const cleanUp = (): void => removeTempsSync(temps);
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    cleanUp();
    process.exit(143);
  });
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    cleanUp();
    process.stderr.write(`cnnviz: cannot write to stdout: ${err.code === 'ENOSPC' ? 'no space left on the device' : err.message.split('\n')[0]} (stdout)\n`);
    process.exit(EXIT_CODES.write);
  });
  return {
    stdout: (data) => process.stdout.write(data),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    temps,
  };
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit code:
 * 0 ok, 1 some images of a batch failed, 2 usage or bad input, 3 cannot write, 70 internal error.
 * @example process.exitCode = await main(['photo.png', '--out', 'maps']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT_CODES.ok;
  const program = buildProgram(io, (result) => (code = result));
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (err) {
    return report(err, io);
  }
}

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const program = new commander.Command('cnnviz')
    .description('Render what a convolutional layer does to an image: filter tiles, feature maps before and after the\nactivation, a labelled grid and a JSON manifest, identical to OpenCV + PyTorch + matplotlib.')
    .version(versionText(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .argument('[images...]', "images (PNG, JPEG, WebP, TIFF, GIF, AVIF), folders or quoted patterns such as 'shots/*.jpg'; - or nothing reads stdin")
    .option('-o, --out <dir>', 'output folder; - writes grid.png to stdout and nothing else', 'maps')
    .option('--json', 'print the manifest (a batch: a list of results) to stdout instead of the written paths')
    .option('--raw', 'also write the float maps as NumPy .npy files')
    .option('--html', 'also write index.html, an interactive report that opens offline in any browser')
    .option('-j, --jobs <n>', `images rendered at once in a batch (default: the number of cores, ${availableParallelism()})`)
    .option('--fail-fast', 'in a batch, stop at the first image that fails')
    .option('-q, --quiet', 'no notes and no progress bar on stderr (errors are still shown)')
    .option('--lock-wait <seconds>', 'how long to wait for another cnnviz run writing into the same folder (default 30)')
    .option('--compare <snapshot-dir>', 'after rendering, compare the outputs with this snapshot (see cnnviz compare)')
    .option('--update', 'with --compare: write the new outputs as the snapshot instead of comparing')
    .option('--threshold <0-255>', 'with --compare: per-channel difference that still counts as equal (default 0)')
    .option('--max-diff-pixels <n>', 'with --compare: differing pixels allowed per file (default 0)')
    .option('--max-diff-ratio <r>', 'with --compare: share of differing pixels allowed per file (default 0)')
    .option('--diff-dir <dir>', 'with --compare: where diff images go (default: beside the outputs)')
    .option('--junit <file>', 'with --compare: also write the report as JUnit XML')
    .option('--filters <name|file>', 'a preset (see --list-filters) or a kernel file (.json or libvips .mat); default: tutorial')
    .option('--kernel <spec>', "an inline kernel, ImageMagick syntax 'WxH: v,v,...' (repeatable; ';' separates kernels)", collect, [])
    .option('--list-filters', 'print the presets with their weights, then exit')
    .option('--color', 'keep R, G, B as three input channels (Conv2d(3, n)) instead of converting to gray')
    .option('--exact', "round once per tap like PyTorch's fused multiply-add, bit-identical for any weights (slower)")
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
    .addOption(new Option('--max-output-pixels <n>', 'refuse runs whose tiles would hold more pixels than this in all').default(undefined, '1000000000'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cnnviz photo.png --out maps/',
        '  cnnviz photo.png --filters sobel --colormap RdBu',
        "  cnnviz photo.png --kernel '3x3: 0,-1,0 -1,5,-1 0,-1,0' --stride 2 --pool 2",
        '',
        '  cnnviz shots/ --out maps/ --jobs 4',
        '  cat photo.png | cnnviz - --out - > grid.png',
        '  cnnviz photo.png --json | jq .files[0]',
        '',
        'Exit codes: 0 ok, 1 some images of a batch failed, 2 usage or bad input, 3 cannot write, 70 internal error.',
      ].join('\n'),
    )
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: () => undefined,
    })
    .action(async (images: string[], flags: CliFlags & { listFilters?: boolean }) => {
      if (flags.listFilters) {
        io.stdout(listPresets());
        return;
      }
      setCode(await run(images, flags, io));
    });
  program
    .command('compare')
    .description('compare two renderings, two PNG files or two output folders, pixel by pixel (never file bytes)')
    .argument('<expected>', 'the snapshot: a PNG or a folder')
    .argument('<actual>', 'the new rendering: a PNG or a folder')
    .option('--threshold <0-255>', 'per-channel difference of a pixel that still counts as equal (default 0)')
    .option('--max-diff-pixels <n>', 'differing pixels allowed per file (default 0)')
    .option('--max-diff-ratio <r>', 'share of differing pixels allowed per file, 0 to 1 (default 0)')
    .option('--diff-dir <dir>', 'where diff images go (default: beside the actual files)')
    .option('--tolerance <t>', 'relative tolerance for the manifests\' statistics (default 1e-6)')
    .option('--json', 'print the report as JSON')
    .option('--junit <file>', 'also write the report as JUnit XML')
    .addHelpText('after', '\nExit codes: 0 identical within the thresholds, 1 differences found, 2 usage error or unreadable input.')
    .action(async (expected: string, actual: string, flags: CompareFlags) => {
      setCode(await runCompare(expected, actual, flags, io));
    });
  return program;
}

/** Flags of `cnnviz compare`, and of the render command's snapshot comparison. */
interface CompareFlags {
  threshold?: string;
  maxDiffPixels?: string;
  maxDiffRatio?: string;
  diffDir?: string;
  tolerance?: string;
  json?: boolean;
  junit?: string;
}

/** `cnnviz compare`: prints the report, writes JUnit XML if asked, returns 0, 1 or 2. */
async function runCompare(expected: string, actual: string, flags: CompareFlags, io: CliIo): Promise<number> {
  const report = await compareRenderings(expected, actual, compareOptions(flags));
  if (flags.junit) await writeText(flags.junit, junitXml([report]));
  io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return report.unreadable ? EXIT_CODES.usage : report.pass ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function compareOptions(flags: CompareFlags): CompareOptions {
  return {
    thresholds: {
      threshold: flags.threshold === undefined ? 0 : parseInteger(flags.threshold, '--threshold', 0, 255),
      maxDiffPixels: flags.maxDiffPixels === undefined ? 0 : parseInteger(flags.maxDiffPixels, '--max-diff-pixels', 0, Number.MAX_SAFE_INTEGER),
      maxDiffRatio: flags.maxDiffRatio === undefined ? 0 : parseRatio(flags.maxDiffRatio, '--max-diff-ratio'),
    },
    ...(flags.diffDir !== undefined ? { diffDir: flags.diffDir } : {}),
    ...(flags.tolerance !== undefined ? { tolerance: parseRatio(flags.tolerance, '--tolerance') } : {}),
  };
}

/** The report as lines: every file that is not identical, the manifest's differences, then a verdict. */
function reportText(report: CompareReport): string {
  const lines = report.files.filter((f) => f.status !== 'match' || f.diffPixels).map((f) => f.message);
  lines.push(...report.manifest);
  const bad = report.files.filter((f) => f.status !== 'match').length + (report.manifest.length > 0 ? 1 : 0);
  lines.push(report.pass ? `match: ${report.files.length} files identical within the thresholds` : `differ: ${bad} of ${report.files.length + 1} checks failed`);
  return `${lines.join('\n')}\n`;
}

/** Writes a report file under a temporary name and renames it into place, removing the temporary on failure. */
async function writeText(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new CnnvizError('write', `cannot write: ${(err as Error).message.split('\n')[0]}`, path);
  }
}

/** What one rendered image left behind, for printing. */
interface Done {
  input: string;
  dir: string;
  written: string[];
  result: RenderResult;
  snapshot?: SnapshotOutcome;
}

/** What `--compare` found for one image. */
interface SnapshotOutcome {
  status: 'match' | 'differ' | 'missing' | 'written' | 'updated';
  report?: CompareReport;
}

/** Renders every input the arguments name and reports as the flags ask; returns the exit code. */
async function run(args: string[], flags: CliFlags & CompareFlags & { compare?: string; update?: boolean }, io: CliIo): Promise<number> {
  const options = await resolveOptions(flags);
  if (flags.update && flags.compare === undefined) throw new CnnvizError('usage', '--update goes with --compare <snapshot-dir>', '--update');
  if (flags.compare !== undefined) {
    compareOptions(flags); // validates the thresholds before any work
    if (options.toStdout) throw new CnnvizError('usage', 'comparing needs the outputs in a folder: give --out a folder', '--out - --compare');
  }
  if (args.length === 0) {
    if (io.stdinIsTTY !== false || !io.readStdin) throw new CommanderError(2, 'commander.missingArgument', "error: missing required argument 'images'");
    args = ['-'];
  }
  const inputs = await resolveInputs(args);
  const batch = inputs.length > 1 || args.some((arg) => arg !== '-' && (hasGlob(arg) || !inputs.includes(arg)));
  checkDestinations(options, inputs, batch, io);
  const names = batchNames(inputs);
  const started = Date.now();
  const progress = batch && !options.quiet && io.stderrIsTTY === true;
  const done: Done[] = [];
  let failed = 0;
  let skipped = 0;

  const job = async (input: string, index: number): Promise<Done> => {
    const bytes = input === '-' ? await readStdin(io) : await readInput(input);
    const dir = batch ? join(options.outDir, names[index]) : options.outDir;
    // Tiles are written (under temporary names) as their encodings finish, while the rest is computed.
    let staging: Staging | undefined;
    const stage = (): Staging => (staging ??= stageOutputs(dir, { ...(io.temps ? { temps: io.temps } : {}), lockTimeoutMs: options.lockWaitMs }));
    let result: RenderResult;
    try {
      result = await render(bytes, {
        ...options.render,
        inputName: input === '-' ? 'stdin' : basename(input),
        ...(options.toStdout ? {} : { onFile: (name: string, png: Promise<Uint8Array>) => stage().add(name, png) }),
      });
    } catch (err) {
      await staging?.abort();
      throw err;
    }
    if (!options.quiet) for (const note of result.notes) io.stderr(`${progress ? '\r\x1b[K' : ''}cnnviz: note: ${note} (${input})\n`);
    if (options.toStdout) {
      const grid = result.files.find((file) => file.name === 'grid.png');
      if (grid) io.stdout(grid.bytes);
      return { input, dir: '-', written: [], result };
    }
    for (const file of result.files) if (!stage().has(file.name)) stage().add(file.name, file.bytes);
    const written = await stage().commit(result.files.map((file) => file.name));
    const snapshot = flags.compare === undefined ? undefined : await checkSnapshot(dir, batch ? join(flags.compare, names[index]) : flags.compare, flags, io);
    return { input, dir, written, result, ...(snapshot ? { snapshot } : {}) };
  };
  const onOutcome = (index: number, outcome: Outcome<Done>): void => {
    if (outcome.ok) {
      done.push(outcome.value);
      if (!options.json && !options.toStdout) io.stdout(outcome.value.written.map((path) => `${path}\n`).join(''));
    } else if ('skipped' in outcome) skipped++;
    else {
      if (!batch) throw outcome.error;
      failed++;
      io.stderr(`${progress ? '\r\x1b[K' : ''}${errorLine(outcome.error, inputs[index])}\n`);
    }
  };
  const outcomes = await runOrdered(inputs, job, {
    jobs: batch ? options.jobs : 1,
    failFast: options.failFast,
    onOutcome,
    onSettled: progress ? (n, total) => io.stderr(`\r\x1b[K${progressLine(n, total, Date.now() - started)}`) : undefined,
  });
  if (progress) io.stderr('\r\x1b[K');
  if (options.json) {
    const list = outcomes.map((outcome, i) =>
      outcome.ok
        ? { input: inputs[i], out: outcome.value.dir, manifest: outcome.value.result.manifest }
        : { input: inputs[i], error: 'skipped' in outcome ? 'skipped after an earlier failure (--fail-fast)' : errorLine(outcome.error, inputs[i]) },
    );
    io.stdout(`${JSON.stringify(batch ? list : done[0].result.manifest, null, 2)}\n`);
  }
  const reports = done.flatMap((d) => (d.snapshot?.report ? [d.snapshot.report] : []));
  if (flags.junit && reports.length > 0) await writeText(flags.junit, junitXml(reports));
  const snapshotFailed = done.some((d) => d.snapshot?.status === 'differ' || d.snapshot?.status === 'missing');
  if (batch) io.stderr(`cnnviz: rendered ${done.length}, failed ${failed}${skipped ? `, skipped ${skipped}` : ''}\n`);
  return failed > 0 || snapshotFailed ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/**
 * `--compare`: updates the snapshot, writes a missing one (never under CI), or compares and prints
 * every difference on stderr.
 */
async function checkSnapshot(dir: string, snapshot: string, flags: CompareFlags & { update?: boolean }, io: CliIo): Promise<SnapshotOutcome> {
  const exists = await stat(snapshot).then(() => true, () => false);
  if (flags.update || !exists) {
    if (!exists && !flags.update && isCi(io.env ?? process.env)) {
      io.stderr(`cnnviz: snapshot missing, and CI is set: not writing it (run with --update to create it) (${snapshot})\n`);
      return { status: 'missing' };
    }
    await updateSnapshot(dir, snapshot);
    io.stderr(`cnnviz: note: snapshot ${exists ? 'updated' : 'written'} (${snapshot})\n`);
    return { status: exists ? 'updated' : 'written' };
  }
  const report = await compareRenderings(snapshot, dir, compareOptions(flags));
  if (!report.pass || report.files.some((f) => f.diffPixels)) io.stderr(reportText(report).replace(/^(?=.)/gm, 'cnnviz: '));
  return { status: report.pass ? 'match' : 'differ', report };
}

/** Refuses destinations that cannot work, before anything is read. */
function checkDestinations(options: RunOptions, inputs: readonly string[], batch: boolean, io: CliIo): void {
  if (inputs.filter((input) => input === '-').length > 1) throw new CnnvizError('usage', 'stdin can be read only once', '-');
  if (!options.toStdout) return;
  if (batch) throw new CnnvizError('usage', 'one image only when writing to stdout', '--out -');
  if (options.json) throw new CnnvizError('usage', 'stdout carries either the grid or the JSON, not both', '--out - --json');
  if (options.render.raw) throw new CnnvizError('usage', 'raw arrays are files: give --out a folder', '--out - --raw');
  if (options.render.grid === false) throw new CnnvizError('usage', 'stdout carries grid.png, which --no-grid turns off', '--out -');
  if (io.stdoutIsTTY) throw new CnnvizError('usage', 'refusing to write a PNG to a terminal: redirect or pipe stdout', '--out -');
}

async function readStdin(io: CliIo): Promise<Uint8Array> {
  if (!io.readStdin) throw new CnnvizError('input', 'no standard input to read', 'stdin');
  const bytes = await io.readStdin();
  if (bytes.length === 0) throw new CnnvizError('input', 'standard input is empty', 'stdin');
  return bytes;
}

/**
 * The one line shown for an error: cnnviz's own message with its subject (or the input it came from),
 * or an internal error, which is a bug.
 */
function errorLine(err: unknown, input?: string): string {
  if (err instanceof CnnvizError) {
    const subject = err.subject ?? input;
    return `cnnviz: ${err.message}${subject ? ` (${subject})` : ''}`;
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `cnnviz: internal error: ${message} (${input ? `${input}; ` : ''}please report this at the project's issue tracker)`;
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
  io.stderr(`${errorLine(err)}\n`);
  return err instanceof CnnvizError ? err.exitCode : EXIT_CODES.internal;
}
