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
}

export const DEFAULT_SLICE_MS = 40;

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const defaultYield = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Pacer {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly yieldTo: () => Promise<void>;
  private sliceStart: number;
  /** How many times the work gave the thread back (the tests check that it did). */
  yields = 0;

  constructor(opts: PacerOptions = {}) {
    this.sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
    this.now = opts.now ?? defaultNow;
    this.yieldTo = opts.yieldTo ?? defaultYield;
    this.sliceStart = this.now();
  }

  /** True when the current slice is used up. */
  due(): boolean {
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

/** Progress of a long backup job, for a progress bar: `done` of `total` units of the named stage. */
export interface BackupProgress {
  stage: 'reading' | 'checking' | 'writing' | 'saving';
  done: number;
  total: number;
}

export type ProgressListener = (progress: BackupProgress) => void;
