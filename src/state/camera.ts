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
  actual: { width: number; height: number; label: string } | null;
  start(): Promise<void>;
  stop(): void;
  refreshDevices(): Promise<void>;
}

export const useCamera = create<CameraState>()((set, get) => ({
  status: 'off',
  stream: null,
  devices: [],
  error: null,
  actual: null,

  async start() {
    if (get().status === 'starting') return;
    stopStream(get().stream);
    set({ status: 'starting', error: null, stream: null });
    const { cameraId, resolution } = useSettings.getState();
    const res = RESOLUTIONS[resolution] ?? RESOLUTIONS[0];
    try {
      const stream = await openCamera({ deviceId: cameraId, width: res.width, height: res.height });
      const track = stream.getVideoTracks()[0];
      const s = track?.getSettings();
      set({
        status: 'on',
        stream,
        actual: { width: s?.width ?? 0, height: s?.height ?? 0, label: track?.label ?? '' },
      });
      track?.addEventListener('ended', () => {
        if (get().stream === stream) {
          set({
            status: 'error',
            stream: null,
            error: { kind: 'in-use', message: 'The camera was disconnected or taken by another app. Start it again.' },
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
    stopStream(get().stream);
    set({ status: 'off', stream: null, actual: null });
  },

  async refreshDevices() {
    try {
      set({ devices: await listCameras() });
    } catch {
      set({ devices: [] });
    }
  },
}));
