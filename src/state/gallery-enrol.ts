// Enrolment into the gallery: a person from a photo or from camera frames, one more photo of
// someone enrolled, and templates of the active model re-made from the stored thumbnails (also
// once by itself after an update changed the default model). Which faces become templates is
// the enrolment service's (src/ml/face/enrolment.ts); this slice writes them and says what it did.
import type { Gallery } from '../db';
import { errorMessage } from '../ml/core/errors';
import { plural } from '../ml/core/words';
import { EMBEDDERS } from '../ml/face/embedder-specs';
import {
  captureDistinctFrames,
  checkPhotoFace,
  chooseEnrolmentFace,
  faceCapNotice,
  placeInFrame,
  reembedThumbnails,
} from '../ml/face/enrolment';
import type { DecodedImage } from '../ml/runtime/image-file';
import { createEnrolPrompts, type Enrollee } from './gallery-enrol-prompt';
import type { GalleryContext, GalleryState } from './gallery-store';

type EnrolActions = Pick<
  GalleryState,
  | 'enrollFromFile'
  | 'enrollAwaitingPhoto'
  | 'forgetAwaitingPhoto'
  | 'addPhoto'
  | 'enrollFromCamera'
  | 'reembed'
  | 'reembedAll'
  | 'chooseEnrolFace'
  | 'confirmEnrol'
  | 'cancelEnrol'
>;

const REENROLL = 'Delete and enroll them again with a photo or the camera.';
const CAMERA_TIMEOUT_MS = 20_000;
/** The side of the thumbnails the face engine makes (engine.ts THUMBNAIL_SIZE, which loads tfjs). */
const THUMBNAIL_SIDE = 160;

const sentences = (...parts: (string | null | undefined)[]) =>
  parts
    .filter(Boolean)
    .map((p) => ` ${p}`)
    .join('');

