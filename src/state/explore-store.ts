// The Explorer's state: which network and layer is being looked at, the image set its units are
// ranked over, and the three views of the layer. The work itself is done by the services in
// src/ml/explore, which the store receives so that a test can drive it with fakes; the store only
// decides when to run them and keeps what they return (closing the bitmaps it replaces).
import { create } from 'zustand';
import { errorMessage } from '../ml/core/errors';
import type { PixelRect } from '../ml/nets/geometry';
import { RunControl } from '../ml/runtime/run-control';
import { firstChannels } from '../ml/explore/activation-maps';
import type { ImageSetReader } from '../ml/explore/image-set';
import type { ActivationRequest, ExploreJobs } from '../ml/explore/jobs';
import { closePatches, parseChannels, type LiveView } from '../ml/explore/views';
import {
  defaultLayer,
  networkInputSize,
  networkLabel,
  type ExploreLayer,
  type ExploreNetwork,
  type ExploreNetworkId,
  type NetworkLoader,
} from '../ml/explore/networks';
import {
  DEFAULT_FEED_SIZE,
  DEFAULT_VIS_SETTINGS,
  imageSetOf,
  type ExploreState,
  type NetworkState,
} from './explore-types';
import { createFigureSlice } from './explore-figure';
import { createImageActions } from './explore-images';
import { NOT_LOADED } from './network-state';

export interface ExploreServices {
  networks: NetworkLoader;
  jobs: ExploreJobs;
  images: ImageSetReader;
  /** Bytes to download before the network can load; null when it is shipped or already cached. */
  downloadSize?(id: ExploreNetworkId): Promise<number | null>;
  /** Face boxes in a picture, in its pixels (for the face networks' pool). */
  findFaces?(bitmap: ImageBitmap): Promise<PixelRect[]>;
  /** At most this many pool images, spread evenly over the pool (tests on a slow GPU); default all. */
  poolLimit?: number;
}

function networkState(id: ExploreNetworkId, patch: Partial<NetworkState> = {}): NetworkState {
  return {
    id,
    ...NOT_LOADED,
    label: networkLabel(id),
    inputSize: networkInputSize(id),
    ...patch,
  };
}

