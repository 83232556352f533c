// Style Studio's work as one service, in the manner of MediaPipe Tasks: createStyleSession(options)
// → loadNetwork(…) the loss network → run(…) a transfer, with pause/resume/stop → close(). The
// session owns the loaded network and every tensor of a run; callers get plain data: the network's
// layers, one cost row per iteration, preview bitmaps and the result as a bitmap and a PNG.
//
// Runs are one at a time: a second run() while one is under way is refused rather than queued,
// because the page's Start button is the only caller and two runs would fight for the GPU.
import * as tf from '@tensorflow/tfjs';
import { tensorToBitmap, tensorToBlob } from '../core/image';
import { pixelsToTensor } from '../runtime/frames';
import { imageGradientProblem } from '../runtime/gradients';
import type { LoadProgress } from '../runtime/models';
import { RunControl } from '../runtime/run-control';
import type { InputPreprocessing } from './custom-network';
import type { ConvNetwork, LayerInfo, NetworkId } from '../nets/network';
import { loadLossNetwork, type LoadLossNetworkOptions, type LossNetworkId } from './networks';
import { runStyleTransfer, type StyleSettings } from './transfer';

/** One row per iteration: [iteration, J, α·J_content, β·J_style, γ·J_tv, ms, ...β·λ_l·J_style_l]. */
export type CostRow = number[];

export interface NetworkRequest {
  id: LossNetworkId;
  /** vgg19-random: the weights' seed. */
  seed: number;
  /** null: the network's own default. */
  smoothing: boolean | null;
  /** custom: the input range the model was trained on. */
  preprocessing: InputPreprocessing;
  /** custom: model.json and its shards; once given, kept for later loads of the custom network. */
  files?: readonly File[];
}

/** What a loaded network offers to choose from; no tensors. */
export interface NetworkInfo {
  id: NetworkId;
  label: string;
  layers: readonly LayerInfo[];
  defaults: { content: string; style: string[] };
}

export interface StyleRunRequest<Image = ImageBitmap> {
  content: Image;
  /** Style images with blend weights; those weighted zero are left out. */
  styles: readonly { image: Image; weight: number }[];
  settings: StyleSettings;
}

export interface StyleStage {
  index: number;
  count: number;
  width: number;
  height: number;
  /** Iterations the whole run will take (more than asked for when tiled: each tile runs the last stage's share). */
  planned?: number;
  /** In the tiled pass: the 0-based tile and how many. */
  tile?: number;
  tiles?: number;
}

export interface StyleRunCallbacks {
  onIteration?(row: CostRow, stage: StyleStage): void;
  /** A picture of G so far; the callee owns (and closes) it. Never called after run() settles. */
  onPreview?(bitmap: ImageBitmap): void;
}

export interface StyleRunOutcome {
  /** G at full size; the caller owns (and closes) it. */
  bitmap: ImageBitmap;
  png: Blob;
  width: number;
  height: number;
  iterations: number;
  /** Ended by stop(); the picture is the result so far. */
  stopped: boolean;
}

export interface StyleSessionOptions<Image = ImageBitmap> {
  /** Default: loadLossNetwork. */
  loadNetwork?(id: LossNetworkId, options: LoadLossNetworkOptions): Promise<ConvNetwork>;
  /** Options every load needs (base URL, model manifest), asked for at each load. */
  networkOptions?(): Promise<LoadLossNetworkOptions>;
  /** The tfjs backend in use; default tf.getBackend. */
  backend?(): string;
  /** An input picture as [H, W, 3] in 0..1; default pixelsToTensor. */
  readImage?(image: Image): tf.Tensor3D;
  /** Default tensorToBitmap / tensorToBlob (browser); tests pass their own. */
  toBitmap?(image: tf.Tensor3D): Promise<ImageBitmap>;
  toPng?(image: tf.Tensor3D): Promise<Blob>;
}

export interface StyleSession<Image = ImageBitmap> {
  /** Loads the network unless the one loaded has the same options; replaces (and frees) the old one. */
  loadNetwork(request: NetworkRequest, onProgress?: (fraction: number | null) => void): Promise<NetworkInfo>;
  /** Why a run cannot start on this backend, or null. */
  runProblem(): string | null;
  /** Style transfer through the loaded network. */
  run(request: StyleRunRequest<Image>, callbacks?: StyleRunCallbacks): Promise<StyleRunOutcome>;
  pause(): void;
  resume(): void;
  /** Ends the run after its current iteration (at once when paused); run() resolves with the result so far. */
  stop(): void;
  /** Stops any run and frees the network once the run has ended; the session is then unusable. */
  close(): void;
}

function infoOf(net: ConvNetwork): NetworkInfo {
  return {
    id: net.id,
    label: net.label,
    layers: net.layers,
    defaults: { ...net.defaults, style: [...net.defaults.style] },
  };
}

