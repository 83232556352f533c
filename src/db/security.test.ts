import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openGallery } from './gallery';
import { NO_FAILURES, openSecurityState } from './security';
import { embedding, rawOpen } from './test-utils';

const bump = (r: { failures: number; until: number }) => ({ failures: r.failures + 1, until: 5_000 + r.failures });

describe('attempt counters in IndexedDB', () => {
  it('start empty, and keep what was written for a new instance over the same database (a reload)', async () => {
    const factory = new IDBFactory();
    const first = openSecurityState({ factory });
    expect(await first.read('face-unlock')).toEqual(NO_FAILURES);
    expect(await first.update('face-unlock', bump)).toEqual({ failures: 1, until: 5_000 });
    expect(await first.update('face-unlock', bump)).toEqual({ failures: 2, until: 5_001 });
    first.close();
    const reloaded = openSecurityState({ factory });
    expect(await reloaded.read('face-unlock')).toEqual({ failures: 2, until: 5_001 });
    // Each counter is its own row.
    expect(await reloaded.read('passphrase')).toEqual(NO_FAILURES);
    reloaded.close();
  });

  it('count every failure when two tabs fail at the same time', async () => {
    const factory = new IDBFactory();
    const a = openSecurityState({ factory });
    const b = openSecurityState({ factory });
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).update('passphrase', bump)));
    expect((await a.read('passphrase')).failures).toBe(10);
    expect((await b.read('passphrase')).failures).toBe(10);
    a.close();
    b.close();
  });

  it('read a row of the wrong shape as no failures and no wait, and live beside the gallery', async () => {
    const factory = new IDBFactory();
    const gallery = await openGallery({ factory });
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(ada.id, {
      modelId: 'facedescriptor',
      embedding: embedding(128, 1),
      source: 'photo',
      quality: 0.9,
    });
    const security = openSecurityState({ factory });
    expect(await security.update('face-unlock', bump)).toEqual({ failures: 1, until: 5_000 });
    const db = await rawOpen(factory, 3);
    const tx = db.transaction('security', 'readwrite');
    tx.objectStore('security').put({ key: 'face-unlock', failures: 'many', until: -4 });
    tx.objectStore('security').put({ key: 'passphrase', failures: 2.5, until: Number.NaN });
    await new Promise((r) => (tx.oncomplete = r));
    db.close();
    expect(await security.read('face-unlock')).toEqual(NO_FAILURES);
    expect(await security.read('passphrase')).toEqual(NO_FAILURES);
    expect(await gallery.count()).toMatchObject({ identities: 1, templates: 1 });
    security.close();
    gallery.close();
  });

  it('reopen after another tab upgrades the database', async () => {
    const factory = new IDBFactory();
    const security = openSecurityState({ factory });
    await security.update('passphrase', bump);
    // A newer tab takes the database to the next version; this connection steps aside.
    (await rawOpen(factory, 4)).close();
    const reopened = await security.read('passphrase').catch((e: Error) => e.message);
    expect(reopened).toBe('This gallery was written by a newer version of Facet; update the app.');
    security.close();
  });
});
