import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { openSecurityState } from '../db';
import {
  createAttemptGuard,
  PASSPHRASE_MAX_WAIT_MS,
  passphraseWaitMs,
  waitRemaining,
  wrongPassphrase,
} from './attempt-guard';

describe('the passphrase wait', () => {
  it('doubles with each wrong passphrase in a row, from 1 s up to a minute', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 1000].map(passphraseWaitMs)).toEqual([
      0, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(wrongPassphrase({ failures: 2, until: 0 }, 500)).toEqual({ failures: 3, until: 4500 });
  });

  it('never lasts longer than its cap, whatever the stored end says (a clock set back)', () => {
    expect(waitRemaining({ failures: 3, until: 1e15 }, 0, PASSPHRASE_MAX_WAIT_MS)).toBe(PASSPHRASE_MAX_WAIT_MS);
    expect(waitRemaining({ failures: 3, until: 10 }, 20, PASSPHRASE_MAX_WAIT_MS)).toBe(0);
  });
});

describe('an attempt guard', () => {
  it('stores each failure, so a new guard over the same database (a reload) has the count and the wait', async () => {
    const factory = new IDBFactory();
    const clock = { t: 10_000 };
    const guard = createAttemptGuard('passphrase', { security: openSecurityState({ factory }), now: () => clock.t });
    await vi.waitFor(() => expect(guard.getState().loaded).toBe(true));
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await guard.getState().fail(wrongPassphrase);
      waits.push(guard.getState().waitMs(PASSPHRASE_MAX_WAIT_MS));
      clock.t += waits.at(-1)!;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(guard.getState()).toMatchObject({ failures: 4, persistent: true });

    clock.t -= 3000; // reload 3 s before the last wait ends
    const reloaded = createAttemptGuard('passphrase', { security: openSecurityState({ factory }), now: () => clock.t });
    await vi.waitFor(() => expect(reloaded.getState().loaded).toBe(true));
    expect(reloaded.getState().failures).toBe(4);
    expect(reloaded.getState().waitMs(PASSPHRASE_MAX_WAIT_MS)).toBe(3000);

    await reloaded.getState().succeed();
    const again = createAttemptGuard('passphrase', { security: openSecurityState({ factory }), now: () => clock.t });
    await vi.waitFor(() => expect(again.getState().loaded).toBe(true));
    expect(again.getState()).toMatchObject({ failures: 0, until: 0 });
  });

  it('counts in this tab only, and says so, where IndexedDB cannot be used', async () => {
    // Storage that refuses every call, as IndexedDB does in some private windows.
    const refuse = () => Promise.reject(new Error('This browser does not let Facet store data.'));
    const unavailable = { read: refuse, update: refuse, close: () => undefined };
    const guard = createAttemptGuard('passphrase', { security: unavailable, now: () => 0 });
    await guard.getState().fail(wrongPassphrase);
    await guard.getState().fail(wrongPassphrase);
    expect(guard.getState()).toMatchObject({ failures: 2, until: 2000, persistent: false });
    const none = createAttemptGuard('face-unlock', { security: null, now: () => 0 });
    await none.getState().fail(wrongPassphrase);
    expect(none.getState()).toMatchObject({ failures: 1, persistent: false });
  });
});
