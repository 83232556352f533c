import { describe, expect, it, vi } from 'vitest';
import type { BackendName } from './backend';
import {
  backendVerdict,
  chooseBackend,
  chooseFastest,
  chooseForGradients,
  deviceKey,
  isSoftwareAdapter,
  reusableRecord,
  type DeviceKeyParts,
  type ProbeFigure,
  type ProbeRecord,
} from './backend-choice';

const fig = (name: BackendName, ms: number | null, extra: Partial<ProbeFigure> = {}): ProbeFigure => ({
  name,
  started: ms != null,
  ms,
  warmupMs: ms,
  gradients: { conv: true, depthwise: name !== 'wasm' },
  ...extra,
});

const swiftshader: DeviceKeyParts['webgpu'] = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: '',
  isFallbackAdapter: null,
};
const parts: DeviceKeyParts = { webgpu: swiftshader, webglRenderer: 'ANGLE (SwiftShader)', userAgent: 'Chromium/140' };

const record = (figures: ProbeFigure[], key = deviceKey(parts)): ProbeRecord => ({
  version: 1,
  key,
  at: '2025-01-02T03:04:05.000Z',
  figures,
  totalMs: 1000,
});

describe('choosing the backend by its measured speed', () => {
  it('takes the fastest backend that ran, whatever the chain order', () => {
    const choice = chooseFastest([fig('webgpu', 40), fig('webgl', 25), fig('wasm', 9), fig('cpu', 80)]);
    expect(choice?.name).toBe('wasm');
    expect(choice?.reason).toMatch(/wasm is the fastest measured/);
  });

  it('ignores backends that did not start', () => {
    expect(chooseFastest([fig('webgpu', null), fig('webgl', 30), fig('cpu', 90)])?.name).toBe('webgl');
    expect(chooseFastest([fig('webgpu', null)])).toBeNull();
  });

  it('never picks software WebGPU silently, even when it measured fastest', () => {
    const choice = chooseFastest([fig('webgpu', 5, { software: true }), fig('wasm', 9)]);
    expect(choice?.name).toBe('wasm');
    expect(choice?.reason).toMatch(/software adapter/);
  });

  it('uses software WebGPU only when nothing else ran, and says so', () => {
    const choice = chooseFastest([fig('webgpu', 500, { software: true }), fig('wasm', null), fig('cpu', null)]);
    expect(choice?.name).toBe('webgpu');
    expect(choice?.reason).toMatch(/only a software WebGPU adapter/);
  });

  it('for gradient work, takes the fastest backend that has the gradients the network needs', () => {
    const figures = [
      fig('webgpu', 60),
      fig('wasm', 9),
      fig('cpu', 80),
      fig('webgl', 30, { gradients: { conv: false, depthwise: false } }),
    ];
    // VGG and ResNet-50 have only plain convolutions, which wasm can differentiate.
    expect(chooseForGradients(figures, { depthwise: false })?.name).toBe('wasm');
    // Depthwise convolutions (FaceRes, BlazeFace): wasm has no gradient for them; webgl here has none at all.
    expect(chooseForGradients(figures, { depthwise: true })?.name).toBe('webgpu');
    expect(chooseForGradients([fig('wasm', 9)], { depthwise: true })).toBeNull();
  });
});

describe('recognising a software adapter', () => {
  it('by isFallbackAdapter or by SwiftShader-like names', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(
      isSoftwareAdapter({ ...swiftshader, architecture: 'ampere', vendor: 'nvidia', isFallbackAdapter: true }),
    ).toBe(true);
    expect(isSoftwareAdapter({ ...swiftshader, architecture: 'ampere', vendor: 'nvidia' })).toBe(false);
    expect(isSoftwareAdapter(null)).toBe(false);
  });
});

describe('reusing the stored measurement', () => {
  const key = deviceKey(parts);

  it('reuses a record whose key is this device', () => {
    const r = record([fig('wasm', 9)]);
    expect(reusableRecord(JSON.parse(JSON.stringify(r)), key)).toEqual(r);
  });

  it('measures again when the adapter, renderer or browser changed, or the record is damaged', () => {
    const r = record([fig('wasm', 9)]);
    const gpu = deviceKey({ ...parts, webgpu: { ...swiftshader, architecture: 'ampere', vendor: 'nvidia' } });
    expect(reusableRecord(r, gpu)).toBeNull();
    expect(reusableRecord(r, deviceKey({ ...parts, webglRenderer: 'ANGLE (NVIDIA)' }))).toBeNull();
    expect(reusableRecord(r, deviceKey({ ...parts, userAgent: 'Chromium/141' }))).toBeNull();
    expect(reusableRecord({ ...r, figures: 'x' }, key)).toBeNull();
    expect(reusableRecord('not a record', key)).toBeNull();
  });
});

