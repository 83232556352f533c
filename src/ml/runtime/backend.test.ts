import { describe, expect, it } from 'vitest';
import { backendChain, isBackendName, selectBackend, type BackendName } from './backend';

describe('backendChain', () => {
  it('is webgpu → webgl → wasm → cpu by default', () => {
    expect(backendChain()).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });
  it('puts the preferred backend first and keeps the rest in order', () => {
    expect(backendChain('wasm')).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
  });
});

describe('selectBackend', () => {
  const starter = (results: Partial<Record<BackendName, boolean | Error>>) => {
    const tried: BackendName[] = [];
    const start = async (name: BackendName) => {
      tried.push(name);
      const r = results[name];
      if (r instanceof Error) throw r;
      return r ?? false;
    };
    return { start, tried };
  };

  it('takes the first backend that starts', async () => {
    const { start, tried } = starter({ webgpu: true, webgl: true });
    const choice = await selectBackend(start);
    expect(choice.name).toBe('webgpu');
    expect(tried).toEqual(['webgpu']);
    expect(choice.preferredFailed).toBe(false);
  });

  it('moves on when a backend returns false or throws, recording why', async () => {
    const { start, tried } = starter({ webgpu: new Error('no adapter'), webgl: false, wasm: true });
    const choice = await selectBackend(start);
    expect(choice.name).toBe('wasm');
    expect(tried).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(choice.attempts.map((a) => [a.name, a.ok, a.error])).toEqual([
      ['webgpu', false, 'no adapter'],
      ['webgl', false, 'the backend did not initialise'],
      ['wasm', true, undefined],
    ]);
  });

  it('reports when the preferred backend could not start', async () => {
    const { start } = starter({ webgpu: true });
    const choice = await selectBackend(start, 'webgl');
    expect(choice.name).toBe('webgpu');
    expect(choice.preferredFailed).toBe(true);
  });

  it('fails with every reason when nothing starts', async () => {
    const { start } = starter({ cpu: new Error('broken') });
    await expect(selectBackend(start)).rejects.toThrow(/No TensorFlow.js backend could start.*cpu: broken/);
  });

  it('recognises backend names', () => {
    expect(isBackendName('webgl')).toBe(true);
    expect(isBackendName('cuda')).toBe(false);
    expect(isBackendName(null)).toBe(false);
  });
});
