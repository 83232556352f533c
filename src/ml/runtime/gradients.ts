// The wasm backend lacks the convolution gradients that image optimisation needs (see
// ARCHITECTURE.md), and fails deep inside the first step with an op name nobody can act on, so the
// runs that take image gradients ask first.

/** Why `task` cannot run on `backend`, as a sentence to show; null when it can. */
export function imageGradientProblem(backend: string, task: string): string | null {
  if (backend !== 'wasm') return null;
  return (
    `${task} needs gradients of convolutions, which the wasm backend does not have. ` +
    'Choose WebGPU, WebGL or CPU under Settings → Backend, then start again.'
  );
}
