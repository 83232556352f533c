// A small, documented hook for the project's own command-line tools (bench, and later
// eval and stylize) and end-to-end tests: they drive the built app through the same stores
// the UI uses, so what they measure is what a user runs.
import {
  benchLeaks,
  benchSearch,
  benchStages,
  benchStills,
  benchVideoLeaks,
  benchVideoPath,
  randomGallery,
  timeToDecision,
} from '../ml/face/bench-faces';
import { DEFAULT_UNLOCK_CONFIG } from '../ml/face/unlock-machine';
import { EMBEDDERS, type EmbedderId } from '../ml/face/embedder-specs';
import { CpuSearcher } from '../ml/face/search';
import { pixelsToTensor } from '../ml/runtime/frames';
import { useEvaluate, type EvaluationReport } from './evaluate';
import { useFaces } from './faces';
import { useModels } from './models';
import { useRuntime } from './runtime';
import { useStyle } from './style';
import type { StyleSettings } from '../ml/style/transfer';
import type { LossNetworkId } from '../ml/style/networks';
import {
  backendFeatures,
  benchStyleTransfer,
  type BackendFeatures,
  type StyleBenchReport,
} from '../ml/style/bench-style';
import { loadLossNetwork } from '../ml/style/networks';
import { fetchSampleManifest, loadSample } from '../ml/runtime/samples';
import { judgeNetworkFor, judgeRun, type JudgeReport } from '../ml/style/judge';

/** Judges a stylize run through the other network, on the page's backend; the judge is loaded and freed here. */
async function judgeBytes(
  lossNetwork: LossNetworkId,
  run: { content: Uint8Array; style: Uint8Array; result: Uint8Array; settings: StyleSettings },
): Promise<JudgeReport> {
  const decode = async (bytes: Uint8Array) => {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    try {
      return pixelsToTensor(bitmap);
    } finally {
      bitmap.close();
    }
  };
  const manifest = (await useModels.getState().loadManifest()) ?? undefined;
  // Raw activations: the judge's trained features as they are, not the loss network's smoothed ones.
  const judge = await loadLossNetwork(judgeNetworkFor(lossNetwork), {
    baseUrl: import.meta.env.BASE_URL,
    manifest,
    smoothing: false,
  });
  const [content, style, result] = [await decode(run.content), await decode(run.style), await decode(run.result)];
  try {
    return await judgeRun(judge, { content, style, result, settings: run.settings });
  } finally {
    content.dispose();
    style.dispose();
    result.dispose();
    judge.dispose();
  }
}

export interface StylizeReport {
  backend: string;
  lossnet: string;
  size: number;
  width: number;
  height: number;
  iterations: number;
  ms_per_iter_median: number;
  J: number[];
  J_content: number[];
  J_style: number[];
  settings: StyleSettings;
  /** Seconds from Start to the result. */
  wall_s: number;
  /** Content and style distances before and after, through another network than the loss network (judge.ts). */
  judge: JudgeReport | null;
  /** The result as PNG bytes. */
  png: Uint8Array;
}

export interface FacetAutomation {
  ready(): Promise<{ backend: string; status: string; error: string | null }>;
  bench(runs?: number): ReturnType<ReturnType<typeof useRuntime.getState>['runBench']>;
  loadModel(id: string): Promise<{ id: string; inputs: string[]; outputs: string[] }>;
  memory(): { numTensors: number; numBytes: number };
  /** Chooses the embedding model for the next analyses. */
  setEmbedder(id: EmbedderId): void;
  /**
   * Face ID benchmarks on the current backend, on a photo given as bytes: per-stage time per
   * frame, 1:N search by gallery size against the plain-JS baseline, and a tensor-leak loop.
   */
  benchFaces(options: {
    image: Uint8Array;
    runs?: number;
    sizes?: number[];
    dim?: number;
    frames?: number;
    /** Embedders to time beside the active one, stage by stage. */
    compare?: EmbedderId[];
  }): Promise<Record<string, unknown>>;
  /**
   * The video path on frames the caller captured (a fake webcam's, looped to `frames`), beside
   * which `npm run bench -- --only faces` times @vladmandic/human in the same page: ms per still
   * image, ms per frame and fps, per kind of frame, and with `leakFrames` the tensor count over
   * that many frames. With `firstDecision`, only the time to the first decision, cold (if the
   * engine is not loaded yet in this page) then warm.
   */
  benchVideo(options: {
    clip: ImageBitmap[];
    stills?: ImageBitmap[];
    frames?: number;
    fps?: number;
    decideEvery?: number;
    stillRuns?: number;
    leakFrames?: number;
    firstDecision?: boolean;
  }): Promise<Record<string, unknown>>;
  /**
   * Style transfer through the Style Studio's store (what `npm run stylize` calls): the images
   * as bytes, any settings, and the loss network; resolves when the run ends.
   */
  stylize(
    options: {
      content: Uint8Array;
      style: Uint8Array;
      lossNetwork?: LossNetworkId;
      /** Softmax smoothing of the activations (after SWAG); default off. */
      smoothing?: boolean;
      /** The random VGG-19's weight seed. */
      vggSeed?: number;
      /** Judge the result through another network (default true). */
      judge?: boolean;
    } & Partial<StyleSettings>,
  ): Promise<StylizeReport>;
  /** Waits for the Evaluate page's run to finish and returns its report. */
  evaluation(): Promise<EvaluationReport | null>;
  /**
   * Style-transfer benchmarks on the current backend with the built-in samples (portrait, swirls):
   * ms per iteration of the app's path and of the baseline per loss network and size, peak bytes,
   * and a tensor-leak loop (bench-style.ts).
   */
  benchStyle(options?: {
    lossnets?: LossNetworkId[];
    sizes?: number[];
    iterations?: number;
    leakIterations?: number;
    leakSize?: number;
  }): Promise<StyleBenchReport & { features: BackendFeatures }>;
}

