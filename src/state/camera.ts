import { create } from 'zustand';
import {
  CameraError,
  listCameras,
  openCamera,
  RESOLUTIONS,
  stopStream,
  type CameraDevice,
  type CameraErrorKind,
} from '../ml/runtime/camera';
import { useSettings } from './settings';

interface CameraState {
  status: 'off' | 'starting' | 'on' | 'error';
  stream: MediaStream | null;
  devices: CameraDevice[];
  error: { kind: CameraErrorKind; message: string } | null;
  /** The actual size the camera delivers, which may differ from the one asked for. */
  actual: { width: number; height: number; label: string; facing?: string } | null;
  start(): Promise<void>;
  stop(): void;
  refreshDevices(): Promise<void>;
}

/** The camera calls the store makes (src/ml/runtime/camera.ts); tests pass fakes. */
export interface CameraServices {
  open: typeof openCamera;
  list: typeof listCameras;
  stop: typeof stopStream;
  /** The camera and resolution chosen in Settings. */
  choice(): { cameraId: string | null; resolution: number };
}

export function createCameraStore(services: CameraServices) {
  const { open, list, stop } = services;
  return create<CameraState>()((set, get) => ({
    status: 'off',
    stream: null,
    devices: [],
    error: null,
    actual: null,

    async start() {
      if (get().status === 'starting') return;
      stop(get().stream);
      set({ status: 'starting', error: null, stream: null });
      const { cameraId, resolution } = services.choice();
      const res = RESOLUTIONS[resolution] ?? RESOLUTIONS[0];
      try {
        const stream = await open({ deviceId: cameraId, width: res.width, height: res.height });
        const track = stream.getVideoTracks()[0];
        const s = track?.getSettings();
        set({
          status: 'on',
          stream,
          actual: { width: s?.width ?? 0, height: s?.height ?? 0, label: track?.label ?? '', facing: s?.facingMode },
        });
        track?.addEventListener('ended', () => {
          if (get().stream === stream) {
            set({
              status: 'error',
              stream: null,
              error: {
                kind: 'in-use',
                message: 'The camera was disconnected or taken by another app. Start it again.',
              },
            });
          }
        });
        await get().refreshDevices();
      } catch (e) {
        const err = e instanceof CameraError ? e : new CameraError('unknown', String(e));
        set({ status: 'error', error: { kind: err.kind, message: err.message } });
      }
    },

    stop() {
      stop(get().stream);
      set({ status: 'off', stream: null, actual: null });
    },

    async refreshDevices() {
      try {
        set({ devices: await list() });
      } catch {
        set({ devices: [] });
      }
    },
  }));
}

export const useCamera = createCameraStore({
  open: openCamera,
  list: listCameras,
  stop: stopStream,
  choice: () => useSettings.getState(),
});