export function createEnrolSlice(ctx: GalleryContext): {
  actions: EnrolActions;
  upgradeAfterModelChange(): Promise<void>;
} {
  const { services, set, get } = ctx;
  const thumbnail = (blob: Blob) => ({ blob, width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE });
  const { ask, endPrompt, enrolOrAsk, ...promptActions } = createEnrolPrompts(ctx);
  /** A photo chosen before a name was typed; kept until the name comes (or another photo, or "Forget"). */
  let awaiting: File | null = null;
  const forgetAwaiting = () => {
    awaiting = null;
    if (get().photoAwaitingName !== null) set({ photoAwaitingName: null });
  };

  /**
   * One photo → one template: decode, find the face (asking which when there are several, the
   * largest offered first), then write the template (and its thumbnail) — for a new person only once the face is
   * known to be usable and not a look-alike they did not confirm, so a bad photo never leaves an
   * empty identity behind.
   */
  async function addFromFile(file: File, who: Enrollee, busy: string, done: (extra: string) => string) {
    const g = await get().open();
    if (!g) return false;
    endPrompt();
    set({ busy, error: null, notice: null });
    let image: DecodedImage | null = null;
    try {
      image = await services.decodeImage(file);
      const frame = await services.engine.analyseWithThumbnails(image.bitmap);
      const label = `"${image.name}"`;
      const capped = faceCapNotice(frame.found, frame.faces.length);
      const notice = image.notice;
      const take = (index: number, note: string | null) => {
        const face = checkPhotoFace(frame.faces[index]!, label);
        const blob = frame.thumbnails[index]!;
        const write = async () => {
          await g.enrol(who.id === null ? { name: who.name } : { identityId: who.id }, [
            {
              template: {
                embedding: face.embedding,
                modelId: face.modelId,
                quality: face.quality.score,
                source: 'photo',
              },
              thumbnail: thumbnail(blob),
            },
          ]);
        };
        return enrolOrAsk(who, [face], write, done(sentences(note, capped, notice)));
      };
      const choice = chooseEnrolmentFace(frame, label);
      if (choice.kind === 'face') return await take(choice.index, null);
      const bitmap = image.bitmap;
      image = null; // the question holds the photo now
      // Numbered as read, left to right (top to bottom where level), not in the detector's order.
      const order = frame.faces
        .map((f, i) => ({ i, x: f.detection.box.x, y: f.detection.box.y }))
        .sort((a, b) => a.x - b.x || a.y - b.y)
        .map(({ i }) => i);
      const faces = order.map((i) => {
        const { box } = frame.faces[i]!.detection;
        return { box, place: placeInFrame(box, frame.width, frame.height) };
      });
      const largest = order.indexOf(choice.largest);
      ask(
        {
          kind: 'choose-face',
          name: who.name,
          adding: who.id !== null,
          image: bitmap,
          faces,
          largest,
          capNotice: capped,
        },
        {
          choose: (k) =>
            take(order[k]!, `${plural(faces.length, 'face')} were found; you chose the one ${faces[k]!.place}.`),
          release: () => bitmap.close(),
        },
      );
      return false;
    } catch (e) {
      set({ error: errorMessage(e) });
      return false;
    } finally {
      image?.bitmap.close();
      set({ busy: null });
    }
  }

  /** Templates of the active model from an identity's thumbnails, stored as they are made, without new thumbnails. */
  async function reembedIdentity(
    g: Gallery,
    identityId: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<{ added: number; thumbnails: number }> {
    const thumbnails = await g.thumbnails(identityId);
    const faces = await reembedThumbnails(
      services.engine,
      thumbnails.map((t) => t.blob),
      {
        modelId: services.embedderId(),
        decode: services.decodeThumbnail,
        onProgress,
        onFace: (face) =>
          g
            .addTemplate(identityId, {
              embedding: face.embedding,
              modelId: face.modelId,
              quality: face.quality.score,
              source: 'photo',
            })
            .then(() => undefined),
      },
    );
    return { added: faces.length, thumbnails: thumbnails.length };
  }

  const actions: EnrolActions = {
    enrollFromFile(name, file) {
      name = name.trim();
      if (!name) {
        // Nothing to enrol the face as yet: keep the photo and ask for the name (the page focuses it).
        endPrompt();
        awaiting = file;
        set({ photoAwaitingName: file.name, error: null, notice: null });
        return Promise.resolve(false);
      }
      forgetAwaiting();
      return addFromFile(
        file,
        { name, id: null },
        `Enrolling ${name}…`,
        (extra) => `${name} is enrolled from one photo.${extra}`,
      );
    },

    enrollAwaitingPhoto(name) {
      const file = awaiting;
      if (!file) return Promise.resolve(false);
      if (!name.trim()) {
        set({ error: null, notice: null });
        return Promise.resolve(false);
      }
      return actions.enrollFromFile(name, file);
    },

    forgetAwaitingPhoto: forgetAwaiting,

    addPhoto(identityId, file) {
      const name = get().identities.find((i) => i.id === identityId)?.name ?? 'this person';
      return addFromFile(
        file,
        { name, id: identityId },
        `Adding a photo of ${name}…`,
        (extra) => `A photo was added to ${name}.${extra}`,
      );
    },

    async enrollFromCamera(name, video, frames = 3) {
      const g = await get().open();
      if (!g) return false;
      endPrompt();
      set({ busy: `Enrolling ${name}: look at the camera and turn your head a little…`, error: null, notice: null });
      try {
        const { kept, crowded } = await captureDistinctFrames(services.engine, video, {
          frames,
          timeoutMs: services.camera?.timeoutMs ?? CAMERA_TIMEOUT_MS,
          now: services.camera?.now,
          pause: services.camera?.pause,
          onProgress: (n) => set({ busy: `Enrolling ${name}: ${n} of ${frames} good frames…` }),
        });
        if (kept.length === 0) {
          throw new Error(
            crowded > 0
              ? 'Two faces of similar size were in view, so Facet could not tell whom to enroll. ' +
                  `Make sure only ${name} faces the camera, then try again.`
              : 'No clear face was seen in 20 seconds. Face the camera in good light and try again.',
          );
        }
        const write = async () => {
          // One transaction: a failure on the third frame leaves no half-enrolled person behind.
          await g.enrol(
            { name },
            kept.map(({ face, thumbnail: blob }) => ({
              template: {
                embedding: face.embedding,
                modelId: face.modelId,
                quality: face.quality.score,
                source: 'webcam',
              },
              thumbnail: thumbnail(blob),
            })),
          );
        };
        const skipped = crowded > 0 ? `${plural(crowded, 'frame')} with two faces in view were left out.` : null;
        return await enrolOrAsk(
          { name, id: null },
          kept.map((k) => k.face),
          write,
          `${name} is enrolled from ${plural(kept.length, 'camera frame')}.${sentences(skipped)}`,
        );
      } catch (e) {
        set({ error: errorMessage(e) });
        return false;
      } finally {
        set({ busy: null });
      }
    },

    ...promptActions,

    async reembed(identityId) {
      const g = await get().open();
      if (!g) return false;
      const identity = get().identities.find((i) => i.id === identityId);
      if (!identity) {
        set({ error: 'That person is no longer in the gallery.', notice: null });
        return false;
      }
      const model = EMBEDDERS[services.embedderId()].name;
      set({ busy: `Re-embedding ${identity.name} with ${model}…`, error: null, notice: null });
      try {
        const { added, thumbnails } = await reembedIdentity(g, identityId, (done, total) =>
          set({ busy: `Re-embedding ${identity.name} with ${model}: thumbnail ${done + 1} of ${total}…` }),
        );
        if (added === 0) {
          throw new Error(
            thumbnails === 0
              ? `${identity.name} has no stored thumbnails to make a ${model} template from. ${REENROLL}`
              : `No face was found in ${identity.name}'s ${plural(thumbnails, 'thumbnail')}, so no ${model} ` +
                  `template was made. ${REENROLL}`,
          );
        }
        set({ notice: `${identity.name} now has ${plural(added, `${model} template`)} made from their thumbnails.` });
        return true;
      } catch (e) {
        set({ error: errorMessage(e) });
        return false;
      } finally {
        await ctx.refreshAfter();
      }
    },

    async reembedAll() {
      const g = await get().open();
      if (!g) return false;
      const modelId = services.embedderId();
      const model = EMBEDDERS[modelId].name;
      const missing = get().identities.filter((i) => !i.templatesByModel[modelId]);
      if (missing.length === 0) {
        set({ error: null, notice: `Everyone already has a ${model} template.` });
        return true;
      }
      const everyone = plural(missing.length, 'person', 'people');
      set({ busy: `Re-embedding ${everyone} with ${model}…`, error: null, notice: null });
      let templates = 0;
      let people = 0;
      const noFace: string[] = [];
      const noThumbnails: string[] = [];
      const summary = () =>
        `${plural(templates, `${model} template`)} added for ${plural(people, 'person', 'people')}.`;
      try {
        for (const [n, identity] of missing.entries()) {
          const { added, thumbnails } = await reembedIdentity(g, identity.id, (done, total) =>
            set({
              busy:
                `Re-embedding with ${model}: ${identity.name} (${n + 1} of ${missing.length}), ` +
                `thumbnail ${done + 1} of ${total}…`,
            }),
          );
          if (added > 0) {
            templates += added;
            people++;
          } else (thumbnails === 0 ? noThumbnails : noFace).push(identity.name);
        }
        if (noFace.length + noThumbnails.length > 0) {
          const problems = [
            noFace.length > 0 ? `no face was found in the thumbnails of ${noFace.join(', ')}` : null,
            noThumbnails.length > 0 ? `${noThumbnails.join(', ')} have no stored thumbnails` : null,
          ].filter(Boolean);
          set({
            error:
              `${people > 0 ? `${summary()} ` : ''}Some people still have no ${model} template: ` +
              `${problems.join('; ')}. ${REENROLL}`,
          });
          return false;
        }
        set({ notice: summary() });
        return true;
      } catch (e) {
        set({ error: `${errorMessage(e)}${people > 0 ? ` Before that, ${summary()}` : ''}` });
        return false;
      } finally {
        await ctx.refreshAfter();
      }
    },
  };

  /**
   * After an update that changed the default face model, people enrolled before have templates of
   * the old model only: re-embed them from their thumbnails once (with the usual progress), so
   * Unlock and Identify keep recognising them. A locked gallery waits until it is unlocked.
   */
  async function upgradeAfterModelChange(): Promise<void> {
    const state = get();
    if (!services.upgradePending() || state.encryption === 'locked' || state.busy) return;
    const stale = state.identities.some((i) => !i.templatesByModel[services.embedderId()]);
    if (!stale || (await state.reembedAll())) services.clearUpgrade();
  }

  return { actions, upgradeAfterModelChange };
}
