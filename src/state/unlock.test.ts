import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { openSecurityState } from '../db';
import type { FaceAnalysis } from '../ml/face/pipeline';
import type { LivenessAttempt } from '../ml/liveness/attempt';
import { DEFAULT_LIVENESS_SETTINGS, type LivenessSettings } from '../ml/liveness/fusion';
import type { LivenessVerdict } from '../ml/liveness/session';
import { broadcastGuardChannel, createAttemptGuard, type GuardServices } from './attempt-guard';
import { createUnlockStore, type UnlockServices } from './unlock';

const face = {
  detection: { box: { x: 10, y: 10, width: 100, height: 120 }, score: 0.9, keypoints: [] },
  shape: null,
  quality: { score: 0.9, reasons: [] },
  embedding: Float32Array.of(1, 0),
  modelId: 'facedescriptor',
} as unknown as FaceAnalysis;

const OFF: LivenessSettings = {
  ...DEFAULT_LIVENESS_SETTINGS,
  enabled: { light: false, screen: false, challenge: false, blink: false, motion: false, passive: false },
  required: { light: false, screen: false, challenge: false, blink: false, motion: false, passive: false },
};

/** A store over fakes: one face in every frame, `score` from the matcher, time that we move. */
function setup(
  score: number,
  overrides: Partial<UnlockServices> = {},
  shared: { factory?: IDBFactory; clock?: { t: number }; guard?: Partial<GuardServices> } = {},
) {
  const time = shared.clock ?? { t: 1_000 };
  const matches: (string | null)[] = [];
  const services: UnlockServices = {
    analyse: vi.fn(async () => ({ faces: [face], width: 640, height: 480, ms: 5, extra: undefined })),
    match: async (_e, _m, target) => {
      matches.push(target);
      return { identityId: 'alice', name: 'Alice', score };
    },
    openGallery: async () => null,
    enrolled: () => 1,
    config: () => ({ threshold: 0.9, maxFailures: 2, lockoutMs: 30_000 }),
    liveness: () => OFF,
    createAttempt: async () => null,
    // A macrotask per pause, so the loop yields to the test; each pause moves the clock.
    pause: (ms) =>
      new Promise((r) => {
        time.t += ms;
        setTimeout(r, 0);
      }),
    now: () => time.t,
    // The shared counter on a real (in-memory) IndexedDB; a second setup over the same factory is a reload or a tab.
    guard: createAttemptGuard('face-unlock', {
      security: openSecurityState({ factory: shared.factory ?? new IDBFactory() }),
      now: () => time.t,
      ...shared.guard,
    }),
    ...overrides,
  };
  const store = createUnlockStore(services);
  const video = {} as HTMLVideoElement;
  return { store, services, matches, video, tick: (ms: number) => (time.t += ms) };
}

/** Presses "Try again" after every failure until the store is locked out, as a person would. */
async function tryUntilLockedOut(store: ReturnType<typeof setup>['store']) {
  for (;;) {
    await vi.waitFor(() => expect(['denied', 'locked-out']).toContain(store.getState().machine.current.phase));
    if (store.getState().machine.current.phase === 'locked-out') return;
    const failures = store.getState().machine.failures;
    store.getState().retry();
    await vi.waitFor(() => expect(store.getState().machine.failures).toBeGreaterThan(failures));
  }
}

