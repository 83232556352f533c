// The Style Studio: its inputs (content, styles with blend weights), every knob, the loss
// network, one running style-transfer job at a time, and the saved works. The maths lives in
// src/ml/style; this store turns its callbacks into plain state for the page.
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import * as tf from '@tensorflow/tfjs';
import { decodeImageFile, type DecodedImage } from '../ml/runtime/image-file';
import { pixelsToTensor } from '../ml/runtime/frames';
import { fetchSampleManifest, loadSample } from '../ml/runtime/samples';
import type { InputPreprocessing } from '../ml/style/custom-network';
import type { LayerInfo, LossNetwork, LossNetworkId } from '../ml/style/loss-network';
import { loadLossNetwork, LOSS_NETWORKS } from '../ml/style/networks';
import { RunControl } from '../ml/style/optimise';
import {
  DEFAULT_STYLE_SETTINGS,
  runStyleTransfer,
  type StyleIterationInfo,
  type StyleSettings,
} from '../ml/style/transfer';
import { studio, type StyleWork } from '../db/studio';
import { registry } from './models';
import { errorMessage } from '../ml/core/errors';

export interface StyleInput extends DecodedImage {
  id: string;
  /** Blend weight among the style images. */
  weight: number;
}

export type JobStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

/** One row per iteration: [iteration, J, α·J_content, β·J_style, γ·J_tv, ms, ...β·λ_l·J_style_l]. */
export type CostRow = number[];

export interface StyleResult {
  blob: Blob;
  url: string;
  width: number;
  height: number;
  iterations: number;
}

interface NetworkState {
  id: LossNetworkId;
  status: 'idle' | 'loading' | 'ready' | 'error';
  progress: number | null;
  error: string | null;
  layers: readonly LayerInfo[];
  defaults: { content: string; style: string[] } | null;
  label: string;
}

interface StyleState {
  content: DecodedImage | null;
  styles: StyleInput[];
  inputNotice: string | null;
  inputError: string | null;
  settings: StyleSettings;
  networkId: LossNetworkId;
  /** ResNet-50 / custom: softmax-smooth activations (SWAG). null: the network's default. */
  smoothing: boolean | null;
  vggSeed: number;
  customPreprocessing: InputPreprocessing;
  network: NetworkState;

  status: JobStatus;
  error: string | null;
  rows: CostRow[];
  styleLayerNames: string[];
  stage: { index: number; count: number; width: number; height: number } | null;
  preview: ImageBitmap | null;
  result: StyleResult | null;
  works: StyleWork[];
  saveMessage: string | null;

  setContent(file: File): Promise<void>;
  /** The built-in portrait as content and a generated painting as style. */
  loadSamples(style?: string): Promise<void>;
  setContentFromCamera(video: HTMLVideoElement): Promise<void>;
  addStyles(files: File[]): Promise<void>;
  removeStyle(id: string): void;
  setStyleWeight(id: string, weight: number): void;
  setSettings(patch: Partial<StyleSettings>): void;
  resetSettings(): void;
  setStyleLayerWeight(layer: string, weight: number | null): void;
  chooseNetwork(id: LossNetworkId, customFiles?: File[]): Promise<LossNetwork | null>;
  setNetworkOptions(patch: {
    smoothing?: boolean | null;
    vggSeed?: number;
    customPreprocessing?: InputPreprocessing;
  }): void;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  save(title: string): Promise<void>;
  loadWorks(): Promise<void>;
  deleteWork(id: string): Promise<void>;
}

let network: LossNetwork | null = null;
let networkKey = '';
let customFiles: File[] | null = null;
let control: RunControl | null = null;
let styleCounter = 0;

async function toPng(image: tf.Tensor3D): Promise<{ blob: Blob; bitmap: ImageBitmap }> {
  const [height, width] = image.shape;
  const pixels = await tf.browser.toPixels(image);
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return { blob, bitmap: canvas.transferToImageBitmap() };
}

async function toBitmap(image: tf.Tensor3D): Promise<ImageBitmap> {
  const [height, width] = image.shape;
  const pixels = await tf.browser.toPixels(image);
  return createImageBitmap(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height));
}

function networkState(id: LossNetworkId, patch: Partial<NetworkState> = {}): NetworkState {
  const choice = LOSS_NETWORKS.find((n) => n.id === id);
  return {
    id,
    status: 'idle',
    progress: null,
    error: null,
    layers: [],
    defaults: null,
    label: choice?.label ?? id,
    ...patch,
  };
}

