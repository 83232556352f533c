import { describe, expect, it } from 'vitest';
import { bitmap, closed, decoded, file, info, setup, tick, withInputs } from './style-fakes.testing';
import {
  isBusy,
  networkState,
  selectBusy,
  selectLastRow,
  selectReady,
  selectSmoothing,
  styleLayersOf,
} from './style-types';

// The store driven with a fake session and fake services (style-fakes.testing.ts).

describe('style store', () => {
  it('keeps a good content image when a bad one is dropped, and closes the one it replaces', async () => {
    const { store } = setup();
    await store.getState().setContent(file('face.png'));
    const first = store.getState().content!;
    await store.getState().setContent(file('notes.txt'));
    expect(store.getState().content).toBe(first);
    expect(store.getState().inputError).toMatch(/text file/);
    await store.getState().setContent(file('other.png'));
    expect(closed(first.bitmap)).toBe(true);
    expect(store.getState().inputError).toBeNull();
  });

  it('adds the styles that decode and reports the rest, with notices', async () => {
    const { store } = setup();
    await store.getState().addStyles([file('a.png'), file('notes.txt'), file('big.jpg')]);
    const s = store.getState();
    expect(s.styles.map((x) => x.name)).toEqual(['a.png', 'big.jpg']);
    expect(s.inputError).toMatch(/notes.txt/);
    expect(s.inputNotice).toMatch(/downscaled/);
    const removed = s.styles[0]!;
    s.removeStyle(removed.id);
    expect(closed(removed.bitmap)).toBe(true);
    expect(store.getState().styles).toHaveLength(1);
  });

  it('replaces the styles with the sample painting', async () => {
    const { store } = setup();
    await store.getState().addStyles([file('a.png')]);
    const old = store.getState().styles[0]!;
    await store.getState().loadSamples('waves');
    expect(closed(old.bitmap)).toBe(true);
    expect(store.getState().content?.name).toBe('portrait.jpg');
    expect(store.getState().styles.map((s) => s.name)).toEqual(['waves.jpg']);
  });

  it('says what is missing instead of starting', async () => {
    const { store, session } = setup();
    await store.getState().start();
    expect(store.getState().error).toBe('Choose a content image first.');
    await store.getState().setContent(file('face.png'));
    await store.getState().addStyles([file('s.png')]);
    store.getState().setStyleWeight(store.getState().styles[0]!.id, 0);
    await store.getState().start();
    expect(store.getState().error).toMatch(/weight above zero/);
    expect(session.runs).toHaveLength(0);
  });

  it('shows the backend problem and runs nothing on wasm', async () => {
    const { store, session } = setup();
    session.problem = 'Style transfer needs gradients of convolutions, which the wasm backend does not have.';
    await withInputs(store);
    await store.getState().start();
    expect(store.getState().error).toMatch(/wasm/);
    expect(store.getState().status).toBe('idle');
    expect(session.loads).toHaveLength(0);
  });

  it('runs: loads the network, keeps every row, shows previews and keeps the result', async () => {
    const { store, session } = setup();
    await withInputs(store);
    store.getState().setSettings({ iterations: 3 });
    const started = store.getState().start();
    await tick();
    expect(store.getState().status).toBe('running');
    expect(isBusy(store.getState().status)).toBe(true);
    expect(store.getState().network.status).toBe('ready');
    expect(store.getState().styleLayerNames).toEqual(['conv1_1', 'conv2_1']);
    const run = session.runs[0]!;
    expect(run.request.settings.iterations).toBe(3);
    expect(run.request.styles).toHaveLength(1);
    const stage = { index: 0, count: 1, width: 16, height: 12 };
    run.callbacks.onIteration!([1, 10, 4, 5, 1, 20, 2, 3], stage);
    run.callbacks.onIteration!([2, 8, 3, 4, 1, 18, 2, 2], stage);
    const p1 = bitmap();
    run.callbacks.onPreview!(p1);
    const p2 = bitmap();
    run.callbacks.onPreview!(p2);
    expect(closed(p1)).toBe(true);
    expect(store.getState().rows.map((r) => r[0])).toEqual([1, 2]);
    expect(store.getState().stage).toEqual(stage);
    run.finish({});
    await started;
    const s = store.getState();
    expect(s.status).toBe('done');
    expect(closed(p2)).toBe(true);
    expect(s.preview?.width).toBe(16);
    expect(s.result).toMatchObject({ url: 'blob:1', width: 16, height: 12, iterations: 3 });
  });

  it("shows where the run happens, from the session's place, with the tensor count after each step", async () => {
    const { store, session } = setup();
    let numTensors = 40;
    const place = () => ({ backend: 'webgpu', inWorker: true, note: null, numTensors });
    Object.assign(session, { place });
    await withInputs(store);
    const started = store.getState().start();
    await tick();
    expect(store.getState().runPlace).toEqual({ backend: 'webgpu', inWorker: true, note: null, numTensors: 40 });
    numTensors = 41;
    session.runs[0]!.callbacks.onIteration!([1, 10, 4, 5, 1, 20, 2, 3], { index: 0, count: 1, width: 16, height: 12 });
    expect(store.getState().runPlace?.numTensors).toBe(41);
    session.runs[0]!.finish({});
    await started;
    expect(store.getState().runPlace?.backend).toBe('webgpu');
  });

  it('pauses, resumes and stops through the session; a stopped run keeps its result', async () => {
    const { store, session, revoked } = setup();
    await withInputs(store);
    const first = store.getState().start();
    await tick();
    session.runs[0]!.finish({});
    await first;
    const started = store.getState().start();
    expect(revoked).toEqual(['blob:1']);
    await tick();
    // A second start while one runs does nothing.
    await store.getState().start();
    expect(session.runs).toHaveLength(2);
    store.getState().pause();
    expect(store.getState().status).toBe('paused');
    store.getState().resume();
    expect(store.getState().status).toBe('running');
    store.getState().stop();
    expect(session.calls).toEqual(['pause', 'resume', 'stop']);
    session.runs[1]!.finish({ stopped: true, iterations: 2 });
    await started;
    expect(store.getState().status).toBe('stopped');
    expect(store.getState().result?.iterations).toBe(2);
  });

  it('turns a network that fails to load into an error', async () => {
    const { store, session } = setup();
    session.loadError = new Error('Drop a model.json with its .bin weight files to use your own model.');
    await withInputs(store);
    store.getState().selectNetwork('custom');
    expect(session.loads).toHaveLength(0);
    await store.getState().start();
    expect(store.getState().status).toBe('error');
    expect(store.getState().error).toMatch(/model.json/);
    expect(store.getState().network.status).toBe('error');
  });

  it('passes the network options and forgets layer choices when the network changes', async () => {
    const { store, session } = setup();
    await store.getState().chooseNetwork('vgg19-random');
    store.getState().setStyleLayerWeight('conv4_2', 0.5);
    expect(store.getState().settings.styleLayers).toEqual([
      { layer: 'conv1_1', weight: 0.5 },
      { layer: 'conv2_1', weight: 0.5 },
      { layer: 'conv4_2', weight: 0.5 },
    ]);
    store.getState().setNetworkOptions({ vggSeed: 7, smoothing: true });
    const files = [file('model.json')];
    await store.getState().chooseNetwork('custom', files);
    expect(session.loads[1]).toMatchObject({ id: 'custom', seed: 7, smoothing: true, files });
    expect(store.getState().settings.styleLayers).toBeNull();
  });

  it("picking the custom network forgets the last network's layers and waits for files", async () => {
    const { store, session } = setup();
    await store.getState().chooseNetwork('vgg19-random');
    store.getState().setSettings({ contentLayer: 'conv2_1' });
    store.getState().setStyleLayerWeight('conv4_2', 0.5);
    store.getState().selectNetwork('custom');
    const { networkId, network, settings } = store.getState();
    expect(networkId).toBe('custom');
    expect(network).toMatchObject({ id: 'custom', status: 'idle', layers: [], defaults: null });
    expect([settings.contentLayer, settings.styleLayers]).toEqual([null, null]);
    expect(session.loads).toHaveLength(1);
  });

  it('saves the result with its settings and lists it', async () => {
    const { store, session, saved } = setup();
    await withInputs(store);
    const started = store.getState().start();
    await tick();
    session.runs[0]!.callbacks.onIteration!([1, 10, 4, 5, 1, 20], { index: 0, count: 1, width: 16, height: 12 });
    session.runs[0]!.finish({});
    await started;
    await store.getState().save('  ');
    expect(store.getState().saveMessage).toBe('Saved to your works.');
    expect(saved[0]).toMatchObject({
      id: 'work-1',
      title: 'face.png × swirls.png',
      created: 1000,
      costs: { total: 10, content: 4, style: 5, tv: 1 },
      settings: { lossNetwork: 'vgg19-random' },
    });
    expect(store.getState().works).toHaveLength(1);
    await store.getState().deleteWork('work-1');
    expect(store.getState().works).toHaveLength(0);
  });

  it('persists the knobs but never the custom network', async () => {
    const { store, storage } = setup();
    store.getState().setSettings({ size: 96 });
    store.getState().selectNetwork('custom');
    const kept = JSON.parse(storage.getItem('facet-style')!).state;
    expect(kept.settings.size).toBe(96);
    expect(kept.networkId).toBe('vgg19-random');
  });
});

