import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredModel } from '../db/studio';
import type { LabComparison, LabMethod, MethodEvaluation } from '../ml/siamese/compare';
import type {
  LabSession,
  LabSessionOptions,
  StepRow,
  TrainCallbacks,
  TrainMethod,
  TrainOutcome,
  TrainRequest,
} from '../ml/siamese/lab-session';
import { syntheticEmbeddings } from '../ml/siamese/synthetic';
import { prepareLabData } from './lab-data';
import { createLabStore, type LabServices } from './lab-store';

const evaluation = (method: LabMethod, eer: number): MethodEvaluation => ({
  method,
  scale: method === 'pair-classifier' ? 'probability' : 'cosine',
  auc: 1 - eer,
  eer,
  threshold_at_eer: 0.5,
  decidability: 2,
  tar_at_far_1e3: 1 - 2 * eer,
  threshold_at_far_1e3: 0.6,
  false_match_rate_for_gallery: null,
  roc: [],
});

/** A session that trains nothing: each run waits until the test ends it, and reports what it is told. */
class FakeSession implements LabSession {
  readonly modelId: string;
  readonly trained = new Set<TrainMethod>();
  readonly requests: TrainRequest[] = [];
  readonly calls: string[] = [];
  closed = false;
  private run: {
    callbacks: TrainCallbacks;
    resolve: (o: TrainOutcome) => void;
    reject: (e: unknown) => void;
    method: TrainMethod;
  } | null = null;
  private heldCompare: ((c: LabComparison) => void) | null = null;
  holdCompare = false;

  constructor(readonly options: LabSessionOptions) {
    this.modelId = options.modelId;
  }
  has(method: TrainMethod) {
    return this.trained.has(method);
  }
  train(request: TrainRequest, callbacks: TrainCallbacks = {}) {
    this.requests.push(request);
    return new Promise<TrainOutcome>((resolve, reject) => {
      this.run = { callbacks, resolve, reject, method: request.method };
    });
  }
  report(rows: StepRow[]) {
    this.run!.callbacks.onProgress?.(rows);
  }
  finish(stepsDone: number, stopped = false) {
    const run = this.run!;
    this.run = null;
    this.trained.add(run.method);
    run.resolve({ method: run.method, stepsDone, stopped, msPerStep: 2 });
  }
  fail(message: string) {
    this.run!.reject(new Error(message));
    this.run = null;
  }
  pause() {
    this.calls.push('pause');
  }
  resume() {
    this.calls.push('resume');
  }
  stop() {
    this.calls.push('stop');
  }
  comparison(): LabComparison {
    const methods = [evaluation('cosine', 0.2)];
    if (this.trained.has('head')) methods.push(evaluation('head', 0.1));
    if (this.trained.has('pair-classifier')) methods.push(evaluation('pair-classifier', 0.05));
    const empty = { edges: [], genuine: [], impostor: [], genuineFraction: [], impostorFraction: [] };
    return {
      identities: new Set(this.options.test.map((s) => s.label)).size,
      samples: this.options.test.length,
      genuine_pairs: 6,
      impostor_pairs: 9,
      methods,
      distances: { before: empty, after: null },
      probabilities: null,
    };
  }
  releaseCompare() {
    this.heldCompare?.(this.comparison());
  }
  compare() {
    if (!this.holdCompare) return Promise.resolve(this.comparison());
    return new Promise<LabComparison>((resolve) => (this.heldCompare = resolve));
  }
  async toRecord(method: TrainMethod, metrics: Record<string, number>) {
    return { role: method, metrics } as never;
  }
  close() {
    this.closed = true;
  }
}

// Six people of three photos each: 4 to train on and 2 held out at the default share.
const people = syntheticEmbeddings({ identities: 6, perIdentity: 3, dim: 8, seed: 4 });
const row = (step: number, share = 0.5): StepRow => [step, 1 / step, share, 3];
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(overrides: Partial<LabServices> = {}) {
  const sessions: FakeSession[] = [];
  const saved: StoredModel[] = [];
  const storage = new Map<string, string>();
  let embedder = 'faceres';
  let adopted: string | null = null;
  let ids = 0;
  const services: LabServices = {
    createSession: (options) => {
      const s = new FakeSession(options);
      sessions.push(s);
      return s;
    },
    embedderId: () => embedder,
    galleryTemplates: async () => people,
    embedFolder: async () => ({ samples: [], modelId: 'faceres', images: 0, skipped: [] }),
    models: {
      list: async () => saved.slice(),
      save: async (m) => void saved.push(m),
      delete: async (id) =>
        void saved.splice(
          saved.findIndex((m) => m.id === id),
          1,
        ),
    },
    adoptedModelId: () => adopted,
    setAdoptedModelId: (id) => void (adopted = id),
    newId: () => `model-${++ids}`,
    storage: () => ({
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    }),
    ...overrides,
  };
  const store = createLabStore(services);
  return {
    store,
    services,
    sessions,
    saved,
    storage,
    adopted: () => adopted,
    setEmbedder: (id: string) => void (embedder = id),
  };
}

