import { afterEach, describe, expect, it, vi } from 'vitest';
import { GalleryError, MESSAGES, toGalleryError, toOpenError } from './errors';
import { openGallery } from './gallery';
import { embedding, freshGallery, jpeg, rawDump, rejection } from './test-utils';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Make `method` of the named object store throw like a browser whose quota is used up. */
function quotaOn(method: 'add' | 'put', storeName: string, error: unknown = { name: 'QuotaExceededError' }) {
  const original = IDBObjectStore.prototype[method];
  return vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (
    this: IDBObjectStore,
    ...args: Parameters<IDBObjectStore['add']>
  ) {
    if (this.name === storeName) throw error;
    return original.apply(this, args);
  });
}

describe('storage failures', () => {
  it('map a full quota during addTemplate to "full", with nothing half-written', async () => {
    const { gallery, factory } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(ada.id, { embedding: embedding(8, 1), modelId: 'm', quality: 0.5, source: 'photo' });
    const before = await rawDump(factory);

    const spy = quotaOn('add', 'thumbnails');
    const err = await rejection(
      gallery.addTemplate(
        ada.id,
        { embedding: embedding(8, 2), modelId: 'm', quality: 0.5, source: 'photo' },
        {
          blob: jpeg(),
          width: 8,
          height: 8,
        },
      ),
    );
    expect(spy).toHaveBeenCalled();
    expect(err).toBeInstanceOf(GalleryError);
    expect(err.kind).toBe('full');
    expect(err.message).toBe(
      'Storage is full: free space in the browser or delete old identities, then try again. Nothing was saved.',
    );
    // The identity's `updated` and the template were written in the same transaction before the
    // thumbnail failed; all of it must have been rolled back.
    expect(await rawDump(factory)).toEqual(before);

    spy.mockRestore();
    await gallery.addTemplate(ada.id, { embedding: embedding(8, 2), modelId: 'm', quality: 0.5, source: 'photo' });
    expect((await gallery.count()).templates).toBe(2);
  });

  it('leave no half-enrolled person when the third of three webcam samples hits a full disk', async () => {
    const { gallery, factory } = await freshGallery();
    const before = await rawDump(factory);
    const original = IDBObjectStore.prototype.add;
    let thumbnails = 0;
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['add']>
    ) {
      if (this.name === 'thumbnails' && ++thumbnails === 3) throw { name: 'QuotaExceededError' };
      return original.apply(this, args);
    });
    const samples = [1, 2, 3].map((seed) => ({
      template: { embedding: embedding(8, seed), modelId: 'm', quality: 0.5, source: 'webcam' as const },
      thumbnail: { blob: jpeg(40, seed), width: 8, height: 8 },
    }));
    expect(await rejection(gallery.enrol({ name: 'Ada' }, samples))).toMatchObject({ kind: 'full' });
    expect(thumbnails).toBe(3);
    // The new identity, both earlier templates and thumbnails were in the same transaction: all gone.
    expect(await rawDump(factory)).toEqual(before);

    vi.restoreAllMocks();
    const { identity, added } = await gallery.enrol({ name: 'Ada' }, samples);
    expect(added).toHaveLength(3);
    expect(await gallery.getIdentity(identity!.id)).toMatchObject({ name: 'Ada', templateCount: 3, thumbnailCount: 3 });
  });

  it('map a real QuotaExceededError DOMException from a put', async () => {
    const { gallery, factory } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const before = await rawDump(factory);
    quotaOn('put', 'identities', new DOMException('quota', 'QuotaExceededError'));
    expect(await rejection(gallery.rename(ada.id, 'Ada K'))).toMatchObject({ kind: 'full', message: MESSAGES.full });
    expect(await rawDump(factory)).toEqual(before);
  });

  it("recognise Firefox's old quota name and keep unknown failures readable", () => {
    expect(toGalleryError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' }).kind).toBe('full');
    const other = toGalleryError(new DOMException('disk on fire', 'DataError'));
    expect(other.kind).toBe('unknown');
    expect(other.message).toBe('The gallery could not be read or written (DataError: disk on fire).');
  });

  it('report "unavailable" when there is no IndexedDB at all', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const err = await rejection(openGallery());
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe(MESSAGES.unavailable);
  });

  it.each(['SecurityError', 'InvalidStateError'])('report "unavailable" when open throws %s', async (name) => {
    const factory = {
      open: () => {
        throw new DOMException('no storage in this mode', name);
      },
    } as unknown as IDBFactory;
    const err = await rejection(openGallery({ factory }));
    expect(err.kind).toBe('unavailable');
    expect((err as GalleryError).cause).toBeInstanceOf(DOMException);
  });

  it('map open-request errors by name: VersionError is "newer", the private-mode names are "unavailable"', () => {
    expect(toOpenError(new DOMException('', 'VersionError')).kind).toBe('newer');
    expect(toOpenError(new DOMException('', 'InvalidStateError')).kind).toBe('unavailable');
    expect(toOpenError(new DOMException('', 'QuotaExceededError')).kind).toBe('full');
  });

  it('refuse calls after close()', async () => {
    const { gallery } = await freshGallery();
    gallery.close();
    expect(await rejection(gallery.addIdentity('Ada'))).toMatchObject({ kind: 'closed', message: MESSAGES.closed });
  });
});
