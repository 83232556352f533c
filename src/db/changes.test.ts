import { describe, expect, it } from 'vitest';
import { broadcastChanges, changeChannelName, type ChangeChannel, type GalleryChange } from './changes';
import { freshGallery } from './test-utils';

/** Resolves with the next change `gallery` hears from elsewhere. */
function nextChange(gallery: Awaited<ReturnType<typeof freshGallery>>['gallery']): Promise<GalleryChange> {
  return new Promise((resolve) => {
    const stop = gallery.onChangeElsewhere((change) => {
      stop();
      resolve(change);
    });
  });
}

describe('gallery changes between tabs', () => {
  it('announces each committed write to the other Gallery on the database, with the new revision', async () => {
    const first = await freshGallery({ changes: broadcastChanges });
    const second = await freshGallery({ factory: first.factory, changes: broadcastChanges });
    const heardByWriter: GalleryChange[] = [];
    first.gallery.onChangeElsewhere((c) => heardByWriter.push(c));
    try {
      const heard = nextChange(second.gallery);
      const ada = await first.gallery.addIdentity('Ada');
      const change = await heard;
      expect(change.kind).toBe('gallery-changed');
      const afterAdd = change.revision;

      const renamed = nextChange(second.gallery);
      await first.gallery.rename(ada.id, 'Ada King');
      expect((await renamed).revision).toBe(afterAdd + 1);
      // What the other Gallery reads then is the new state.
      expect((await second.gallery.listIdentities()).map((i) => i.name)).toEqual(['Ada King']);
      expect(heardByWriter).toEqual([]);
    } finally {
      first.gallery.close();
      second.gallery.close();
    }
  });

  it('posts only the revision (never names), on a channel named after the database, and stops when closed', async () => {
    const posted: unknown[] = [];
    let closed = 0;
    const names: string[] = [];
    const fake = (name: string): ChangeChannel => {
      names.push(name);
      return {
        postMessage: (m) => void posted.push(m),
        addEventListener: () => undefined,
        close: () => void closed++,
      };
    };
    const { gallery } = await freshGallery({ name: 'people-db', changes: fake });
    await gallery.addIdentity('Ada');
    expect(names).toEqual([changeChannelName('people-db')]);
    expect(posted).toEqual([{ kind: 'gallery-changed', revision: expect.any(Number) }]);
    expect(JSON.stringify(posted)).not.toContain('Ada');
    gallery.close();
    expect(closed).toBe(1);
  });

  it('works without a channel: writes succeed and nobody is told', async () => {
    const { gallery } = await freshGallery();
    let heard = 0;
    gallery.onChangeElsewhere(() => heard++);
    await gallery.addIdentity('Ada');
    expect(heard).toBe(0);
    expect((await gallery.listIdentities()).length).toBe(1);
  });
});
