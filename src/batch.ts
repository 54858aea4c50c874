/**
 * Batch: runs one job per input with a bounded number at a time, hands each outcome back in input
 * order (so what is printed does not depend on which job finished first), and stops starting new
 * jobs after a failure when asked to.
 */

/** How one input ended. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: false; skipped: true };

/** Options of {@link runOrdered}. */
export interface OrderedOptions<T> {
  /** Jobs running at once, at least 1. */
  jobs: number;
  /** After the first failure start no more jobs; those not started end as skipped. */
  failFast?: boolean;
  /** Called once per input, in input order, as soon as it and every input before it have ended. */
  onOutcome?: (index: number, outcome: Outcome<T>) => void;
  /** Called whenever a job ends, in completion order (for progress). */
  onSettled?: (done: number, total: number) => void;
}

/**
 * Runs `job` over `items` with at most `jobs` at once; resolves to every outcome, in input order.
 * @example await runOrdered(['a.png', 'b.png'], (path) => render(path), { jobs: 2 })
 */
export async function runOrdered<I, T>(items: readonly I[], job: (item: I, index: number) => Promise<T>, options: OrderedOptions<T>): Promise<Outcome<T>[]> {
  const outcomes: (Outcome<T> | undefined)[] = new Array(items.length);
  let next = 0;
  let reported = 0;
  let done = 0;
  let stopped = false;
  const flush = (): void => {
    while (reported < items.length && outcomes[reported] !== undefined) {
      options.onOutcome?.(reported, outcomes[reported] as Outcome<T>);
      reported++;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      if (stopped) {
        outcomes[index] = { ok: false, skipped: true };
      } else {
        try {
          outcomes[index] = { ok: true, value: await job(items[index], index) };
        } catch (error) {
          outcomes[index] = { ok: false, error };
          if (options.failFast) stopped = true;
        }
      }
      done++;
      options.onSettled?.(done, items.length);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, items.length)) }, worker));
  flush();
  return outcomes as Outcome<T>[];
}

/**
 * A one-line progress bar for a terminal: images done, total, rate and time left.
 * @example progressLine(12, 40, 4000) // '[=======             ] 12/40  3.0 img/s  ETA 9s'
 */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const width = 20;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  return `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)} img/s  ETA ${eta}s`;
}
