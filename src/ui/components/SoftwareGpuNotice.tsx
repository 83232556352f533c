import { useState } from 'react';
import { useRuntime } from '../../state/runtime';
import { useSettings } from '../../state/settings';

/**
 * WebGPU on a software adapter (no usable GPU) runs the face models roughly a hundred times
 * slower than WebAssembly on the same processor; say so where it matters, with the fix.
 */
export function SoftwareGpuNotice() {
  const software = useRuntime((s) => s.info?.name === 'webgpu' && s.info.gpu?.isFallbackAdapter === true);
  const chosen = useSettings((s) => s.backend);
  const setBackend = useSettings((s) => s.setBackend);
  const [dismissed, setDismissed] = useState(false);
  if (!software || chosen === 'webgpu' || dismissed) return null;
  return (
    <p className="notice" role="status" data-testid="software-gpu-notice">
      WebGPU is running on a software adapter here (no GPU available to the browser), so each camera frame takes
      seconds. WebAssembly is much faster on this device.{' '}
      <button
        className="btn small"
        onClick={() => {
          setBackend('wasm');
          location.reload();
        }}
      >
        Switch to WebAssembly
      </button>{' '}
      <button className="btn small ghost" onClick={() => setDismissed(true)}>
        Keep WebGPU
      </button>
    </p>
  );
}
