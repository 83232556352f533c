/**
 * Long work on the page's one thread, in slices: a loop asks `due()` as often as it likes (it only
 * reads a clock) and awaits `yield()` when it says so, which lets the browser paint and handle input
 * before the next slice. A backup of 100,000 people is read, checked and written this way, so the
 * page never stops responding for longer than about one slice.
 */
export interface PacerOptions {
  /** How long one slice may run before the loop yields; 40 ms keeps frames and input fluid. */
  sliceMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
  /** How to give the thread back; a zero-delay timer by default. */
  yieldTo?: () => Promise<void>;
  /** Read the clock on every n-th `due()` only: reading it per record cost a sixth of a 100,000-person import. */
  checkEvery?: number;
}

export const DEFAULT_SLICE_MS = 40;

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const defaultYield = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Pacer {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly yieldTo: () => Promise<void>;
  private readonly checkEvery: number;
  private sliceStart: number;
  private calls = 0;
  /** How many times the work gave the thread back (the tests check that it did). */
  yields = 0;

  constructor(opts: PacerOptions = {}) {
    this.sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
    this.now = opts.now ?? defaultNow;
    this.yieldTo = opts.yieldTo ?? defaultYield;
    this.checkEvery = Math.max(1, opts.checkEvery ?? 16);
    this.sliceStart = this.now();
  }

  /** True when the current slice is used up (looked at on every `checkEvery`-th call). */
  due(): boolean {
    if (++this.calls < this.checkEvery) return false;
    this.calls = 0;
    return this.now() - this.sliceStart >= this.sliceMs;
  }

  async yield(): Promise<void> {
    this.yields++;
    await this.yieldTo();
    this.sliceStart = this.now();
  }

  /** Yield if the slice is used up; `await pacer.step()` in a loop that can afford a microtask. */
  async step(): Promise<void> {
    if (this.due()) await this.yield();
  }
}

/** Elements sorted by the built-in sort at a time, before the runs are merged. */
const SORT_RUN = 4096;

/**
 * Sort in slices: runs of SORT_RUN sorted by the built-in (stable) sort, then merged pairwise,
 * yielding between slices. Stable, like Array.prototype.sort; sorting 100,000 names by a collator
 * in one go held the page for a third of a second.
 */
export async function sortPaced<T>(items: T[], compare: (a: T, b: T) => number, pacer: Pacer): Promise<T[]> {
  let runs: T[][] = [];
  for (let at = 0; at < items.length; at += SORT_RUN) {
    runs.push(items.slice(at, at + SORT_RUN).sort(compare));
    if (pacer.due()) await pacer.yield();
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = runs[r]!;
      const b = runs[r + 1];
      if (b === undefined) {
        next.push(a);
        continue;
      }
      const out: T[] = new Array<T>(a.length + b.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < a.length && j < b.length) {
        // `<= 0` takes from the earlier run on ties: stable.
        out[k++] = compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
        if (pacer.due()) await pacer.yield();
      }
      while (i < a.length) out[k++] = a[i++]!;
      while (j < b.length) out[k++] = b[j++]!;
      next.push(out);
    }
    runs = next;
  }
  return runs[0] ?? [];
}

/** Progress of a long backup job, for a progress bar: `done` of `total` units of the named stage. */
export interface BackupProgress {
  stage: 'reading' | 'checking' | 'writing' | 'saving';
  done: number;
  total: number;
}

export type ProgressListener = (progress: BackupProgress) => void;
