// The Explorer page: one card per view of the network. Each card reads only the slices of the
// store it shows, so a live plot or a progress bar does not redraw the others.
import { useEffect } from 'react';
import { useExplore } from '../../../state/explore';
import { FeatureVisCard } from './FeatureVisCard';
import { FigureCard } from './FigureCard';
import { ImageSetCard } from './ImageSetCard';
import { LiveCard } from './LiveCard';
import { NetworkCard } from './NetworkCard';
import { PatchesCard } from './PatchesCard';

export function ExplorePage() {
  const patchStatus = useExplore((s) => s.patchStatus);
  const visStatus = useExplore((s) => s.visStatus);
  const figureStatus = useExplore((s) => s.figureStatus);
  const busy = patchStatus === 'running' || visStatus === 'running' || figureStatus === 'running';
  useEffect(() => {
    const s = useExplore.getState();
    if (s.network.status === 'idle') void s.chooseNetwork(s.networkId);
    if (s.useSamples) void s.loadSamples();
    // The camera loop belongs to this page: it stops when the page goes away.
    return () => useExplore.getState().stopLive();
  }, []);
  return (
    <div className="explore-page">
      <header>
        <h1>Explorer</h1>
        <p className="lead">
          What have the convnets inside Facet learned? It opens on FaceRes, a network trained on faces: see, layer by
          layer, which image patches excite its units most and why, what image a unit would like to see, and how its
          channels light up on a picture or the camera. Everything runs on this device.
        </p>
      </header>
      <div className="grid two">
        <NetworkCard busy={busy} />
        <ImageSetCard busy={busy} />
        <FigureCard />
        <PatchesCard />
        <FeatureVisCard />
        <LiveCard />
      </div>
    </div>
  );
}
