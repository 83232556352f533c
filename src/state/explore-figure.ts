// The Explorer store's layer-by-layer figure: the patch pool it ranks over, the five-layer run and
// the saliency map of a clicked patch. A slice of the one Explorer store (it shares the loaded
// network and the image set), kept in its own file so each file holds one concern.
import { errorMessage } from '../ml/core/errors';
import type { PixelRect } from '../ml/nets/geometry';
import { figureLayers } from '../ml/explore/layer-figure';
import type { ExploreNetwork } from '../ml/explore/networks';
import { buildPool, FULL_POOL } from '../ml/explore/pool';
import { closeFigure, closeSaliency, type ExploreImage } from '../ml/explore/views';
import type { ExploreState, FigureSlice } from './explore-types';
import { imageSetOf } from './explore-types';
import type { ExploreServices } from './explore-store';

interface SliceContext {
  get(): ExploreState;
  set(patch: Partial<ExploreState>): void;
  network(): ExploreNetwork | null;
  /** Whether another job of the page is running (one at a time). */
  otherBusy(): boolean;
}

/** `limit` images spread evenly over the pool (all of it without a limit). */
export function limitPool<T>(pool: readonly T[], limit = Infinity): T[] {
  if (!(limit < pool.length)) return [...pool];
  const n = Math.max(1, Math.floor(limit));
  return Array.from({ length: n }, (_, i) => pool[Math.floor((i * pool.length) / n)]!);
}

export type FigureState = Pick<ExploreState, keyof FigureSlice>;

export function createFigureSlice(services: ExploreServices, ctx: SliceContext): FigureState {
  const { get, set } = ctx;
  let control: AbortController | null = null;
  /** The pool the shown figure was ranked over: its patches point into it. */
  let pool: ExploreImage[] = [];
  let saliencyToken = 0;
  /** Faces found per image id (face networks add a crop around each). */
  const faceBoxes = new Map<string, readonly PixelRect[]>();

  async function facesOf(images: ReturnType<typeof imageSetOf>): Promise<(i: ExploreImage, n: number) => PixelRect[]> {
    const find = services.findFaces;
    const net = ctx.network();
    if (!find || !net || net.inputSize === null) return () => [];
    for (const image of images) {
      // Gallery thumbnails are faces already; photos and paintings are searched once.
      if (image.origin === 'gallery' || faceBoxes.has(image.id)) continue;
      try {
        faceBoxes.set(image.id, await find(image.bitmap));
      } catch {
        faceBoxes.set(image.id, []);
      }
    }
    return (_, n) => [...(faceBoxes.get(images[n]?.id ?? '') ?? [])];
  }

  function clearSaliency() {
    saliencyToken++;
    closeSaliency(get().saliency);
    set({ saliency: null, saliencyStatus: 'idle', saliencyError: null, saliencyTarget: null });
  }

  return {
    poolLevel: FULL_POOL,
    figureStatus: 'idle',
    figureRuns: 0,
    figureProgress: null,
    figureError: null,
    figure: null,
    poolSize: 0,
    saliency: null,
    saliencyStatus: 'idle',
    saliencyError: null,
    saliencyTarget: null,

    setPoolLevel(level) {
      if (get().figureStatus === 'running') return;
      set({ poolLevel: level });
    },

    async computeFigure() {
      if (get().figureStatus === 'running' || ctx.otherBusy()) return;
      const net = ctx.network();
      try {
        if (!net || get().network.status !== 'ready') {
          set({ figureStatus: 'error', figureError: 'Wait until the network has loaded, then try again.' });
          return;
        }
        set({ figureStatus: 'running', figureError: null, figureProgress: null });
        if (get().useSamples && get().samplesStatus !== 'ready') await get().loadSamples();
        const images = imageSetOf(get());
        if (images.length === 0) {
          set({
            figureStatus: 'error',
            figureError: 'The image set is empty: turn on the samples or the gallery faces, or add your own images.',
          });
          return;
        }
        const layers = figureLayers(net.id, net.layers);
        const next = limitPool(buildPool(images, get().poolLevel, await facesOf(images)), services.poolLimit);
        const controller = new AbortController();
        control = controller;
        set({ figureProgress: { done: 0, total: next.length } });
        try {
          const result = await services.jobs.runLayerFigure(
            { network: net, layers, images: next, feedSize: get().feedSize },
            { signal: controller.signal, onProgress: (done, total) => set({ figureProgress: { done, total } }) },
          );
          if (!result) {
            set({ figureStatus: 'stopped', figureProgress: null });
            return;
          }
          clearSaliency();
          closeFigure(get().figure);
          pool = next;
          set({
            figure: result,
            poolSize: next.length,
            figureStatus: result.partial ? 'stopped' : 'done',
            figureProgress: null,
          });
        } finally {
          if (control === controller) control = null;
        }
      } catch (e) {
        set({ figureStatus: 'error', figureError: errorMessage(e), figureProgress: null });
      } finally {
        set({ figureRuns: get().figureRuns + 1 });
      }
    },

    stopFigure() {
      control?.abort();
    },

    async explainPatch(target) {
      const net = ctx.network();
      const figure = get().figure;
      const column = figure?.layers[target.layer];
      const unit = column?.units[target.unit];
      const patch = unit?.patches[target.patch];
      const layer = net?.layers.find((l) => l.name === column?.layer);
      const image = patch?.source !== undefined ? pool[patch.source] : undefined;
      if (!net || !unit || !patch || !layer || !image) return;
      const token = ++saliencyToken;
      closeSaliency(get().saliency);
      set({ saliency: null, saliencyStatus: 'running', saliencyError: null, saliencyTarget: target });
      try {
        const view = await services.jobs.runSaliency({
          network: net,
          layer,
          image,
          channel: unit.channel,
          row: patch.row,
          col: patch.col,
          feedSize: get().feedSize,
        });
        if (token !== saliencyToken) return closeSaliency(view);
        set({ saliency: view, saliencyStatus: 'done' });
      } catch (e) {
        if (token === saliencyToken) {
          set({ saliencyStatus: 'error', saliencyError: `The saliency map failed: ${errorMessage(e)}` });
        }
      }
    },

    clearFigure() {
      control?.abort();
      clearSaliency();
      closeFigure(get().figure);
      pool = [];
      set({ figure: null, poolSize: 0, figureStatus: 'idle', figureError: null, figureProgress: null });
    },
  };
}