declare global {
  interface Window {
    facet?: FacetAutomation;
  }
}

async function waitFor<T>(read: () => T | null | undefined, ms = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = read();
    if (v != null) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function installAutomation(): void {
  window.facet = {
    async ready() {
      const s = await waitFor(() => {
        const st = useRuntime.getState();
        return st.status === 'ready' || st.status === 'error' ? st : null;
      });
      return { backend: s.info?.name ?? 'none', status: s.status, error: s.error };
    },
    bench: (runs) => useRuntime.getState().runBench(runs),
    async loadModel(id) {
      const model = await useModels.getState().load(id);
      return {
        id,
        inputs: model.inputs.map((i) => `${i.name}:${i.shape?.join('x') ?? '?'}`),
        outputs: model.outputs.map((o) => o.name),
      };
    },
    memory() {
      useRuntime.getState().refreshMemory();
      return useRuntime.getState().memory;
    },
    setEmbedder: (id) => useFaces.getState().setEmbedder(id),
    async benchFaces({ image, runs = 10, sizes = [], dim = 192, frames = 0, compare = [] }) {
      const active = useFaces.getState().embedderId;
      // Other embedders' stages in the same page and on the same frame, for a side-by-side table.
      const others: Record<string, unknown> = {};
      for (const id of compare.filter((m) => m !== active && EMBEDDERS[m])) {
        useFaces.getState().setEmbedder(id);
        const decoded = await createImageBitmap(new Blob([image as Uint8Array<ArrayBuffer>]));
        const still = pixelsToTensor(decoded);
        decoded.close();
        const gallery = new CpuSearcher({ vectors: randomGallery(1000, EMBEDDERS[id].dim), dim: EMBEDDERS[id].dim });
        try {
          others[id] = await benchStages((await useFaces.getState().engine()).pipeline, still, gallery, runs);
        } finally {
          still.dispose();
          gallery.dispose();
          useFaces.getState().setEmbedder(active);
        }
      }
      const { pipeline } = await useFaces.getState().engine();
      const spec = EMBEDDERS[active];
      const bitmap = await createImageBitmap(new Blob([image as Uint8Array<ArrayBuffer>]));
      const frame = pixelsToTensor(bitmap);
      bitmap.close();
      // The match stage searches a gallery of 1,000 templates of the model's size.
      const gallery = new CpuSearcher({ vectors: randomGallery(1000, spec.dim), dim: spec.dim });
      try {
        const stages = await benchStages(pipeline, frame, gallery, runs);
        const search = sizes.length ? await benchSearch(sizes, dim, Math.max(3, Math.round(runs / 2))) : [];
        const leaks = frames ? await benchLeaks(pipeline, frame, gallery, frames) : null;
        return { model: spec.id, frame: `${frame.shape[1]}x${frame.shape[0]}`, stages, others, search, leaks };
      } finally {
        frame.dispose();
        gallery.dispose();
      }
    },
    async benchVideo({
      clip,
      stills = [],
      frames = 300,
      fps = 15,
      decideEvery = 60,
      stillRuns = 3,
      leakFrames = 0,
      firstDecision = false,
    }) {
      const faces = useFaces.getState();
      const dim = EMBEDDERS[faces.embedderId].dim;
      const gallery = new CpuSearcher({ vectors: randomGallery(1000, dim), dim });
      try {
        if (firstDecision) {
          const wasLoaded = faces.status === 'ready';
          const engine = () => useFaces.getState().engine();
          const minQuality = DEFAULT_UNLOCK_CONFIG.minQuality;
          const first = await timeToDecision(engine, clip, gallery, minQuality);
          const warm = await timeToDecision(engine, clip, gallery, minQuality);
          return { model: faces.embedderId, [wasLoaded ? 'first_warm' : 'cold']: first, warm };
        }
        const engine = await faces.engine();
        const still = stills.length ? await benchStills(engine, stills, stillRuns) : null;
        const video = await benchVideoPath(engine, clip, { frames, fps, decideEvery, match: gallery });
        const leaks = leakFrames ? await benchVideoLeaks(engine, clip, leakFrames, decideEvery) : null;
        return { model: faces.embedderId, still, video, leaks };
      } finally {
        gallery.dispose();
      }
    },
    async stylize({ content, style, lossNetwork, smoothing, vggSeed, judge = true, ...settings }) {
      const store = useStyle.getState();
      // What the user would get by changing nothing: the store's own network unless one is asked for.
      const network = lossNetwork ?? store.networkId;
      const file = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name);
      await store.setContent(file(content, 'content'));
      useStyle.setState({ styles: [] });
      await store.addStyles([file(style, 'style')]);
      const inputs = useStyle.getState();
      if (inputs.inputError) throw new Error(inputs.inputError);
      if (smoothing !== undefined || vggSeed !== undefined) {
        useStyle.setState({
          ...(smoothing !== undefined ? { smoothing } : {}),
          ...(vggSeed !== undefined ? { vggSeed } : {}),
        });
      }
      // The network first: picking one moves preset settings to its preset; what was asked for goes on top.
      if (!(await store.chooseNetwork(network)))
        throw new Error(useStyle.getState().network.error ?? 'no loss network');
      store.setSettings(settings);
      const t0 = performance.now();
      await store.start();
      const wall = (performance.now() - t0) / 1000;
      const done = useStyle.getState();
      if (done.status === 'error' || !done.result) throw new Error(done.error ?? 'style transfer did not finish');
      const ms = done.rows.map((r) => r[5]!).sort((a, b) => a - b);
      const png = new Uint8Array(await done.result.blob.arrayBuffer());
      return {
        backend: useRuntime.getState().info?.name ?? 'none',
        lossnet: network,
        size: done.settings.size,
        width: done.result.width,
        height: done.result.height,
        iterations: done.result.iterations,
        ms_per_iter_median: ms[Math.floor(ms.length / 2)] ?? NaN,
        J: done.rows.map((r) => r[1]!),
        J_content: done.rows.map((r) => r[2]!),
        J_style: done.rows.map((r) => r[3]!),
        settings: done.settings,
        wall_s: Math.round(wall * 10) / 10,
        judge: judge ? await judgeBytes(network, { content, style, result: png, settings: done.settings }) : null,
        png,
      };
    },
    async benchStyle({
      lossnets = ['vgg19-random', 'resnet50'] as LossNetworkId[],
      sizes = [64, 128],
      iterations = 5,
      leakIterations = 200,
      leakSize = 32,
    } = {}) {
      const base = import.meta.env.BASE_URL;
      const samples = await fetchSampleManifest(base);
      const decode = async (id: string) => {
        const entry = samples.find((e) => e.id === id);
        if (!entry) throw new Error(`The sample "${id}" is missing from this build.`);
        const bitmap = await createImageBitmap(await loadSample(entry, base));
        try {
          return pixelsToTensor(bitmap);
        } finally {
          bitmap.close();
        }
      };
      const content = await decode('portrait');
      try {
        const style = await decode('swirls');
        try {
          const manifest = (await useModels.getState().loadManifest()) ?? undefined;
          const report = await benchStyleTransfer({
            content,
            style,
            // Its own copies, not the Style Studio's: the benchmark disposes each after its cases.
            networks: lossnets.map((id) => ({ id, load: () => loadLossNetwork(id, { baseUrl: base, manifest }) })),
            sizes,
            iterations,
            leakIterations,
            leakSize,
            onProgress: (m) => console.info(`[bench-style] ${m}`),
          });
          return { ...report, features: await backendFeatures() };
        } finally {
          style.dispose();
        }
      } finally {
        content.dispose();
      }
    },
    async evaluation() {
      const s = await waitFor(() => {
        const st = useEvaluate.getState();
        return !st.running && (st.report || st.error) ? st : null;
      }, 3_600_000);
      if (s.error) throw new Error(s.error);
      return s.report;
    },
  };
}
