// Why a unit fired: for the clicked patch, how much each pixel of the unit's receptive field adds to
// its activation (integrated gradients from a black picture) — bright where a pixel matters most.
import { useShallow } from 'zustand/react/shallow';
import { useExplore } from '../../../state/explore';
import { PixelCanvas } from './PixelCanvas';

export function SaliencyPanel() {
  const { view, status, error } = useExplore(
    useShallow((s) => ({ view: s.saliency, status: s.saliencyStatus, error: s.saliencyError })),
  );
  return (
    <div className="saliency" data-testid="saliency" data-status={status}>
      <h3 className="small">Why did the unit fire?</h3>
      {status === 'idle' && <p className="small muted">Click any patch above.</p>}
      {status === 'running' && <p className="small muted">Following the gradient back to the pixels…</p>}
      {error && (
        <div className="alert" role="alert" data-testid="saliency-error">
          {error}
        </div>
      )}
      {view && (
        <>
          <div className="row wrap saliency-pictures">
            <figure>
              <PixelCanvas bitmap={view.patch} className="saliency-picture" label="The patch" />
              <figcaption className="small muted">The patch</figcaption>
            </figure>
            <figure>
              <PixelCanvas bitmap={view.map} className="saliency-picture" label="Saliency map" testId="saliency-map" />
              <figcaption className="small muted">Which pixels drive it</figcaption>
            </figure>
            <figure>
              <PixelCanvas bitmap={view.overlay} className="saliency-picture" label="Saliency over the patch" />
              <figcaption className="small muted">Both together</figcaption>
            </figure>
          </div>
          <p className="small" data-testid="saliency-summary">
            Unit {view.channel} of {view.layer} at ({view.row}, {view.col}): activation {view.value.toPrecision(3)}.{' '}
            <span title="A saliency map by integrated gradients: the gradient of the unit's activation with respect to each pixel, averaged on the way from a black picture to this one, times the pixel's change">
              Bright pixels are the ones that raise the unit most
            </span>
            ; the unit sees nothing outside its {view.rf.size}×{view.rf.size} px field.
          </p>
        </>
      )}
    </div>
  );
}