describe('the unlock store, on fake services', () => {
  it('unlocks the enrolled person above the threshold and stops its loop', async () => {
    const { store, video, matches } = setup(0.97);
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().machine.current.phase).toBe('unlocked'));
    expect(store.getState().machine.current).toMatchObject({ match: { name: 'Alice', score: 0.97 } });
    await vi.waitFor(() => expect(store.getState().running).toBe(false));
    expect(matches).toEqual([null]); // 1:N: anyone enrolled
    expect(store.getState().face).toEqual({ box: face.detection.box, width: 640, height: 480 });
  });

  it('matches the fused probe of the video path, not the last frame, and starts each attempt afresh', async () => {
    const probes: Float32Array[] = [];
    const calls: string[] = [];
    const fused = Float32Array.of(0, 1);
    const { store, video } = setup(0.97, {
      analyse: vi.fn(async () => {
        calls.push('analyse');
        return { faces: [{ ...face, embedding: new Float32Array(0) }], width: 640, height: 480, ms: 5 };
      }),
      newAttempt: () => void calls.push('newAttempt'),
      decide: async () => {
        calls.push('decide');
        return { embedding: fused, modelId: 'facedescriptor' };
      },
      match: async (embedding) => {
        probes.push(embedding);
        return { identityId: 'alice', name: 'Alice', score: 0.97 };
      },
    });
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().machine.current.phase).toBe('unlocked'));
    expect(probes).toEqual([fused]);
    expect(calls).toEqual(['newAttempt', 'analyse', 'decide']);
  });

  it('verifies against the chosen person only, and denies below the threshold, then locks out', async () => {
    const { store, video, matches } = setup(0.5);
    const reasons: string[][] = [];
    store.subscribe((s) => {
      if (s.machine.current.phase === 'denied' && !reasons.includes(s.machine.current.reasons)) {
        reasons.push(s.machine.current.reasons);
      }
    });
    store.getState().setTarget('alice');
    store.getState().start(video);
    await tryUntilLockedOut(store);
    // One denial (shown with its reason), then the second failure locks the app out.
    expect(reasons).toEqual([['Similarity 0.500 is below the threshold 0.900.']]);
    expect(store.getState().machine.failures).toBe(2);
    // The reason of the attempt that began the lockout stays on screen.
    expect(store.getState().lastReasons).toEqual(['Similarity 0.500 is below the threshold 0.900.']);
    expect(matches.every((t) => t === 'alice')).toBe(true);
    // A lockout survives stopping and starting the camera.
    store.getState().stop();
    store.getState().start(video);
    expect(store.getState().machine.current.phase).toBe('locked-out');
    store.getState().stop();
  });

  it('waits for liveness: a failed attempt is denied with its reasons and never reaches the matcher', async () => {
    const verdict = (status: LivenessVerdict['status']) =>
      ({
        status,
        reasons: status === 'fail' ? ['No blink in 8 s.'] : [],
        advisories: [],
        cues: {},
      }) as unknown as LivenessVerdict;
    let frames = 0;
    const attempt: LivenessAttempt = {
      get verdict() {
        return verdict('pending');
      },
      observe: async () => verdict(++frames >= 3 ? 'fail' : 'pending'),
      recordLight: () => verdict('pending'),
      dispose: vi.fn(),
    };
    const match = vi.fn();
    const { store, video } = setup(0.99, {
      liveness: () => DEFAULT_LIVENESS_SETTINGS,
      createAttempt: async () => attempt,
      match,
      analyse: async (_s, _n, onFrame) => ({
        faces: [face],
        width: 640,
        height: 480,
        ms: 5,
        extra: (await onFrame?.({} as never, [face])) ?? undefined,
      }),
    });
    const reasons: string[][] = [];
    store.subscribe((s) => {
      if (s.machine.current.phase === 'denied' && !reasons.includes(s.machine.current.reasons)) {
        reasons.push(s.machine.current.reasons);
      }
    });
    store.getState().start(video);
    await vi.waitFor(() => expect(reasons.length).toBeGreaterThan(0));
    expect(reasons[0]).toEqual(['No blink in 8 s.']);
    expect(frames).toBeGreaterThanOrEqual(3);
    expect(match).not.toHaveBeenCalled();
    store.getState().stop();
    expect(attempt.dispose).toHaveBeenCalled();
  });

  it('shows an error from the face engine and keeps trying', async () => {
    let calls = 0;
    const { store, video } = setup(0.97, {
      analyse: async () => {
        if (++calls === 1) throw new Error('The camera has not delivered a frame yet.');
        return { faces: [face], width: 640, height: 480, ms: 5, extra: undefined };
      },
    });
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().machine.current.phase).toBe('unlocked'));
    expect(calls).toBeGreaterThan(1);
    expect(store.getState().error).toBeNull();
  });

  it('keeps a lockout across a reload: a new store over the same IndexedDB starts locked out, with the same end', async () => {
    const factory = new IDBFactory();
    const clock = { t: 1_000 };
    const first = setup(0.5, {}, { factory, clock });
    first.store.getState().start(first.video);
    await tryUntilLockedOut(first.store);
    first.store.getState().stop();
    await vi.waitFor(async () => expect((await first.services.guard.getState().refresh()).until).toBeGreaterThan(0));
    const { until } = first.services.guard.getState();

    // The page reloads: new stores, a new connection, the same database.
    const reloaded = setup(0.99, {}, { factory, clock });
    await vi.waitFor(() => expect(reloaded.store.getState().machine.current).toEqual({ phase: 'locked-out', until }));
    expect(reloaded.store.getState().machine.failures).toBe(2);
    // Even a face that would match waits for the lockout to end…
    reloaded.store.getState().start(reloaded.video);
    await new Promise((r) => setTimeout(r, 20));
    expect(reloaded.store.getState().machine.current.phase).toBe('locked-out');
    reloaded.store.getState().stop();
    // …and unlocks after it, which clears the stored count.
    clock.t = until;
    reloaded.store.getState().start(reloaded.video);
    await vi.waitFor(() => expect(reloaded.store.getState().machine.current.phase).toBe('unlocked'));
    await vi.waitFor(async () =>
      expect(await reloaded.services.guard.getState().refresh()).toEqual({ failures: 0, until: 0 }),
    );
  });

  it("shows a second tab the first tab's failures, by message and by a re-read when the tab comes back", async () => {
    const factory = new IDBFactory();
    const clock = { t: 1_000 };
    const name = `facet-security-test-${Math.random()}`;
    const channels = [broadcastGuardChannel(name)!, broadcastGuardChannel(name)!];
    let wake = () => undefined as void;
    const config = () => ({ threshold: 0.9, maxFailures: 3, lockoutMs: 30_000 });
    const tabA = setup(0.5, { config }, { factory, clock, guard: { channel: channels[0] } });
    const tabB = setup(0.5, { config }, { factory, clock, guard: { channel: channels[1] } });
    const tabC = setup(
      0.5,
      { config },
      { factory, clock, guard: { onWake: (refresh) => ((wake = refresh), () => undefined) } },
    );
    await vi.waitFor(() => expect(tabB.services.guard.getState().loaded).toBe(true));

    tabA.store.getState().start(tabA.video);
    await vi.waitFor(() => expect(tabA.store.getState().machine.failures).toBeGreaterThanOrEqual(1));
    tabA.store.getState().stop();
    await vi.waitFor(() => expect(tabB.store.getState().machine.failures).toBe(tabA.store.getState().machine.failures));
    // Tab C hears nothing (no channel) until it regains focus.
    expect(tabC.store.getState().machine.failures).toBe(0);
    wake();
    await vi.waitFor(() => expect(tabC.store.getState().machine.failures).toBe(tabA.store.getState().machine.failures));

    // Tab B fails until the shared count reaches the limit: every tab is locked out.
    tabB.store.getState().start(tabB.video);
    await tryUntilLockedOut(tabB.store);
    await vi.waitFor(() => expect(tabA.store.getState().machine.current.phase).toBe('locked-out'));
    expect(tabB.store.getState().machine.failures).toBe(3);
    tabB.store.getState().stop();
    channels.forEach((c) => c.close());
  });

  it('counts one failure and then waits for the user: no silent retries, however long the face stays', async () => {
    const { store, video, services } = setup(0.5, {
      config: () => ({ threshold: 0.9, maxFailures: 5, lockoutMs: 30_000 }),
    });
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().machine.current.phase).toBe('denied'));
    const calls = vi.mocked(services.analyse).mock.calls.length;
    // The loop goes on watching the frame (the face never leaves) for many frames…
    await vi.waitFor(() => expect(vi.mocked(services.analyse).mock.calls.length).toBeGreaterThan(calls + 40));
    // …and counts nothing more; the reason stays on screen.
    expect(store.getState().machine.failures).toBe(1);
    expect(store.getState().machine.current.phase).toBe('denied');
    expect(store.getState().lastReasons).toEqual(['Similarity 0.500 is below the threshold 0.900.']);
    expect((await services.guard.getState().refresh()).failures).toBe(1);
    // "Try again" starts the next attempt, which clears the old reason while it runs.
    store.getState().retry();
    await vi.waitFor(() => expect(store.getState().machine.failures).toBe(2));
    store.getState().stop();
  });

  it('starts the next attempt when the face has left for a while and come back, not after a flicker', async () => {
    // Frames after the first failure: one frame without a face (a flicker), a face, then a long absence.
    const script: boolean[] = [];
    let denied = false;
    const { store, video } = setup(0.5, {
      config: () => ({ threshold: 0.9, maxFailures: 5, lockoutMs: 30_000 }),
      analyse: vi.fn(async () => {
        const present = denied ? (script.shift() ?? true) : true;
        return { faces: present ? [face] : [], width: 640, height: 480, ms: 5, extra: undefined };
      }),
    });
    store.subscribe((st) => (denied = st.machine.current.phase === 'denied'));
    script.push(false, true, true, true);
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().machine.current.phase).toBe('denied'));
    await vi.waitFor(() => expect(script).toHaveLength(0));
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().machine.failures).toBe(1);
    // Away for 8 frames of 250 ms (2 s, longer than AWAY_MS), then back: a new attempt.
    script.push(...Array<boolean>(8).fill(false), true);
    await vi.waitFor(() => expect(store.getState().machine.failures).toBe(2));
    store.getState().stop();
  });

  it('counts nothing when nobody is enrolled, and says so instead of starting', async () => {
    const { store, video, services } = setup(0.5, { enrolled: () => 0 });
    store.getState().start(video);
    expect(store.getState().blocked).toBe('nobody-enrolled');
    expect(store.getState().running).toBe(false);
    expect(services.analyse).not.toHaveBeenCalled();
    expect(store.getState().machine.failures).toBe(0);
  });

  it('counts nothing when there is no template to compare with, and stops', async () => {
    const { store, video, services } = setup(0.5, {
      enrolled: () => 2,
      match: async () => ({ identityId: null, name: null, score: 0 }),
    });
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().blocked).toBe('no-templates'));
    await vi.waitFor(() => expect(store.getState().running).toBe(false));
    expect(store.getState().machine.failures).toBe(0);
    expect((await services.guard.getState().refresh()).failures).toBe(0);
  });

  it('opens a session on an unlock, which stopping the camera keeps, and ends it on "Lock again"', async () => {
    const { store, video } = setup(0.97);
    store.getState().start(video);
    await vi.waitFor(() => expect(store.getState().session).toMatchObject({ by: 'face', name: 'Alice' }));
    store.getState().stop();
    expect(store.getState().machine.current.phase).toBe('unlocked');
    expect(store.getState().session).not.toBeNull();
    store.getState().lock();
    expect(store.getState().session).toBeNull();
    expect(store.getState().machine.current.phase).toBe('idle');
  });

  it('after a lockout, the passcode unlocks and clears the stored failures and lockout', async () => {
    const factory = new IDBFactory();
    const { store, video, services } = setup(0.5, {}, { factory });
    store.getState().start(video);
    await tryUntilLockedOut(store);
    await vi.waitFor(async () => expect((await services.guard.getState().refresh()).until).toBeGreaterThan(0));
    await store.getState().unlockWithPasscode();
    expect(store.getState().session).toMatchObject({ by: 'passcode' });
    expect(store.getState().machine.current.phase).toBe('idle');
    expect(store.getState().machine.failures).toBe(0);
    expect(await services.guard.getState().refresh()).toEqual({ failures: 0, until: 0 });
    // A reload finds no lockout.
    const reloaded = setup(0.5, {}, { factory });
    await vi.waitFor(() => expect(reloaded.services.guard.getState().loaded).toBe(true));
    expect(reloaded.store.getState().machine.current.phase).toBe('idle');
  });
});