export function createExploreStore(services: ExploreServices) {
  return create<ExploreState>()((set, get) => {
    // Outside React's state: the loaded network and the handles of running work.
    let network: ExploreNetwork | null = null;
    let networkToken = 0;
    let patchControl: AbortController | null = null;
    let visControl: RunControl | null = null;
    let camera: { stop(): void } | null = null;
    let liveToken = 0;

    const currentLayer = (): ExploreLayer | null =>
      get().network.layers.find((l) => l.name === get().layer) ?? get().network.layers[0] ?? null;

    const busy = () =>
      get().patchStatus === 'running' || get().visStatus === 'running' || get().figureStatus === 'running';

    /** What the activation maps of the current layer should show, or null before a network is ready. */
    function activationRequest(): ActivationRequest | null {
      const layer = currentLayer();
      if (!network || !layer || get().network.status !== 'ready') return null;
      const { liveCount, liveUnits, patches, feedSize } = get();
      const channels =
        liveUnits && patches && patches.layer === layer.name
          ? patches.units.map((u) => u.channel)
          : firstChannels(liveCount, layer.channels);
      return { network, layer, channels, feedSize };
    }

    function setLive(view: LiveView | null) {
      const old = get().live;
      set({ live: view });
      if (old && old !== view) old.bitmap.close();
    }

    async function refreshLiveImage() {
      const source = get().liveSource;
      if (source?.kind !== 'image') return;
      const image = imageSetOf(get()).find((i) => i.id === source.id);
      const request = activationRequest();
      if (!image || !request) return;
      const token = ++liveToken;
      try {
        const view = await services.jobs.runActivationPicture(request, image.bitmap);
        if (token !== liveToken) {
          view.bitmap.close();
          return;
        }
        set({ liveError: null });
        setLive(view);
      } catch (e) {
        if (token === liveToken) set({ liveError: errorMessage(e) });
      }
    }

    async function runPatches() {
      const layer = currentLayer();
      if (!network || !layer || get().network.status !== 'ready') {
        set({ patchStatus: 'error', patchError: 'Load a network and choose a layer first.' });
        return;
      }
      const net = network;
      if (get().useSamples && get().samplesStatus !== 'ready') {
        set({ patchStatus: 'running', patchError: null, patchProgress: null });
        await get().loadSamples();
      }
      const images = imageSetOf(get());
      if (images.length === 0) {
        set({
          patchStatus: 'error',
          patchError: 'The image set is empty: turn on the samples or the gallery faces, or add your own images.',
        });
        return;
      }
      let channels: number[] | null = null;
      if (get().channelMode === 'chosen') {
        try {
          channels = parseChannels(get().channelText, layer.channels);
        } catch (e) {
          set({ patchStatus: 'error', patchError: errorMessage(e) });
          return;
        }
      }
      const controller = new AbortController();
      patchControl = controller;
      set({ patchStatus: 'running', patchError: null, patchProgress: { done: 0, total: images.length } });
      try {
        const result = await services.jobs.runTopPatches(
          { network: net, layer, images, channels, feedSize: get().feedSize },
          { signal: controller.signal, onProgress: (done, total) => set({ patchProgress: { done, total } }) },
        );
        if (!result) {
          set({ patchStatus: 'stopped', patchProgress: null });
          return;
        }
        closePatches(get().patches);
        set({ patches: result, patchStatus: result.partial ? 'stopped' : 'done', patchProgress: null });
        if (get().liveUnits) void refreshLiveImage();
      } catch (e) {
        set({ patchStatus: 'error', patchError: errorMessage(e), patchProgress: null });
      } finally {
        if (patchControl === controller) patchControl = null;
      }
    }

    return {
      ...createFigureSlice(services, {
        get,
        set,
        network: () => network,
        otherBusy: () => get().patchStatus === 'running' || get().visStatus === 'running',
      }),
      // A trained network first: FaceRes ships with the app (precached) and has learned faces.
      networkId: 'faceres',
      network: networkState('faceres'),
      layer: null,
      pendingDownload: null,
      ...createImageActions(services, { get, set, busy }),

      samples: [],
      galleryImages: [],
      dropped: [],
      useSamples: true,
      useGalleryFaces: false,
      samplesStatus: 'idle',
      galleryStatus: 'idle',
      imageError: null,
      imageNotice: null,

      channelMode: 'auto',
      channelText: '0, 1, 2, 3, 4, 5, 6, 7, 8',
      feedSize: DEFAULT_FEED_SIZE,
      patchStatus: 'idle',
      patchRuns: 0,
      patchProgress: null,
      patchError: null,
      patches: null,

      visSettings: { ...DEFAULT_VIS_SETTINGS },
      visStatus: 'idle',
      visError: null,
      visRows: [],
      visPreview: null,

      liveSource: null,
      liveCount: 16,
      liveUnits: false,
      liveRunning: false,
      liveError: null,
      live: null,

      async chooseNetwork(id, confirmed = false) {
        if (busy()) return;
        const token = ++networkToken;
        set({ pendingDownload: null });
        if (!confirmed && services.downloadSize) {
          const bytes = await services.downloadSize(id).catch(() => null);
          if (token !== networkToken) return;
          if (bytes) return set({ pendingDownload: { id, bytes } });
        }
        if (get().liveSource?.kind === 'camera') get().stopLive();
        set({ networkId: id, network: networkState(id, { status: 'loading' }) });
        try {
          const next = await services.networks.run(id, (progress) => {
            if (token === networkToken) set({ network: { ...get().network, progress } });
          });
          if (token !== networkToken) {
            next.close();
            return;
          }
          get().clearFigure();
          network?.close();
          network = next;
          closePatches(get().patches);
          set({
            network: networkState(id, { status: 'ready', layers: next.layers, label: next.label }),
            layer: defaultLayer(next.layers, get().layer),
            patches: null,
            patchStatus: 'idle',
            patchError: null,
          });
          await refreshLiveImage();
        } catch (e) {
          if (token === networkToken) set({ network: networkState(id, { status: 'error', error: errorMessage(e) }) });
        }
      },

      async confirmDownload() {
        const pending = get().pendingDownload;
        if (pending) await get().chooseNetwork(pending.id, true);
      },

      cancelDownload() {
        networkToken++;
        set({ pendingDownload: null });
      },

      setLayer(name) {
        if (busy()) return;
        set({ layer: name });
        void refreshLiveImage();
      },

      setPatchOptions(patch) {
        set(patch);
      },

      async computePatches() {
        if (busy()) return;
        try {
          await runPatches();
        } finally {
          set({ patchRuns: get().patchRuns + 1 });
        }
      },

      stopPatches() {
        patchControl?.abort();
      },

      setVisSettings(patch) {
        set({ visSettings: { ...get().visSettings, ...patch } });
      },

      async startFeatureVis() {
        if (busy()) return;
        const layer = currentLayer();
        if (!network || !layer || get().network.status !== 'ready') {
          set({ visStatus: 'error', visError: 'Load a network and choose a layer first.' });
          return;
        }
        const request = { network, layer, settings: get().visSettings };
        const problem = services.jobs.featureVisProblem(request);
        if (problem) {
          set({ visStatus: 'error', visError: problem });
          return;
        }
        const control = new RunControl();
        visControl = control;
        get().visPreview?.close();
        set({ visStatus: 'running', visError: null, visRows: [], visPreview: null });
        try {
          const result = await services.jobs.runFeatureVis(request, {
            control,
            onIteration: (row) => set({ visRows: [...get().visRows, row] }),
            onPreview: (bitmap) => {
              get().visPreview?.close();
              set({ visPreview: bitmap });
            },
          });
          get().visPreview?.close();
          set({ visPreview: result.bitmap, visStatus: result.stoppedBy === 'stopped' ? 'stopped' : 'done' });
        } catch (e) {
          set({ visStatus: 'error', visError: `Feature visualisation failed: ${errorMessage(e)}` });
        } finally {
          if (visControl === control) visControl = null;
        }
      },

      stopFeatureVis() {
        visControl?.stop();
      },

      setLiveOptions(patch) {
        set(patch);
        void refreshLiveImage();
      },

      async chooseLiveSource(source) {
        get().stopLive();
        setLive(null);
        set({ liveSource: source, liveError: null });
        if (source?.kind === 'image') await refreshLiveImage();
      },

      startCameraActivations(video) {
        get().stopLive();
        set({ liveSource: { kind: 'camera' }, liveRunning: true, liveError: null });
        camera = services.jobs.startCameraActivations(video, activationRequest, {
          view: setLive,
          error: (message) => {
            get().stopLive();
            set({ liveError: message });
          },
        });
      },

      stopLive() {
        liveToken++;
        camera?.stop();
        camera = null;
        set({ liveRunning: false });
      },
    };
  });
}

export type ExploreStore = ReturnType<typeof createExploreStore>;