type Setup = ReturnType<typeof setup>;

/** Loads the gallery, starts a run and waits until the session has it. */
async function startRun(t: Setup) {
  if (t.store.getState().gallery.status !== 'ready') await t.store.getState().loadGallery();
  const running = t.store.getState().start();
  await flush();
  return { running, session: t.sessions[t.sessions.length - 1]! };
}

describe('the Lab store with a fake session', () => {
  let t: Setup;
  beforeEach(() => {
    t = setup();
  });

  it('refuses to start without enough people, saying why, and makes no session', async () => {
    await t.store.getState().start();
    expect(t.store.getState().error).toMatch(/^There are no labelled FaceRes .* embeddings to train on yet/);
    expect(t.store.getState().status).toBe('idle');
    expect(t.sessions).toHaveLength(0);

    const three = setup({ galleryTemplates: async () => people.filter((p) => p.label < 'id3') });
    await three.store.getState().loadGallery();
    await three.store.getState().start();
    expect(three.store.getState().error).toMatch(/at least 4 people .* there are 3\./);
    expect(three.sessions).toHaveLength(0);
  });

  it('trains on the training side of the split and compares on the held-out side', async () => {
    const { running, session } = await startRun(t);
    const train = new Set(session.options.train.map((s) => s.label));
    const test = new Set(session.options.test.map((s) => s.label));
    expect(train.size).toBe(4);
    expect(test.size).toBe(2);
    expect([...test].some((l) => train.has(l))).toBe(false);
    expect(session.requests[0]).toEqual({ method: 'head', settings: t.store.getState().settings.head });
    expect(t.store.getState().status).toBe('running');

    session.finish(200);
    await running;
    const s = t.store.getState();
    expect(s.status).toBe('done');
    expect(s.trained.head).toMatchObject({ stepsDone: 200, label: 'Linear head 8→8, hardest triplets, α 0.5' });
    expect(s.comparison?.methods.map((m) => m.method)).toEqual(['cosine', 'head']);
    expect(s.comparing).toBe(false);
    expect(s.split).toMatchObject({ trainIdentities: 4, testIdentities: 2, trainSamples: 12 });
  });

  it('appends step rows batch by batch, never copying the rows it already holds', async () => {
    const { running, session } = await startRun(t);
    session.report([row(1, 0), row(2, 0)]);
    const firstBatch = t.store.getState().log.batches[0];
    session.report([row(3, 0)]);
    const log = t.store.getState().log;
    expect(log.batches).toHaveLength(2);
    expect(log.batches[0]).toBe(firstBatch);
    expect(log).toMatchObject({ steps: 3, first: row(1, 0), last: row(3, 0), allShareZero: true });
    session.report([row(4, 0.25)]);
    expect(t.store.getState().log.allShareZero).toBe(false);
    session.finish(4);
    await running;

    // A new run starts from an empty log.
    const second = await startRun(t);
    expect(t.store.getState().log.steps).toBe(0);
    second.session.finish(0);
    await second.running;
  });

  it('sends pause, resume and stop to the session only while a run is under way', async () => {
    t.store.getState().pause();
    const { running, session } = await startRun(t);
    t.store.getState().resume(); // not paused: nothing to do
    t.store.getState().pause();
    expect(t.store.getState().status).toBe('paused');
    t.store.getState().resume();
    expect(t.store.getState().status).toBe('running');
    t.store.getState().stop();
    expect(session.calls).toEqual(['pause', 'resume', 'stop']);
    session.finish(17, true);
    await running;
    expect(t.store.getState().status).toBe('stopped');
    expect(t.store.getState().trained.head?.stopped).toBe(true);
  });

  it('keeps the session and its models on the same split, and closes it when the split changes', async () => {
    const first = await startRun(t);
    first.session.finish(5);
    await first.running;
    t.store.getState().setSettings({ method: 'pair-classifier' });
    const second = await startRun(t);
    expect(t.sessions).toHaveLength(1);
    expect(second.session.requests[1]?.method).toBe('pair-classifier');
    second.session.finish(7);
    await second.running;
    expect(t.store.getState().trained.head).not.toBeNull();
    expect(t.store.getState().comparison?.methods).toHaveLength(3);

    // Find a seed whose split holds out other people.
    const key = (seed: number) =>
      prepareLabData(
        { samples: people, modelId: 'faceres' },
        null,
        { ...t.store.getState().settings, splitSeed: seed },
        'faceres',
      )
        .split!.testIdentities.sort()
        .join();
    const seed = [2, 3, 4, 5, 6].find((s) => key(s) !== key(1))!;
    t.store.getState().setSettings({ splitSeed: seed });
    const third = await startRun(t);
    expect(t.sessions).toHaveLength(2);
    expect(first.session.closed).toBe(true);
    expect(t.store.getState().trained).toEqual({ head: null, pair: null });
    expect(t.store.getState().comparison).toBeNull();
    third.session.finish(3);
    await third.running;
  });

  it("drops a replaced session's late comparison", async () => {
    const first = await startRun(t);
    first.session.holdCompare = true;
    first.session.finish(5);
    await flush();
    expect(t.store.getState()).toMatchObject({ status: 'done', comparing: true });
    t.store.getState().setSettings({ testFraction: 0.5 });
    const second = await startRun(t);
    first.session.releaseCompare();
    await first.running;
    expect(t.store.getState().comparison).toBeNull();
    expect(t.store.getState().status).toBe('running');
    second.session.finish(2);
    await second.running;
    expect(t.store.getState().comparison).not.toBeNull();
  });

  it('shows the sentence of a failed run', async () => {
    const { running, session } = await startRun(t);
    session.fail('learningRate must be a positive number; got 0.');
    await running;
    expect(t.store.getState()).toMatchObject({
      status: 'error',
      error: 'learningRate must be a positive number; got 0.',
    });
  });

  it('saves a trained model with its held-out figures, and lists it', async () => {
    expect(await t.store.getState().save('head', '')).toBeNull();
    expect(t.store.getState().savedMessage).toMatch(/Train a model/);
    const { running, session } = await startRun(t);
    session.finish(40);
    await running;
    const id = await t.store.getState().save('head', '  ');
    expect(id).toBe('model-1');
    const stored = t.saved[0]!;
    expect(stored).toMatchObject({
      id,
      kind: 'head',
      modelId: 'faceres',
      name: 'Linear head 8→8, hardest triplets, α 0.5, 40 steps',
      metrics: { eer: 0.1, cosine_eer: 0.2, threshold: 0.5, test_identities: 2, train_identities: 4, steps: 40 },
    });
    expect(stored.data).toEqual({ role: 'head', metrics: stored.metrics });
    expect(t.store.getState().saved.map((m) => m.id)).toEqual([id]);
    expect(await t.store.getState().save('pair-classifier', 'x')).toBeNull();
  });

  it("adopts only a model of the active embedder, rolls back, and forgets a deleted model's adoption", async () => {
    const model = (id: string, modelId: string): StoredModel => {
      return { id, kind: 'head', modelId, name: id, created: 0, data: null, metrics: null };
    };
    t.saved.push(model('a', 'faceres'), model('b', 'facedescriptor'));
    await t.store.getState().loadSaved();
    t.store.getState().adopt('b');
    expect(t.adopted()).toBeNull();
    expect(t.store.getState().savedMessage).toMatch(/^b was trained on .* embeddings and cannot be used with FaceRes/);
    t.store.getState().adopt('a');
    expect(t.adopted()).toBe('a');
    expect(t.store.getState().savedMessage).toBeNull();
    t.store.getState().rollBack();
    expect(t.adopted()).toBeNull();
    t.store.getState().adopt('a');
    await t.store.getState().deleteSaved('a');
    expect(t.adopted()).toBeNull();
    expect(t.store.getState().saved.map((m) => m.id)).toEqual(['b']);
  });

  it('says why the gallery or a folder gave nothing', async () => {
    const failing = setup({
      galleryTemplates: () => Promise.reject(new Error('The gallery is locked: unlock it.')),
      embedFolder: async (_files, onProgress) => {
        onProgress(0, 2);
        return { samples: [], modelId: 'faceres', images: 2, skipped: [] };
      },
    });
    await failing.store.getState().loadGallery();
    expect(failing.store.getState().gallery).toEqual({
      status: 'error',
      source: null,
      error: 'The gallery is locked: unlock it.',
    });
    await failing.store.getState().importFolder([]);
    expect(failing.store.getState().importError).toBe(
      'No face was found in any of the 2 images, so nothing was imported.',
    );
    expect(failing.store.getState().importing).toBeNull();
  });

  it('imports a folder under its name, grouped by subfolder', async () => {
    const withFolder = setup({
      embedFolder: async () => ({ samples: people, modelId: 'faceres', images: 18, skipped: [] }),
    });
    const file = Object.assign(new File([], 'a.png'), { webkitRelativePath: 'set/id0/a.png' });
    await withFolder.store.getState().importFolder([file]);
    const folder = withFolder.store.getState().folder!;
    expect(folder).toMatchObject({ name: 'set', images: 18, modelId: 'faceres' });
    expect(new Set(folder.samples.map((s) => s.label)).size).toBe(6);
    withFolder.store.getState().setSettings({ useGallery: false });
    expect(withFolder.store.getState().data()).toMatchObject({ identities: 6, problem: null });
  });

  it('keeps its settings between visits, filling in what an older version did not store', () => {
    t.store.getState().setHead({ margin: 2 });
    const kept = JSON.parse(t.storage.get('facet-lab')!);
    expect(kept.state).toEqual({ settings: t.store.getState().settings });
    expect(Object.keys(kept.state)).toEqual(['settings']);

    t.storage.set('facet-lab', JSON.stringify({ state: { settings: { head: { margin: 1.5 } } }, version: 1 }));
    const again = createLabStore(t.services);
    expect(again.getState().settings.head.margin).toBe(1.5);
    expect(again.getState().settings.head.steps).toBe(200);
    expect(again.getState().settings.pair.steps).toBe(200);
  });
});
