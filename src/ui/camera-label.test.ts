import { describe, expect, it } from 'vitest';
import { plainCameraLabel } from './camera-label';

describe('plainCameraLabel', () => {
  it('keeps a plain name and drops USB ids', () => {
    expect(plainCameraLabel('Integrated Camera (04f2:b6d9)')).toBe('Integrated Camera');
    expect(plainCameraLabel('FaceTime HD Camera')).toBe('FaceTime HD Camera');
  });

  it('never shows a device or file path', () => {
    expect(plainCameraLabel('/dev/video0')).toBe('Camera');
    expect(plainCameraLabel('/dev/video2', 'user')).toBe('Front camera');
    expect(plainCameraLabel('USB2.0 HD UVC WebCam: /dev/video0')).toBe('USB2.0 HD UVC WebCam');
    expect(plainCameraLabel('HD Webcam (/dev/video1)')).toBe('HD Webcam');
    expect(plainCameraLabel('/home/me/e2e/fixtures/face-a.y4m')).toBe('Camera');
    // Chromium's file-fed test camera is named by the file it reads.
    expect(plainCameraLabel('e2e/fixtures/face-a.y4m', 'user')).toBe('Front camera');
  });

  it("names Chromium's test camera, and a nameless one, by the way it faces or its place", () => {
    expect(plainCameraLabel('fake_device_0', 'user')).toBe('Front camera');
    expect(plainCameraLabel('', 'environment')).toBe('Back camera');
    expect(plainCameraLabel('', undefined, 1)).toBe('Camera 2');
  });
});
