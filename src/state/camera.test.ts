import { describe, expect, it, vi } from 'vitest';
import { CameraError } from '../ml/runtime/camera';
import { createCameraStore, type CameraServices } from './camera';
import { createImageSourceStore } from './source';

/** A fake stream with one track that can be "unplugged". */
function fakeStream() {
  const listeners: (() => void)[] = [];
  const track = {
    label: 'Front camera',
    getSettings: () => ({ width: 1280, height: 720 }),
    addEventListener: (_: string, f: () => void) => listeners.push(f),
  };
  const stream = { getVideoTracks: () => [track] } as unknown as MediaStream;
  return { stream, unplug: () => listeners.forEach((f) => f()) };
}

function setup(open: CameraServices['open']) {
  const stop = vi.fn();
  const services: CameraServices = {
    open,
    list: async () => [{ deviceId: 'front', label: 'Front camera' }],
    stop,
    choice: () => ({ cameraId: 'front', resolution: 1 }),
  };
  return { store: createCameraStore(services), stop };
}

describe('the camera store, on fake camera calls', () => {
  it('opens the chosen camera at the chosen size, says what it delivers, and stops it', async () => {
    const { stream } = fakeStream();
    const open = vi.fn(async () => stream);
    const { store, stop } = setup(open);
    await store.getState().start();
    expect(open).toHaveBeenCalledWith(expect.objectContaining({ deviceId: 'front' }));
    expect(store.getState()).toMatchObject({
      status: 'on',
      stream,
      actual: { width: 1280, height: 720, label: 'Front camera' },
      devices: [{ deviceId: 'front', label: 'Front camera' }],
    });
    store.getState().stop();
    expect(stop).toHaveBeenLastCalledWith(stream);
    expect(store.getState()).toMatchObject({ status: 'off', stream: null });
  });

  it('turns a refusal into its own message, and an unplugged camera into a next step', async () => {
    const denied = setup(async () => {
      throw new CameraError('denied', 'Camera access was denied. Allow it in the browser, then try again.');
    });
    await denied.store.getState().start();
    expect(denied.store.getState()).toMatchObject({ status: 'error', error: { kind: 'denied' } });
    const cam = fakeStream();
    const { store } = setup(async () => cam.stream);
    await store.getState().start();
    cam.unplug();
    expect(store.getState().status).toBe('error');
    expect(store.getState().error?.message).toMatch(/Start it again/);
  });
});

describe('the image source store, on a fake decoder', () => {
  it('keeps the previous image when a new file cannot be read', async () => {
    const bitmap = { close: vi.fn() } as unknown as ImageBitmap;
    const store = createImageSourceStore(async (file) => {
      if (file.name.endsWith('.pdf')) throw new Error('This file is not an image (it looks like a PDF).');
      return { bitmap, name: file.name, width: 1, height: 1, originalWidth: 1, originalHeight: 1, notice: null };
    });
    await store.getState().openImage(new File(['x'], 'a.jpg'));
    expect(await store.getState().openImage(new File(['x'], 'b.pdf'))).toBeNull();
    expect(store.getState()).toMatchObject({ error: 'This file is not an image (it looks like a PDF).', busy: false });
    expect(store.getState().image?.name).toBe('a.jpg');
    expect(bitmap.close).not.toHaveBeenCalled();
    store.getState().clear();
    expect(bitmap.close).toHaveBeenCalled();
  });
});