describe('chooseBackend', () => {
  const key = deviceKey(parts);
  const setup = (fresh: ProbeFigure[], startable: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu']) => {
    const started: BackendName[] = [];
    const start = vi.fn(async (name: BackendName) => {
      started.push(name);
      return startable.includes(name);
    });
    const measure = vi.fn(async () => record(fresh));
    return { start, measure, started };
  };

  it('measures on the first start and starts the fastest', async () => {
    const { start, measure, started } = setup([
      fig('webgpu', 300, { software: true }),
      fig('wasm', 10),
      fig('cpu', 70),
    ]);
    const chosen = await chooseBackend({ preferred: null, key, stored: null, start, measure });
    expect(measure).toHaveBeenCalledTimes(1);
    expect(chosen).toMatchObject({ name: 'wasm', chosenBy: 'measured' });
    expect(started.at(-1)).toBe('wasm');
    expect(chosen.attempts.map((a) => a.name)).toEqual(['webgpu', 'wasm', 'cpu']);
  });

  it('reuses the stored figures when the key matches, and measures again when it does not', async () => {
    const stored = record([fig('webgl', 8), fig('wasm', 10)]);
    const same = setup([fig('wasm', 10)]);
    const reused = await chooseBackend({ preferred: null, key, stored, start: same.start, measure: same.measure });
    expect(same.measure).not.toHaveBeenCalled();
    expect(reused).toMatchObject({ name: 'webgl', chosenBy: 'stored' });

    const changed = setup([fig('webgl', 80), fig('wasm', 10)]);
    const other = deviceKey({ ...parts, webglRenderer: 'ANGLE (NVIDIA)' });
    const fresh = await chooseBackend({
      preferred: null,
      key: other,
      stored,
      start: changed.start,
      measure: changed.measure,
    });
    expect(changed.measure).toHaveBeenCalledTimes(1);
    expect(fresh).toMatchObject({ name: 'wasm', chosenBy: 'measured' });
  });

  it('lets a pin override the measurement, without measuring', async () => {
    const { start, measure } = setup([]);
    const stored = record([fig('webgpu', 300, { software: true }), fig('wasm', 10)]);
    const chosen = await chooseBackend({ preferred: 'webgpu', key, stored, start, measure });
    expect(measure).not.toHaveBeenCalled();
    expect(chosen).toMatchObject({ name: 'webgpu', chosenBy: 'pinned', reason: 'webgpu is chosen in Settings.' });
    expect(chosen.probe).toEqual(stored);
  });

  it('walks down the chain when the measured winner does not start this time', async () => {
    const { start, measure } = setup([fig('webgl', 8), fig('wasm', 10)], ['wasm', 'cpu']);
    const chosen = await chooseBackend({ preferred: null, key, stored: null, start, measure });
    expect(chosen.name).toBe('wasm');
    expect(chosen.reason).toMatch(/did not start this time/);
  });
});

describe('the status chip: fast or slow by the figures', () => {
  const r = record([fig('webgpu', 300, { software: true }), fig('wasm', 10), fig('cpu', 70)]);

  it('is fast on the fastest measured backend, with the figures in the summary', () => {
    const v = backendVerdict('wasm', r, false);
    expect(v.speed).toBe('fast');
    expect(v.summary).toContain('webgpu (software) 300 ms');
    expect(v.summary).toContain('wasm 10.0 ms');
  });

  it('is slow on a pinned software WebGPU, and names the faster one', () => {
    const v = backendVerdict('webgpu', r, true);
    expect(v.speed).toBe('slow');
    expect(v.summary).toMatch(/chosen in Settings.*wasm is faster here/);
  });

  it('is unknown without figures', () => {
    expect(backendVerdict('webgpu', null, true).speed).toBe('unknown');
  });
});
