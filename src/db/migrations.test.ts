import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from './errors';
import { openDatabase } from './connection';
import { openGallery } from './gallery';
import { MIGRATED_QUALITY, MIGRATIONS } from './migrations';
import { DB_NAME, SCHEMA_VERSION } from './schema';
import { done, jpeg, rawDump, rawOpen, rejection } from './test-utils';

/** The v1 schema exactly as v1 of the app created it — written out here, not taken from MIGRATIONS. */
function createV1(db: IDBDatabase): void {
  db.createObjectStore('identities', { keyPath: 'id' });
  db.createObjectStore('templates', { keyPath: 'id' }).createIndex('identityId', 'identityId');
  db.createObjectStore('thumbnails', { keyPath: 'id' }).createIndex('identityId', 'identityId');
  db.createObjectStore('meta', { keyPath: 'key' });
}

const v1Embedding = [0.1, -0.25, 1 / 3, 2e-8, -0, 0.7];

async function seedV1(factory: IDBFactory, templates: Record<string, unknown>[]): Promise<Blob> {
  const db = await rawOpen(factory, 1, createV1);
  const blob = jpeg(40);
  const tx = db.transaction(['identities', 'templates', 'thumbnails'], 'readwrite');
  tx.objectStore('identities').put({ schema: 1, id: 'ada', name: 'Ada', notes: 'first', created: 10, updated: 11 });
  for (const t of templates) tx.objectStore('templates').put(t);
  tx.objectStore('thumbnails').put({
    schema: 1,
    id: 'th1',
    identityId: 'ada',
    templateId: 't1',
    blob,
    width: 8,
    height: 8,
    created: 12,
  });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('seed failed'));
  });
  db.close();
  return blob;
}

const v1Template = (id: string, modelId: string, embedding: unknown) => ({
  schema: 1,
  id,
  identityId: 'ada',
  modelId,
  embedding,
  source: 'webcam',
  created: 20,
});

