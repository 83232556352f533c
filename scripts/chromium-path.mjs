// Where Debian's Chromium lives. Playwright's own browser download is not used: CI and the
// developers' machines get Chromium from Debian (`apt-get install chromium`).
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  Boolean,
);

export function findChromium() {
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Flags for headless runs: WebGPU on (SwiftShader gives a software adapter), no background traffic. */
export function chromiumArgs({ webgpu = true, fakeCamera = null } = {}) {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--enable-unsafe-swiftshader',
    ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
    ...(fakeCamera ? ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeCamera}`] : []),
  ];
}
