// The questions enrolment asks before it writes: which face, when a photo shows several, and "enroll anyway?", when a new person's face already matches someone enrolled. While a
// question is open nothing is stored; the answer runs the write that was held back.
import { errorMessage } from '../ml/core/errors';
import type { Box } from '../ml/face/decode';
import type { FaceAnalysis } from '../ml/face/pipeline';
import type { GalleryContext, GalleryState } from './gallery-store';

/** A question enrolment waits on before it writes anything; nothing is stored until it is answered. */
export type EnrolPrompt =
  | {
      kind: 'choose-face';
      name: string;
      /** True when the photo is one more of someone enrolled, not a new person. */
      adding: boolean;
      /** The photo the boxes are drawn on; closed when the question ends. */
      image: ImageBitmap;
      /** Every face found, in the photo's pixels, with where it is in words. */
      faces: { box: Box; place: string }[];
      /** The index in `faces` of the largest face, offered first. */
      largest: number;
      /** Set when the face cap left faces out of the photo's faces. */
      capNotice: string | null;
    }
  | {
      kind: 'lookalike';
      name: string;
      /** The enrolled person the new face already matches, and the score (cosine scale). */
      match: string;
      score: number;
    };

/** Who a photo or camera frames are for: a new person (`id` null) or someone enrolled. */
export interface Enrollee {
  name: string;
  id: string | null;
}

/** The answer an open prompt waits for; `release` frees what it holds, however it ends. */
export interface Waiting {
  choose?(index: number): Promise<boolean>;
  confirm?(): Promise<boolean>;
  release(): void;
}

export function createEnrolPrompts(ctx: GalleryContext) {
  const { set, get } = ctx;
  let waiting: Waiting | null = null;

  /** Opens `prompt` (ending any other) and holds `answer` until it is given or cancelled. */
  function ask(prompt: EnrolPrompt, answer: Waiting): void {
    endPrompt();
    waiting = answer;
    set({ enrolPrompt: prompt });
  }

  function endPrompt(): void {
    const ended = waiting;
    waiting = null;
    ended?.release();
    if (get().enrolPrompt) set({ enrolPrompt: null });
  }

  /** The enrolled person a new face already matches at the Unlock threshold, if any (best of `faces`). */
  async function lookalike(faces: readonly FaceAnalysis[]): Promise<{ name: string; score: number } | null> {
    if (get().identities.length === 0) return null;
    let best: { name: string; score: number } | null = null;
    for (const face of faces) {
      const m = await get().match(face.embedding, face.modelId, null, 'unlock');
      if (m.matched && m.name && (!best || m.score > best.score)) best = { name: m.name, score: m.score };
    }
    return best;
  }

  /**
   * Stores the templates with `write` — unless a new person's face already matches someone
   * enrolled: then it asks first, and writes only when the answer is "enroll anyway".
   * True once written; false while the question is open.
   */
  async function enrolOrAsk(
    who: Enrollee,
    faces: readonly FaceAnalysis[],
    write: () => Promise<void>,
    notice: string,
  ): Promise<boolean> {
    const commit = async (said: string) => {
      await write();
      endPrompt();
      set({ notice: said });
      await get().refresh();
      return true;
    };
    const twin = who.id === null ? await lookalike(faces) : null;
    if (!twin) return commit(notice);
    ask(
      { kind: 'lookalike', name: who.name, match: twin.name, score: twin.score },
      {
        confirm: () =>
          commit(`${notice} The face looks like ${twin.name}; it was enrolled as ${who.name} as you asked.`),
        release: () => undefined,
      },
    );
    return false;
  }

  /** Runs an answer to the open prompt with the busy line on; a failure is shown and the prompt kept. */
  async function answer(busy: string, run: () => Promise<boolean>): Promise<boolean> {
    set({ busy, error: null, notice: null });
    try {
      return await run();
    } catch (e) {
      set({ error: errorMessage(e) });
      return false;
    } finally {
      set({ busy: null });
    }
  }

  const actions: Pick<GalleryState, 'chooseEnrolFace' | 'confirmEnrol' | 'cancelEnrol'> = {
    chooseEnrolFace(index) {
      const prompt = get().enrolPrompt;
      const choose = waiting?.choose;
      if (prompt?.kind !== 'choose-face' || !choose || !prompt.faces[index]) return Promise.resolve(false);
      return answer(`Enrolling ${prompt.name}…`, () => choose(index));
    },

    async confirmEnrol() {
      const prompt = get().enrolPrompt;
      const confirm = waiting?.confirm;
      if (prompt?.kind !== 'lookalike' || !confirm) return false;
      const ok = await answer(`Enrolling ${prompt.name}…`, confirm);
      if (!ok) endPrompt(); // a failed write leaves nothing to confirm again
      return ok;
    },

    cancelEnrol() {
      const prompt = get().enrolPrompt;
      if (!prompt) return;
      endPrompt();
      set({ error: null, notice: `${prompt.name} was not enrolled; nothing was stored.` });
    },
  };

  return { ask, endPrompt, enrolOrAsk, ...actions };
}