describe('migrations', () => {
  it('are numbered 1..SCHEMA_VERSION with no gaps, so every old version has a path to the current one', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('create the current schema in a fresh database', async () => {
    const factory = new IDBFactory();
    const gallery = await openGallery({ factory });
    gallery.close();
    const db = await rawOpen(factory, SCHEMA_VERSION);
    expect(db.version).toBe(3);
    expect([...db.objectStoreNames].sort()).toEqual(['identities', 'meta', 'security', 'templates', 'thumbnails']);
    const tx = db.transaction(['templates', 'thumbnails'], 'readonly');
    const templates = tx.objectStore('templates');
    expect([...templates.indexNames].sort()).toEqual(['identityId', 'identityModel', 'modelId']);
    expect(templates.index('identityModel').keyPath).toEqual(['identityId', 'modelId']);
    expect([...tx.objectStore('thumbnails').indexNames]).toEqual(['identityId']);
    db.close();
  });

  it('upgrade a v1 gallery: number[] embeddings become Float32Array with dim and quality 0.5', async () => {
    const factory = new IDBFactory();
    const blob = await seedV1(factory, [
      v1Template('t1', 'mobilefacenet', v1Embedding),
      v1Template(
        't2',
        'mobilefacenet',
        v1Embedding.map((v) => v * 2),
      ),
      v1Template('t3', 'faceres', [1, 2, 3]),
    ]);

    const gallery = await openGallery({ factory });
    const dump = await rawDump(factory);
    expect(dump.version).toBe(SCHEMA_VERSION);
    expect(dump.templates).toEqual([
      {
        ...v1Template('t1', 'mobilefacenet', Float32Array.from(v1Embedding)),
        schema: 2,
        dim: 6,
        quality: MIGRATED_QUALITY,
      },
      {
        ...v1Template('t2', 'mobilefacenet', Float32Array.from(v1Embedding.map((v) => v * 2))),
        schema: 2,
        dim: 6,
        quality: 0.5,
      },
      { ...v1Template('t3', 'faceres', Float32Array.from([1, 2, 3])), schema: 2, dim: 3, quality: 0.5 },
    ]);
    const migrated = dump.templates[0] as { embedding: unknown };
    expect(migrated.embedding).toBeInstanceOf(Float32Array);
    expect(dump.identities).toEqual([{ schema: 2, id: 'ada', name: 'Ada', notes: 'first', created: 10, updated: 11 }]);
    expect(dump.thumbnails).toEqual([
      {
        schema: 2,
        id: 'th1',
        identityId: 'ada',
        templateId: 't1',
        type: 'image/jpeg',
        blob: [...new Uint8Array(await blob.arrayBuffer())],
        width: 8,
        height: 8,
        created: 12,
      },
    ]);

    // The new indexes were built over the migrated rows.
    const packed = await gallery.templatesForModel('mobilefacenet');
    expect(packed.ids).toEqual(['t1', 't2']);
    expect(packed.dim).toBe(6);
    expect(Array.from(packed.matrix.subarray(0, 6))).toEqual(Array.from(Float32Array.from(v1Embedding)));
    const [ada] = await gallery.listIdentities();
    expect(ada?.templatesByModel).toEqual({ faceres: 1, mobilefacenet: 2 });
    gallery.close();
  });

  it('upgrade a v2 gallery to v3: an empty security store is added and every row stays as it was', async () => {
    const factory = new IDBFactory();
    await seedV1(factory, [v1Template('t1', 'facedescriptor', v1Embedding)]);
    // Migrations 1..2 only: the gallery as version 2 of the app left it.
    (await openDatabase(factory, DB_NAME, {}, 2)).close();
    const v2 = await rawDump(factory);
    expect(v2.version).toBe(2);
    expect(v2.templates).toHaveLength(1);

    const gallery = await openGallery({ factory });
    gallery.close();
    const v3 = await rawDump(factory);
    expect(v3).toEqual({ ...v2, version: 3 });
    const db = await rawOpen(factory, 3);
    expect(db.objectStoreNames.contains('security')).toBe(true);
    const security = db.transaction('security', 'readonly').objectStore('security');
    expect(security.keyPath).toBe('key');
    expect(await done(security.count())).toBe(0);
    db.close();
  });

  it('roll the whole upgrade back when a v1 row cannot be migrated, leaving the v1 data intact', async () => {
    const factory = new IDBFactory();
    await seedV1(factory, [
      v1Template('t1', 'mobilefacenet', v1Embedding),
      v1Template('t2', 'mobilefacenet', ['not', 'numbers']),
    ]);
    const before = await rawDump(factory);

    const err = await rejection(openGallery({ factory }));
    expect(err.kind).toBe('upgrade-failed');
    expect(err.message).toMatch(/could not upgrade the gallery to version 2 \(template t2 .*\)\. Nothing was changed/);

    const after = await rawDump(factory);
    expect(after.version).toBe(1);
    expect(after).toEqual(before);
  });

  it('refuse a database written by a newer Facet with a clear message', async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, SCHEMA_VERSION + 1, createV1)).close();
    const err = await rejection(openGallery({ factory }));
    expect(err.kind).toBe('newer');
    expect(err.message).toBe(MESSAGES.newer);
    expect(err.message).toBe('This gallery was written by a newer version of Facet; update the app.');
  });

  it('report "blocked" when an older tab keeps the database open, and close the late connection', async () => {
    const factory = new IDBFactory();
    const oldTab = await rawOpen(factory, 1, createV1); // an old Facet with no versionchange handler
    const err = await rejection(openGallery({ factory }));
    expect(err.kind).toBe('blocked');
    expect(err.message).toBe('Facet is open in another tab with an older version; close the other tabs and reload.');
    // When the old tab finally closes, the pending upgrade completes and its connection is closed
    // again, so a later delete is not blocked by a leaked connection.
    oldTab.close();
    await new Promise((r) => setTimeout(r, 20));
    const deleting = factory.deleteDatabase(DB_NAME);
    const outcome = await new Promise((resolve) => {
      deleting.onblocked = () => resolve('blocked');
      deleting.onsuccess = () => resolve('deleted');
    });
    expect(outcome).toBe('deleted');
  });

  it('step aside when a newer version opens in another tab, then refuse calls with a reload message', async () => {
    const factory = new IDBFactory();
    const closed: string[] = [];
    const gallery = await openGallery({ factory, onClose: (e) => closed.push(e.kind) });
    const newerTab = await rawOpen(factory, SCHEMA_VERSION + 1); // would be blocked if we held on
    expect(newerTab.version).toBe(SCHEMA_VERSION + 1);
    expect(closed).toEqual(['blocked']);
    const err = await rejection(gallery.count());
    expect(err.kind).toBe('blocked');
    expect(err.message).toBe(MESSAGES.replaced);
    newerTab.close();
  });
});
