// tfjs 4.22's wasm backend has the gradients of plain convolutions and pooling (VGG, ResNet-50, the
// Lab's heads) but not of depthwise convolutions (FaceRes, BlazeFace, FaceMesh, MobileNet-style nets:
// DepthwiseConv2dNativeBackpropInput), and fails deep inside the first step with an op name nobody
// can act on, so the runs that take image gradients ask first, per network.
import type { ConvNetwork } from '../nets/network';

/** Whether gradients through `net` need depthwise-convolution kernels. */
export function usesDepthwise(net: Pick<ConvNetwork, 'layers' | 'depthwise'> | null | undefined): boolean {
  if (!net) return false;
  return net.depthwise ?? net.layers.some((l) => l.kind === 'depthwise');
}

/** Why `task` cannot run on `backend` through `net`, as a sentence to show; null when it can. */
export function imageGradientProblem(
  backend: string,
  task: string,
  net: Pick<ConvNetwork, 'layers' | 'depthwise'> | null | undefined,
): string | null {
  if (backend !== 'wasm' || !usesDepthwise(net)) return null;
  return (
    `${task} through this network needs gradients of depthwise convolutions, which the wasm backend does not have. ` +
    'Choose another backend under Settings → Compute backend (Diagnostics shows which is fastest here), then start again.'
  );
}
