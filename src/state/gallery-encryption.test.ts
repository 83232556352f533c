import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { openSecurityState } from '../db';
import { freshGallery } from '../db/test-utils';
import { createAttemptGuard } from './attempt-guard';
import { createGalleryStore, type GalleryServices } from './gallery-store';

/** A locked, encrypted gallery (few PBKDF2 iterations, so the test is quick) and a store over it with a shared passphrase guard. */
async function lockedGallery(factory = new IDBFactory(), clock = { t: 100_000 }) {
  const { gallery } = await freshGallery({ factory });
  await gallery.addIdentity('Ada');
  await gallery.enableEncryption('correct horse', { iterations: 1_000 });
  gallery.lock();
  const guard = createAttemptGuard('passphrase', { security: openSecurityState({ factory }), now: () => clock.t });
  await vi.waitFor(() => expect(guard.getState().loaded).toBe(true));
  const services = {
    openGallery: async () => gallery,
    embedderId: () => 'facedescriptor',
    upgradePending: () => false,
    clearUpgrade: () => undefined,
    objectUrls: { create: () => 'blob:x', revoke: () => undefined },
    passphraseGuard: guard,
  } as unknown as GalleryServices;
  return { store: createGalleryStore(services), guard, gallery, factory, clock };
}

describe('passphrase guesses', () => {
  it('wait 1, 2, 4 s after wrong passphrases, refuse a try before the wait ends, and clear on success', async () => {
    const { store, guard, clock } = await lockedGallery();
    const unlock = (p: string) => store.getState().unlockGallery(p);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await unlock('wrong guess!')).toBe(false);
      waits.push(guard.getState().waitMs(60_000));
      expect(store.getState().error).toBe(
        'That passphrase is not the one this gallery was encrypted with. Nothing was changed. ' +
          `Wait ${waits.at(-1)! / 1000} s before the next try: each wrong passphrase in a row doubles the wait, up to 60 s.`,
      );
      if (i < 2) clock.t += waits.at(-1)!;
    }
    expect(waits).toEqual([1000, 2000, 4000]);

    // Even the right passphrase is not checked before the wait ends.
    clock.t += 3_999;
    expect(await unlock('correct horse')).toBe(false);
    expect(store.getState().error).toBe(
      'Too soon after a wrong passphrase. Wait 1 s before the next try: each wrong passphrase in a row doubles the wait, up to 60 s.',
    );
    expect(store.getState().encryption).toBe('locked');
    expect(guard.getState().failures).toBe(3);

    clock.t += 1;
    expect(await unlock('correct horse')).toBe(true);
    expect(store.getState().encryption).toBe('unlocked');
    expect(guard.getState()).toMatchObject({ failures: 0, until: 0 });
  });

  it('keep their count across a reload, and count wrong passphrases given to turn encryption off', async () => {
    const factory = new IDBFactory();
    const clock = { t: 100_000 };
    const first = await lockedGallery(factory, clock);
    await first.store.getState().unlockGallery('wrong guess!');
    clock.t += 1000;
    await first.store.getState().unlockGallery('wrong guess!');
    first.gallery.close();

    // Reload: a new gallery connection, guard and store over the same database.
    const guard = createAttemptGuard('passphrase', { security: openSecurityState({ factory }), now: () => clock.t });
    await vi.waitFor(() => expect(guard.getState().loaded).toBe(true));
    expect(guard.getState().failures).toBe(2);
    expect(guard.getState().waitMs(60_000)).toBe(2000);

    const { gallery } = await freshGallery({ factory });
    await gallery.unlock('correct horse');
    const store = createGalleryStore({
      openGallery: async () => gallery,
      embedderId: () => 'facedescriptor',
      upgradePending: () => false,
      clearUpgrade: () => undefined,
      objectUrls: { create: () => 'blob:x', revoke: () => undefined },
      passphraseGuard: guard,
    } as unknown as GalleryServices);
    clock.t += 2000;
    expect(await store.getState().disableEncryption('another guess')).toBe(false);
    expect(guard.getState()).toMatchObject({ failures: 3 });
    expect(store.getState().error).toContain('Wait 4 s before the next try');
    expect(gallery.isEncrypted()).toBe(true);
  });
});
