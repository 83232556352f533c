// An attempt counter as a store: failed attempts in a row and the time before which no attempt is
// allowed, read from and written to IndexedDB (db/security.ts) so that a reload or a second tab
// sees the same count, and told to other tabs over a BroadcastChannel (with a re-read when the tab
// comes back into view, for browsers or moments where a message is missed). Face Unlock's lockout
// and the passphrase's growing wait are two counters of this kind; their rules are the `change`
// functions given to `fail` and `succeed`.
import { create } from 'zustand';
import { NO_FAILURES, type GuardKey, type GuardRecord, type SecurityState } from '../db';

export type { GuardKey, GuardRecord };

/** Tells other tabs that a counter changed, and hears them say so. */
export interface GuardChannel {
  post(key: GuardKey): void;
  listen(onChange: (key: GuardKey) => void): () => void;
}

export interface GuardServices {
  /** The stored counters; null where IndexedDB cannot be used (the counter then holds in this tab only). */
  security: SecurityState | null;
  now(): number;
  channel?: GuardChannel;
  /** Calls `refresh` whenever the tab may have missed a message (focus, visible again). */
  onWake?(refresh: () => void): () => void;
}

/** A rule for a failed or successful attempt: the counter after it, from the one before it. */
export type GuardChange = (current: GuardRecord, now: number) => GuardRecord;

export interface AttemptGuardState extends GuardRecord {
  /** The stored counter has been read at least once. */
  loaded: boolean;
  /** False after the counter could not be stored: it then holds in this tab only, until a write succeeds. */
  persistent: boolean;
  /** Re-reads the stored counter. */
  refresh(): Promise<GuardRecord>;
  /** Records a failed attempt by `change`; resolves to the counter as stored. */
  fail(change: GuardChange): Promise<GuardRecord>;
  /** Records a successful attempt (by default: no failures, no wait). */
  succeed(change?: GuardChange): Promise<GuardRecord>;
  /** Milliseconds until an attempt is allowed by this tab's clock, at most `capMs`; 0: now. */
  waitMs(capMs: number): number;
  /** Stops listening to other tabs and to the page's focus. */
  dispose(): void;
}

/** The counter `key` over `services`: read once at creation, then kept in step with every tab. */
export function createAttemptGuard(key: GuardKey, services: GuardServices) {
  const { security, now } = services;
  // One read or write at a time in this tab, in order, so a refresh never overtakes a failure.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step, step);
    queue = next.catch(() => undefined);
    return next;
  };

  const store = create<AttemptGuardState>()((set, get) => {
    const apply = (record: GuardRecord, persistent: boolean) => {
      set({ ...record, loaded: true, persistent });
      return record;
    };

    const write = (change: GuardChange) =>
      serial(async () => {
        const t = now();
        if (security) {
          try {
            const record = apply(await security.update(key, (current) => change(current, t)), true);
            services.channel?.post(key);
            return record;
          } catch {
            // Storage refused (quota, closed by another tab's upgrade…): count in this tab all the same.
          }
        }
        const { failures, until } = get();
        return apply(change({ failures, until }, t), false);
      });

    return {
      ...NO_FAILURES,
      loaded: false,
      persistent: security !== null,
      refresh: () =>
        serial(async () => {
          if (!security) return apply({ failures: get().failures, until: get().until }, false);
          try {
            return apply(await security.read(key), true);
          } catch {
            return apply({ failures: get().failures, until: get().until }, false);
          }
        }),
      fail: (change) => write(change),
      succeed: (change = () => NO_FAILURES) => write(change),
      waitMs: (capMs) => waitRemaining(get(), now(), capMs),
      dispose: () => stops.forEach((stop) => stop()),
    };
  });

  const refresh = () => void store.getState().refresh();
  const stops = [
    services.channel?.listen((changed) => changed === key && refresh()),
    services.onWake?.(refresh),
  ].filter((s) => s !== undefined);
  refresh();
  return store;
}

export type AttemptGuard = ReturnType<typeof createAttemptGuard>;

/** Milliseconds until `record` allows an attempt, at most `capMs` (a clock set back cannot make it longer). */
export function waitRemaining(record: GuardRecord, now: number, capMs: number): number {
  return Math.max(0, Math.min(record.until - now, capMs));
}

/** The longest wait after wrong passphrases. */
export const PASSPHRASE_MAX_WAIT_MS = 60_000;

/** The wait after `failures` wrong passphrases in a row: 1 s, 2 s, 4 s … doubling up to a minute. */
export function passphraseWaitMs(failures: number): number {
  return failures <= 0 ? 0 : Math.min(PASSPHRASE_MAX_WAIT_MS, 1000 * 2 ** (failures - 1));
}

/** A wrong passphrase: one more failure, and the wait that many failures earn from now. */
export const wrongPassphrase: GuardChange = (current, now) => {
  const failures = current.failures + 1;
  return { failures, until: now + passphraseWaitMs(failures) };
};

/** Wrong passcodes in a row that cost nothing but the count; a typo or two should not lock a person out. */
export const PASSCODE_FREE_TRIES = 4;

/** The waits after the 5th, 6th, 7th and every later wrong passcode in a row: 1 min, 5 min, 15 min, 1 h. */
const PASSCODE_WAITS_MS = [60_000, 300_000, 900_000, 3_600_000] as const;

/** The longest wait after wrong passcodes. */
export const PASSCODE_MAX_WAIT_MS = 3_600_000;

/** The wait after `failures` wrong passcodes in a row, as a phone counts them. */
export function passcodeWaitMs(failures: number): number {
  if (failures <= PASSCODE_FREE_TRIES) return 0;
  return PASSCODE_WAITS_MS[Math.min(failures - PASSCODE_FREE_TRIES, PASSCODE_WAITS_MS.length) - 1]!;
}

/** A wrong passcode: one more failure, and the wait that many failures earn from now. */
export const wrongPasscode: GuardChange = (current, now) => {
  const failures = current.failures + 1;
  const wait = passcodeWaitMs(failures);
  return { failures, until: wait > 0 ? now + wait : 0 };
};

/** A counter's changes told to other tabs through a BroadcastChannel; undefined where there is none. */
export function broadcastGuardChannel(name = 'facet-security'): (GuardChannel & { close(): void }) | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  return {
    post: (key) => channel.postMessage({ key }),
    listen(onChange) {
      const heard = (e: MessageEvent) => {
        const key = (e.data as { key?: unknown } | null)?.key;
        if (key === 'face-unlock' || key === 'passphrase' || key === 'passcode') onChange(key);
      };
      channel.addEventListener('message', heard);
      return () => channel.removeEventListener('message', heard);
    },
    close: () => channel.close(),
  };
}
