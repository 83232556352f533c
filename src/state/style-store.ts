// The Style Studio's store: the inputs (content, styles with blend weights), every knob, the loss
// network's state, the one transfer at a time and the saved works. The tfjs work is the style
// session's (src/ml/style/session.ts); decoding, samples, the camera and the works database come
// in as `StyleServices`, so a test can drive the store with fakes and no tfjs, DOM or IndexedDB.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { errorMessage } from '../ml/core/errors';
import { decodeImageFiles } from '../ml/runtime/image-file';
import {
  DEFAULT_LOSS_NETWORK,
  presetPatchForNetworkChange,
  stylePreset,
  weightsForStrength,
} from '../ml/style/presets';
import { DEFAULT_STYLE_SETTINGS } from '../ml/style/transfer';
import {
  isBusy,
  networkState,
  paceKey,
  paceOf,
  selectLastRow,
  selectReady,
  styleLayersOf,
  type StyleServices,
  type StyleState,
} from './style-types';

export function createStyleStore(services: StyleServices) {
  const { session } = services;
  let styleCounter = 0;
  // Only the latest load may write the network's state: an older one finishing late is ignored.
  let networkToken = 0;

  return create<StyleState>()(
    persist(
      (set, get) => {
        const closeAll = (images: readonly { bitmap: ImageBitmap }[]) => images.forEach((i) => i.bitmap.close());

        const setPreview = (bitmap: ImageBitmap | null) => {
          const old = get().preview;
          if (old && old !== bitmap) old.close();
          set({ preview: bitmap });
        };

        // Layer choices belong to a network; another network starts from its own defaults, and
        // settings at a preset move to the same preset of the new network.
        const switchNetworkSettings = (id: StyleState['networkId']) => {
          const { settings, networkId } = get();
          if (id === networkId) return;
          const preset = presetPatchForNetworkChange(settings, networkId, id);
          set({ settings: { ...settings, ...preset, contentLayer: null, styleLayers: null } });
        };

        return {
          content: null,
          styles: [],
          inputNotice: null,
          inputError: null,
          settings: { ...DEFAULT_STYLE_SETTINGS },
          networkId: DEFAULT_LOSS_NETWORK,
          smoothing: null,
          vggSeed: 1,
          customPreprocessing: 'caffe',
          network: networkState(DEFAULT_LOSS_NETWORK),
          status: 'idle',
          error: null,
          rows: [],
          styleLayerNames: [],
          stage: null,
          preview: null,
          result: null,
          runPlace: null,
          pace: null,
          works: [],
          saveMessage: null,

          async setContent(file) {
            set({ inputError: null, inputNotice: null });
            try {
              const image = await services.decodeImage(file);
              get().content?.bitmap.close();
              set({ content: image, inputNotice: image.notice });
            } catch (e) {
              // What the user had stays: a bad file replaces nothing.
              set({ inputError: errorMessage(e) });
            }
          },

          async loadSamples(styleId = 'swirls') {
            try {
              const { content, style } = await services.sampleFiles(styleId);
              await get().setContent(content);
              closeAll(get().styles);
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
            const bitmap = await services.snapshot(video);
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
            const { decoded, problems, notices } = await decodeImageFiles(files, (f) => services.decodeImage(f));
            const added = decoded.map(({ image }) => ({ ...image, id: `style-${++styleCounter}`, weight: 1 }));
            set({
              styles: [...get().styles, ...added],
              inputError: problems.length ? problems.join(' ') : null,
              inputNotice: notices.length ? notices.join(' ') : null,
            });
          },

          removeStyle(id) {
            get()
              .styles.find((s) => s.id === id)
              ?.bitmap.close();
            set({ styles: get().styles.filter((s) => s.id !== id) });
          },

          setStyleWeight(id, weight) {
            set({ styles: get().styles.map((s) => (s.id === id ? { ...s, weight: Math.max(0, weight) } : s)) });
          },

          setSettings(patch) {
            set({ settings: { ...get().settings, ...patch } });
          },

          applyPreset(id) {
            set({ settings: { ...get().settings, ...stylePreset(get().networkId, id).patch } });
          },

          setStrength(strength) {
            const { settings } = get();
            set({ settings: { ...settings, ...weightsForStrength(settings.alpha, strength) } });
          },

          resetSettings() {
            const balanced = stylePreset(get().networkId, 'balanced').patch;
            set({ settings: { ...DEFAULT_STYLE_SETTINGS, ...balanced }, smoothing: null });
          },

          setStyleLayerWeight(layer, weight) {
            const { settings, network } = get();
            const others = styleLayersOf(settings, network).filter((l) => l.layer !== layer);
            const next = weight === null ? others : [...others, { layer, weight }];
            const order = new Map(network.layers.map((l, i) => [l.name, i]));
            next.sort((a, b) => (order.get(a.layer) ?? 0) - (order.get(b.layer) ?? 0));
            set({ settings: { ...settings, styleLayers: next } });
          },

          selectNetwork(id) {
            if (id !== 'custom') {
              void get().chooseNetwork(id);
              return;
            }
            switchNetworkSettings(id);
            set({ networkId: id, network: networkState(id) });
          },

          async chooseNetwork(id, customFiles) {
            const { smoothing, vggSeed, customPreprocessing } = get();
            switchNetworkSettings(id);
            const token = ++networkToken;
            const current = () => token === networkToken;
            set({ networkId: id, network: networkState(id, { status: 'loading' }) });
            try {
              const info = await session.loadNetwork(
                { id, seed: vggSeed, smoothing, preprocessing: customPreprocessing, files: customFiles },
                (progress) => current() && set({ network: { ...get().network, progress } }),
              );
              if (current()) {
                set({
                  network: networkState(id, {
                    status: 'ready',
                    layers: info.layers,
                    defaults: info.defaults,
                    label: info.label,
                  }),
                });
              }
              return true;
            } catch (e) {
              if (current()) set({ network: networkState(id, { status: 'error', error: errorMessage(e) }) });
              return false;
            }
          },

          setNetworkOptions(patch) {
            // The session compares the options with the loaded network's, so a change loads anew at the next start.
            set(patch);
          },

          async start() {
            const { content, styles, status } = get();
            if (isBusy(status)) return;
            if (!selectReady({ content, styles })) {
              set({
                error: content
                  ? 'Add at least one style image with a weight above zero.'
                  : 'Choose a content image first.',
              });
              return;
            }
            const problem = session.runProblem();
            if (problem) {
              set({ error: problem });
              return;
            }
            const previous = get().result;
            if (previous) services.objectUrl.revoke(previous.url);
            // The last run's picture goes at once, so the page shows the starting point, not an old result.
            setPreview(null);
            set({ status: 'loading', error: null, rows: [], result: null, stage: null, saveMessage: null });
            if (!(await get().chooseNetwork(get().networkId))) {
              set({ status: 'error', error: get().network.error });
              return;
            }
            const { settings, network } = get();
            const place = () => session.place?.() ?? null;
            set({
              status: 'running',
              runPlace: place(),
              styleLayerNames: styleLayersOf(settings, network).map((l) => l.layer),
            });
            try {
              const outcome = await session.run(
                {
                  content: content!.bitmap,
                  styles: styles.map((s) => ({ image: s.bitmap, weight: s.weight })),
                  settings,
                },
                {
                  onIteration: (row, stage) => set({ rows: [...get().rows, row], stage, runPlace: place() }),
                  onPreview: setPreview,
                },
              );
              setPreview(outcome.bitmap);
              const msPerPixel = paceOf(get().rows, get().stage);
              const backend = get().runPlace?.backend;
              set({
                ...(msPerPixel !== null ? { pace: { key: paceKey(get().networkId, backend), msPerPixel } } : {}),
                result: {
                  blob: outcome.png,
                  url: services.objectUrl.create(outcome.png),
                  width: outcome.width,
                  height: outcome.height,
                  iterations: outcome.iterations,
                },
                status: outcome.stopped ? 'stopped' : 'done',
                runPlace: place(),
              });
            } catch (e) {
              set({ status: 'error', error: errorMessage(e) });
            }
          },

          pause() {
            if (get().status !== 'running') return;
            session.pause();
            set({ status: 'paused' });
          },

          resume() {
            if (get().status !== 'paused') return;
            session.resume();
            set({ status: 'running' });
          },

          stop() {
            session.stop();
          },

          async save(title) {
            const { result, settings, networkId, network, content, styles } = get();
            if (!result) return;
            const last = selectLastRow(get());
            try {
              await services.works.save({
                id: services.newId(),
                title: title.trim() || `${content?.name ?? 'Untitled'} × ${styles.map((s) => s.name).join(', ')}`,
                created: services.now(),
                image: result.blob,
                width: result.width,
                height: result.height,
                settings: {
                  ...settings,
                  lossNetwork: networkId,
                  lossNetworkLabel: network.label,
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
              set({ works: await services.works.list() });
            } catch (e) {
              set({ saveMessage: `Your saved works could not be read: ${errorMessage(e)}` });
            }
          },

          async deleteWork(id) {
            try {
              await services.works.delete(id);
              await get().loadWorks();
            } catch (e) {
              set({ saveMessage: `Not deleted: ${errorMessage(e)}` });
            }
          },
        };
      },
      {
        name: 'facet-style',
        version: 1,
        storage: createJSONStorage(() => services.storage()),
        partialize: (s) => ({
          settings: s.settings,
          networkId: s.networkId === 'custom' ? DEFAULT_LOSS_NETWORK : s.networkId,
          smoothing: s.smoothing,
          vggSeed: s.vggSeed,
          customPreprocessing: s.customPreprocessing,
          pace: s.pace,
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
}
