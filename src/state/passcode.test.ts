import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { hashPasscode, openPasscodeStorage, openSecurityState, verifyPasscode } from '../db';
import { createAttemptGuard, passcodeWaitMs } from './attempt-guard';
import { createPasscodeStore } from './passcode';

/** A passcode store on a fresh in-memory IndexedDB with a clock we move; hashing at few iterations. */
function setup(factory = new IDBFactory(), clock = { t: 1_000_000 }) {
  const onUnlock = vi.fn();
  const session = { open: true };
  const storage = openPasscodeStorage({ factory });
  const guard = createAttemptGuard('passcode', {
    security: openSecurityState({ factory }),
    now: () => clock.t,
  });
  const store = createPasscodeStore({
    storage,
    guard,
    hash: (p) => hashPasscode(p, 1000),
    verify: verifyPasscode,
    onUnlock,
    unlocked: () => session.open,
  });
  return { store, storage, guard, onUnlock, clock, factory, session };
}

describe('the passcode store', () => {
  it('sets a passcode typed twice, keeps only its hash, and unlocks with it after a reload', async () => {
    const { store, storage, onUnlock, factory } = setup();
    await store.getState().refresh();
    expect(store.getState().status).toBe('none');
    expect(await store.getState().setPasscode('1357', '1375')).toBe(false);
    expect(store.getState().error).toMatch(/differ/);
    expect(await store.getState().setPasscode('13', '13')).toBe(false);
    expect(store.getState().error).toMatch(/at least 4/);
    expect(await store.getState().setPasscode('1357', '1357')).toBe(true);
    expect(store.getState().status).toBe('set');
    const stored = await storage.read();
    expect(stored?.hash).toHaveLength(32);

    const reloaded = setup(factory);
    await reloaded.store.getState().refresh();
    expect(reloaded.store.getState().status).toBe('set');
    expect(await reloaded.store.getState().unlock('1357')).toBe(true);
    expect(reloaded.onUnlock).toHaveBeenCalledTimes(1);
    expect(onUnlock).not.toHaveBeenCalled();
  });

  it('counts wrong passcodes against their own limit: four free, then a wait kept across a reload', async () => {
    const { store, guard, onUnlock, clock, factory } = setup();
    await store.getState().setPasscode('2468', '2468');
    for (let i = 1; i <= 4; i++) {
      expect(await store.getState().unlock(`000${i}`)).toBe(false);
      expect(store.getState().error).toMatch(/^Wrong passcode\./);
    }
    expect(store.getState().error).toContain('wait of 1 min');
    expect(await store.getState().unlock('0005')).toBe(false);
    expect(store.getState().error).toBe('Wrong passcode. Try again in 1 min.');
    expect(guard.getState().failures).toBe(5);
    // During the wait even the right passcode is refused, and is not counted; a reload keeps the wait.
    const reloaded = setup(factory, clock);
    expect(await reloaded.store.getState().unlock('2468')).toBe(false);
    expect(reloaded.store.getState().error).toMatch(/Too many wrong passcodes\. Try again in 1 min\./);
    expect(reloaded.onUnlock).not.toHaveBeenCalled();
    expect((await reloaded.guard.getState().refresh()).failures).toBe(5);
    // After it, the right passcode unlocks and clears the count.
    clock.t += 60_000;
    expect(await reloaded.store.getState().unlock('2468')).toBe(true);
    expect(reloaded.onUnlock).toHaveBeenCalledTimes(1);
    expect((await guard.getState().refresh()).failures).toBe(0);
    expect(onUnlock).not.toHaveBeenCalled();
  });

  it('waits longer the more wrong passcodes in a row', () => {
    expect([1, 4, 5, 6, 7, 8, 20].map(passcodeWaitMs)).toEqual([0, 0, 60_000, 300_000, 900_000, 3_600_000, 3_600_000]);
  });

  it('is set only while unlocked, so a locked-out stranger cannot set one and use it', async () => {
    const { store, storage, session } = setup();
    session.open = false;
    expect(await store.getState().setPasscode('4321', '4321')).toBe(false);
    expect(store.getState().error).toMatch(/^Unlock first/);
    expect(await storage.read()).toBeNull();
    session.open = true;
    expect(await store.getState().setPasscode('4321', '4321')).toBe(true);
  });

  it('changes or removes a passcode only with the current one', async () => {
    const { store, storage } = setup();
    await store.getState().setPasscode('1111', '1111');
    expect(await store.getState().setPasscode('2222', '2222', 'nope')).toBe(false);
    expect(store.getState().error).toMatch(/not changed\. Wrong passcode/);
    expect(await verifyPasscode('1111', (await storage.read())!)).toBe(true);
    expect(await store.getState().setPasscode('2222', '2222', '1111')).toBe(true);
    expect(await verifyPasscode('2222', (await storage.read())!)).toBe(true);
    expect(await store.getState().removePasscode('1111')).toBe(false);
    expect(await storage.read()).not.toBeNull();
    expect(await store.getState().removePasscode('2222')).toBe(true);
    expect(await storage.read()).toBeNull();
    expect(store.getState().status).toBe('none');
  });
});