export const useStyle = create<StyleState>()(
  persist(
    (set, get) => ({
      content: null,
      styles: [],
      inputNotice: null,
      inputError: null,
      settings: { ...DEFAULT_STYLE_SETTINGS },
      networkId: 'vgg19-random',
      smoothing: null,
      vggSeed: 1,
      customPreprocessing: 'caffe',
      network: networkState('vgg19-random'),
      status: 'idle',
      error: null,
      rows: [],
      styleLayerNames: [],
      stage: null,
      preview: null,
      result: null,
      works: [],
      saveMessage: null,

      async setContent(file) {
        set({ inputError: null, inputNotice: null });
        try {
          const image = await decodeImageFile(file);
          get().content?.bitmap.close();
          set({ content: image, inputNotice: image.notice });
        } catch (e) {
          // What the user had stays: a bad file replaces nothing.
          set({ inputError: errorMessage(e) });
        }
      },

      async loadSamples(styleId = 'swirls') {
        try {
          const base = import.meta.env.BASE_URL;
          const entries = await fetchSampleManifest(base);
          const pick = async (id: string) => {
            const entry = entries.find((e) => e.id === id);
            if (!entry) throw new Error(`The sample "${id}" is missing from this build.`);
            return new File([await loadSample(entry, base)], entry.file, { type: 'image/jpeg' });
          };
          const [content, style] = await Promise.all([pick('portrait'), pick(styleId)]);
          await get().setContent(content);
          for (const s of get().styles) s.bitmap.close();
          set({ styles: [] });
          await get().addStyles([style]);
        } catch (e) {
          set({ inputError: errorMessage(e) });
        }
      },

      async setContentFromCamera(video) {
        if (!video.videoWidth) {
          set({ inputError: 'The camera has not delivered a frame yet; wait a moment and try again.' });
          return;
        }
        const bitmap = await createImageBitmap(video);
        get().content?.bitmap.close();
        const { width, height } = bitmap;
        set({
          inputError: null,
          inputNotice: null,
          content: {
            bitmap,
            name: 'Camera snapshot',
            width,
            height,
            originalWidth: width,
            originalHeight: height,
            notice: null,
          },
        });
      },

      async addStyles(files) {
        set({ inputError: null, inputNotice: null });
        const added: StyleInput[] = [];
        const problems: string[] = [];
        const notices: string[] = [];
        for (const file of files) {
          try {
            const image = await decodeImageFile(file);
            if (image.notice) notices.push(image.notice);
            added.push({ ...image, id: `style-${++styleCounter}`, weight: 1 });
          } catch (e) {
            problems.push(errorMessage(e));
          }
        }
        set({
          styles: [...get().styles, ...added],
          inputError: problems.length ? problems.join(' ') : null,
          inputNotice: notices.length ? notices.join(' ') : null,
        });
      },

      removeStyle(id) {
        const style = get().styles.find((s) => s.id === id);
        style?.bitmap.close();
        set({ styles: get().styles.filter((s) => s.id !== id) });
      },

      setStyleWeight(id, weight) {
        set({ styles: get().styles.map((s) => (s.id === id ? { ...s, weight: Math.max(0, weight) } : s)) });
      },

      setSettings(patch) {
        set({ settings: { ...get().settings, ...patch } });
      },

      resetSettings() {
        set({ settings: { ...DEFAULT_STYLE_SETTINGS }, smoothing: null });
      },

      setStyleLayerWeight(layer, weight) {
        const { settings, network: net } = get();
        const current =
          settings.styleLayers ??
          (net.defaults?.style ?? []).map((l, _, all) => ({ layer: l, weight: 1 / all.length }));
        const others = current.filter((l) => l.layer !== layer);
        const next = weight === null ? others : [...others, { layer, weight }];
        const order = new Map(net.layers.map((l, i) => [l.name, i]));
        next.sort((a, b) => (order.get(a.layer) ?? 0) - (order.get(b.layer) ?? 0));
        set({ settings: { ...settings, styleLayers: next } });
      },

      async chooseNetwork(id, files) {
        const { smoothing, vggSeed, customPreprocessing } = get();
        if (files) customFiles = files;
        const key = `${id}|${smoothing}|${vggSeed}|${customPreprocessing}|${id === 'custom' ? customFiles?.map((f) => f.name).join(',') : ''}`;
        if (id !== get().networkId) {
          // Layer choices belong to a network; another network starts from its own defaults.
          set({ settings: { ...get().settings, contentLayer: null, styleLayers: null } });
        }
        set({ networkId: id });
        if (network && key === networkKey) return network;
        set({ network: networkState(id, { status: 'loading' }) });
        try {
          const next = await loadLossNetwork(id, {
            seed: vggSeed,
            smoothing: smoothing ?? undefined,
            baseUrl: import.meta.env.BASE_URL,
            manifest: (await registry.getManifest()) ?? undefined,
            onProgress: (p) => set({ network: { ...get().network, progress: p.total ? p.loaded / p.total : null } }),
            source: customFiles ?? undefined,
            preprocessing: customPreprocessing,
          });
          network?.dispose();
          network = next;
          networkKey = key;
          set({
            network: networkState(id, {
              status: 'ready',
              layers: next.layers,
              defaults: { content: next.defaults.content, style: [...next.defaults.style] },
              label: next.label,
            }),
          });
          return next;
        } catch (e) {
          set({ network: networkState(id, { status: 'error', error: errorMessage(e) }) });
          return null;
        }
      },

      setNetworkOptions(patch) {
        set(patch);
        networkKey = '';
      },

      async start() {
        const { content, styles, status } = get();
        if (status === 'running' || status === 'paused' || status === 'loading') return;
        const weighted = styles.filter((s) => s.weight > 0);
        if (!content || weighted.length === 0) {
          set({
            error: content ? 'Add at least one style image with a weight above zero.' : 'Choose a content image first.',
          });
          return;
        }
        if (tf.getBackend() === 'wasm') {
          set({
            error:
              'Style transfer needs gradients of convolutions, which the wasm backend does not have. ' +
              'Choose WebGPU, WebGL or CPU under Settings → Backend, then start again.',
          });
          return;
        }
        const previous = get().result;
        if (previous) URL.revokeObjectURL(previous.url);
        set({ status: 'loading', error: null, rows: [], result: null, stage: null, saveMessage: null });
        const net = await get().chooseNetwork(get().networkId);
        if (!net) {
          set({ status: 'error', error: get().network.error });
          return;
        }
        control = new RunControl();
        const run = control;
        const contentTensor = pixelsToTensor(content.bitmap);
        const styleTensors = weighted.map((s) => ({ image: pixelsToTensor(s.bitmap), weight: s.weight }));
        const styleLayerNames = (get().settings.styleLayers ?? net.defaults.style.map((layer) => ({ layer }))).map(
          (l) => l.layer,
        );
        set({ status: 'running', styleLayerNames });
        try {
          const result = await runStyleTransfer({
            content: contentTensor,
            styles: styleTensors,
            network: net,
            settings: get().settings,
            control: run,
            signal: run.signal,
            onIteration: (info: StyleIterationInfo) => {
              const row = [
                info.iteration,
                info.total,
                info.content,
                info.style,
                info.tv,
                info.msPerIteration,
                ...info.styleLayers,
              ];
              set({
                rows: [...get().rows, row],
                stage: { index: info.stage, count: info.stages, width: info.width, height: info.height },
              });
            },
            onPreview: (image) => {
              void toBitmap(image)
                .then((bitmap) => {
                  get().preview?.close();
                  set({ preview: bitmap });
                })
                .finally(() => image.dispose());
            },
          });
          try {
            const { blob, bitmap } = await toPng(result.image);
            get().preview?.close();
            const [height, width] = result.image.shape;
            set({
              preview: bitmap,
              result: { blob, url: URL.createObjectURL(blob), width, height, iterations: result.iterations },
              status: result.stoppedBy === 'stopped' ? 'stopped' : 'done',
            });
          } finally {
            result.image.dispose();
          }
        } catch (e) {
          set({ status: 'error', error: errorMessage(e) });
        } finally {
          contentTensor.dispose();
          styleTensors.forEach((s) => s.image.dispose());
          if (control === run) control = null;
        }
      },

      pause() {
        if (get().status !== 'running' || !control) return;
        control.pause();
        set({ status: 'paused' });
      },

      resume() {
        if (get().status !== 'paused' || !control) return;
        control.resume();
        set({ status: 'running' });
      },

      stop() {
        control?.stop();
      },

      async save(title) {
        const { result, settings, networkId, network: net, rows, content, styles } = get();
        if (!result) return;
        const last = rows[rows.length - 1];
        try {
          const db = await studio();
          await db.saveWork({
            id: crypto.randomUUID(),
            title: title.trim() || `${content?.name ?? 'Untitled'} × ${styles.map((s) => s.name).join(', ')}`,
            created: Date.now(),
            image: result.blob,
            width: result.width,
            height: result.height,
            settings: {
              ...settings,
              lossNetwork: networkId,
              lossNetworkLabel: net.label,
              content: content?.name ?? null,
              styles: styles.map((s) => ({ name: s.name, weight: s.weight })),
            },
            costs: last ? { total: last[1]!, content: last[2]!, style: last[3]!, tv: last[4]! } : null,
            iterations: result.iterations,
          });
          set({ saveMessage: 'Saved to your works.' });
          await get().loadWorks();
        } catch (e) {
          set({ saveMessage: `Not saved: ${errorMessage(e)}` });
        }
      },

      async loadWorks() {
        try {
          set({ works: await (await studio()).listWorks() });
        } catch (e) {
          set({ saveMessage: `Your saved works could not be read: ${errorMessage(e)}` });
        }
      },

      async deleteWork(id) {
        try {
          await (await studio()).deleteWork(id);
          await get().loadWorks();
        } catch (e) {
          set({ saveMessage: `Not deleted: ${errorMessage(e)}` });
        }
      },
    }),
    {
      name: 'facet-style',
      version: 1,
      partialize: (s) => ({
        settings: s.settings,
        networkId: s.networkId === 'custom' ? 'vgg19-random' : s.networkId,
        smoothing: s.smoothing,
        vggSeed: s.vggSeed,
        customPreprocessing: s.customPreprocessing,
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<StyleState>;
        return {
          ...current,
          ...p,
          settings: { ...DEFAULT_STYLE_SETTINGS, ...p.settings },
          network: networkState(p.networkId ?? current.networkId),
        };
      },
    },
  ),
);
