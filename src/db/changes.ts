/**
 * Telling other tabs that the gallery changed. Every committed write of a Gallery posts its new
 * revision on a channel named after the database, and each Gallery hears the others' posts (a
 * BroadcastChannel never delivers a post to the object that sent it), so a tab re-reads its list
 * when another tab enrolled, edited, imported or encrypted. The channel is a parameter: the app
 * passes `broadcastChanges`; tests pass it too, or a fake, or nothing (no channel, no messages).
 */

/** What one side of a change channel needs; `BroadcastChannel` has it. */
export interface ChangeChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** Makes the channel for a database name. */
export type ChangeChannelFactory = (name: string) => ChangeChannel;

/** What is posted: only the revision, never names or templates (they may be encrypted at rest). */
export interface GalleryChange {
  kind: 'gallery-changed';
  revision: number;
}

export function changeChannelName(dbName: string): string {
  return `${dbName}:changes`;
}

/** The browser's own channel between the tabs of one origin. */
export const broadcastChanges: ChangeChannelFactory = (name) => new BroadcastChannel(name);

function isChange(data: unknown): data is GalleryChange {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as GalleryChange).kind === 'gallery-changed' &&
    typeof (data as GalleryChange).revision === 'number'
  );
}

/** One Gallery's end of the channel: announce its writes, hear everyone else's. */
export class GalleryChanges {
  private readonly listeners = new Set<(change: GalleryChange) => void>();
  private closed = false;

  constructor(private readonly channel: ChangeChannel) {
    channel.addEventListener('message', (event) => {
      if (this.closed || !isChange(event.data)) return;
      for (const listener of this.listeners) listener(event.data);
    });
  }

  announce(revision: number): void {
    if (this.closed) return;
    try {
      this.channel.postMessage({ kind: 'gallery-changed', revision } satisfies GalleryChange);
    } catch {
      // Other tabs then see the change when they next read; this tab's write stands.
    }
  }

  /** Calls `listener` for each change made elsewhere; returns the unsubscribe. */
  listen(listener: (change: GalleryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.channel.close();
  }
}

/** The changes end for a database, or null where the factory is absent or fails (no BroadcastChannel). */
export function openChanges(factory: ChangeChannelFactory | undefined, dbName: string): GalleryChanges | null {
  if (!factory) return null;
  try {
    return new GalleryChanges(factory(changeChannelName(dbName)));
  } catch {
    return null;
  }
}