export function createStyleSession<Image = ImageBitmap>(options: StyleSessionOptions<Image> = {}): StyleSession<Image> {
  const load = options.loadNetwork ?? loadLossNetwork;
  const backend = options.backend ?? (() => tf.getBackend());
  const readImage = options.readImage ?? ((image: Image) => pixelsToTensor(image as unknown as ImageBitmap));
  const toBitmap = options.toBitmap ?? tensorToBitmap;
  const toPng = options.toPng ?? ((image: tf.Tensor3D) => tensorToBlob(image, 'image/png'));

  let network: ConvNetwork | null = null;
  let networkKey = '';
  let loading: Promise<unknown> = Promise.resolve();
  let customFiles: readonly File[] | null = null;
  let control: RunControl | null = null;
  let running: Promise<unknown> | null = null;
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new Error('This Style Studio session is closed; start a new one.');
  };

  async function loadNow(request: NetworkRequest, onProgress?: (fraction: number | null) => void) {
    if (request.files) customFiles = request.files;
    const custom = request.id === 'custom' ? (customFiles ?? []).map((f) => `${f.name}:${f.size}`).join(',') : '';
    const key = [request.id, request.smoothing, request.seed, request.preprocessing, custom].join('|');
    if (network && key === networkKey) return infoOf(network);
    const next = await load(request.id, {
      ...(await options.networkOptions?.()),
      seed: request.seed,
      smoothing: request.smoothing ?? undefined,
      onProgress: (p: LoadProgress) => onProgress?.(p.total ? p.loaded / p.total : null),
      source: request.id === 'custom' ? ((customFiles ?? undefined) as File[] | undefined) : undefined,
      preprocessing: request.preprocessing,
    });
    if (closed) {
      next.dispose();
      throw new Error('This Style Studio session is closed; start a new one.');
    }
    network?.dispose();
    network = next;
    networkKey = key;
    return infoOf(next);
  }

  async function runNow(net: ConvNetwork, request: StyleRunRequest<Image>, callbacks: StyleRunCallbacks) {
    const run = new RunControl();
    control = run;
    let settled = false;
    // Previews are encoded while the loop goes on; the result waits for them, and one that
    // finishes after the run has settled is closed rather than shown over the result.
    let previews: Promise<void> = Promise.resolve();
    const weighted = request.styles.filter((s) => s.weight > 0);
    const content = readImage(request.content);
    const styles: { image: tf.Tensor3D; weight: number }[] = [];
    try {
      for (const s of weighted) styles.push({ image: readImage(s.image), weight: s.weight });
      const result = await runStyleTransfer({
        content,
        styles,
        network: net,
        settings: request.settings,
        control: run,
        signal: run.signal,
        onIteration: (info) => {
          const row = [
            info.iteration,
            info.total,
            info.content,
            info.style,
            info.tv,
            info.msPerIteration,
            ...info.styleLayers,
          ];
          callbacks.onIteration?.(row, {
            index: info.stage,
            count: info.stages,
            width: info.width,
            height: info.height,
            planned: info.plannedIterations,
            ...(info.tiles ? { tile: info.tile, tiles: info.tiles } : {}),
          });
        },
        onPreview: (image) => {
          const encoded = toBitmap(image).finally(() => image.dispose());
          previews = previews.then(async () => {
            const bitmap = await encoded.catch(() => null);
            if (!bitmap) return;
            if (settled || !callbacks.onPreview) bitmap.close();
            else callbacks.onPreview(bitmap);
          });
        },
      });
      try {
        await previews;
        const [png, bitmap] = await Promise.all([toPng(result.image), toBitmap(result.image)]);
        const [height, width] = result.image.shape;
        return { bitmap, png, width, height, iterations: result.iterations, stopped: result.stoppedBy === 'stopped' };
      } finally {
        result.image.dispose();
      }
    } finally {
      settled = true;
      content.dispose();
      styles.forEach((s) => s.image.dispose());
      if (control === run) control = null;
    }
  }

  return {
    loadNetwork(request, onProgress) {
      ensureOpen();
      // Loads in the order asked for, so the last choice is the one that stays.
      const next = loading.then(() => loadNow(request, onProgress));
      loading = next.catch(() => undefined);
      return next;
    },
    runProblem: () => imageGradientProblem(backend(), 'Style transfer', network),
    async run(request, callbacks = {}) {
      ensureOpen();
      if (running) throw new Error('A style transfer is already running; stop it first.');
      await loading;
      const net = network;
      if (!net) throw new Error('Choose a loss network before starting.');
      const problem = imageGradientProblem(backend(), 'Style transfer', net);
      if (problem) throw new Error(problem);
      if (request.styles.every((s) => s.weight <= 0)) {
        throw new Error('Add at least one style image with a weight above zero.');
      }
      const work = runNow(net, request, callbacks);
      running = work;
      try {
        return await work;
      } finally {
        running = null;
      }
    },
    pause: () => control?.pause(),
    resume: () => control?.resume(),
    stop: () => control?.stop(),
    close() {
      if (closed) return;
      closed = true;
      control?.stop();
      void Promise.allSettled([running, loading]).then(() => {
        network?.dispose();
        network = null;
      });
    },
  };
}
