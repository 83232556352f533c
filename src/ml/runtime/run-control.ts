// Pause, resume and stop for the long loops (style transfer, feature visualisation, Lab
// training), and the yield they take between steps so that a tab never freezes.

/** Pause, resume and stop a run from a button or a page leaving; pass it as `control`. */
export class RunControl {
  private readonly controller = new AbortController();
  private isPaused = false;
  private waiters: (() => void)[] = [];

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
    this.release();
  }

  /** Ends the run after the current step; a paused run ends at once. */
  stop(): void {
    this.controller.abort();
    this.release();
  }

  /** Resolves when the run may go on: not paused, or stopped (here or through `other`). */
  whenRunning(other?: AbortSignal): Promise<void> {
    if (!this.isPaused || this.signal.aborted || other?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      other?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}

/** Longest stretch, ms, that the loops may keep the main thread between real task boundaries. */
const MAX_BUSY_MS = 30;
let lastBoundary = 0;

/**
 * Lets the browser paint and handle input between steps. `scheduler.yield()` is cheap but its
 * continuation runs ahead of every other task, so on backends that compute on the main thread
 * (wasm, cpu) painting, timers and clicks starved until a run ended (measured in the Lab). So
 * every ~30 ms the loop takes a real macrotask boundary (`setTimeout`) instead.
 */
export function yieldToEventLoop(): Promise<void> {
  const now = performance.now();
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (now - lastBoundary < MAX_BUSY_MS && typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) =>
    setTimeout(() => {
      lastBoundary = performance.now();
      resolve();
    }, 0),
  );
}
