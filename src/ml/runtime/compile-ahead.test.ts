import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAhead, type CompileAheadTarget } from './compile-ahead';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A stand-in for the WebGL backend that records the order of what compile-ahead does. */
function fakeWebgl(log: string[]): CompileAheadTarget & { compileOnly: boolean } {
  const target: CompileAheadTarget & { compileOnly: boolean } = {
    name: 'webgl',
    compileOnly: false,
    setCompileOnly(on: boolean) {
      target.compileOnly = on;
      log.push(`compile-only ${on}`);
    },
    backend: {
      checkCompileCompletionAsync: async () => {
        log.push(`wait (compile-only ${target.compileOnly})`);
      },
      getUniformLocations: () => log.push('uniforms'),
    },
  };
  return target;
}

describe('compileAhead', () => {
  it('runs the work in compile-only mode, turns it off, then waits for the programs and their uniforms', async () => {
    const log: string[] = [];
    const target = fakeWebgl(log);
    const before = tf.memory().numTensors;
    const did = await compileAhead(() => {
      log.push(`work (compile-only ${target.compileOnly})`);
      tf.ones([4, 4]).mul(2);
    }, target);
    expect(did).toBe(true);
    expect(log).toEqual([
      'compile-only true',
      'work (compile-only true)',
      'compile-only false',
      'wait (compile-only false)',
      'uniforms',
    ]);
    // The work's tensors are meaningless in compile-only mode and are freed.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without the parallel-compile extension, asks each program once, one at a time', async () => {
    const log: string[] = [];
    const target = fakeWebgl(log);
    const a = { name: 'a' };
    const b = { name: 'b' };
    const backend = target.backend;
    backend.gpgpu = { parallelCompilationExtension: null };
    backend.binaryCache = { a, b };
    backend.checkCompletion_ = function (this: unknown, binary: object) {
      expect(this).toBe(backend);
      log.push(`check ${(binary as { name: string }).name}`);
    };
    await compileAhead(() => log.push('work'), target);
    expect(log).toEqual(['compile-only true', 'work', 'compile-only false', 'check a', 'check b', 'uniforms']);
    // A later compile asks only about the programs that are new.
    const c = { name: 'c' };
    backend.binaryCache = { a, b, c };
    log.length = 0;
    await compileAhead(() => log.push('work'), target);
    expect(log).toEqual(['compile-only true', 'work', 'compile-only false', 'check c', 'uniforms']);
  });

  it('turns compile-only mode off when the work throws', async () => {
    const log: string[] = [];
    const target = fakeWebgl(log);
    await expect(
      compileAhead(() => {
        throw new Error('boom');
      }, target),
    ).rejects.toThrow('boom');
    expect(target.compileOnly).toBe(false);
    expect(log).not.toContain('uniforms');
  });

  it('does nothing on a backend without shader programs', async () => {
    let ran = false;
    const did = await compileAhead(() => {
      ran = true;
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(did).toBe(false);
    expect(ran).toBe(false);
  });
});