describe('style selectors', () => {
  it('smooths activations only when chosen', () => {
    expect(selectSmoothing({ smoothing: null, networkId: 'resnet50' })).toBe(false);
    expect(selectSmoothing({ smoothing: true, networkId: 'resnet50' })).toBe(true);
    expect(selectSmoothing({ smoothing: null, networkId: 'vgg19-random' })).toBe(false);
    expect(selectSmoothing({ smoothing: null, networkId: 'custom' })).toBe(false);
    expect(selectSmoothing({ smoothing: false, networkId: 'resnet50' })).toBe(false);
    expect(selectSmoothing({ smoothing: true, networkId: 'vgg19-random' })).toBe(true);
  });

  it('gives the last cost row, or null before the first iteration', () => {
    expect(selectLastRow({ rows: [] })).toBeNull();
    expect(
      selectLastRow({
        rows: [
          [1, 10, 4, 5, 1, 20],
          [2, 8, 3, 4, 1, 18],
        ],
      }),
    ).toEqual([2, 8, 3, 4, 1, 18]);
  });

  it('locks the knobs while a run loads, runs or is paused, not after it ends', () => {
    const busy = (['idle', 'loading', 'running', 'paused', 'done', 'stopped', 'error'] as const).filter((status) =>
      selectBusy({ status }),
    );
    expect(busy).toEqual(['loading', 'running', 'paused']);
  });

  it('is ready with a content image and a style of weight above zero', () => {
    const style = (weight: number) => ({ ...decoded('s.png'), id: 's', weight });
    expect(selectReady({ content: null, styles: [style(1)] })).toBe(false);
    expect(selectReady({ content: decoded('c.png'), styles: [] })).toBe(false);
    expect(selectReady({ content: decoded('c.png'), styles: [style(0)] })).toBe(false);
    expect(selectReady({ content: decoded('c.png'), styles: [style(0), style(0.5)] })).toBe(true);
  });

  it("uses the chosen style layers, else the network's defaults equally weighted", () => {
    const settings = setup().store.getState().settings;
    const ready = networkState('vgg19-random', { status: 'ready', layers: info.layers, defaults: info.defaults });
    expect(styleLayersOf(settings, networkState('vgg19-random'))).toEqual([]);
    expect(styleLayersOf(settings, ready)).toEqual([
      { layer: 'conv1_1', weight: 0.5 },
      { layer: 'conv2_1', weight: 0.5 },
    ]);
    const chosen = [{ layer: 'conv4_2', weight: 2 }];
    expect(styleLayersOf({ ...settings, styleLayers: chosen }, ready)).toBe(chosen);
  });
});
