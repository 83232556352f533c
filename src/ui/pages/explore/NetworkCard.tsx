import { useShallow } from 'zustand/react/shallow';
import { EXPLORE_NETWORKS, useExplore, type ExploreLayer, type ExploreNetworkId } from '../../../state/explore';

const rfText = (l: ExploreLayer) => `${l.rf.size}×${l.rf.size} px`;

export function NetworkCard({ busy }: { busy: boolean }) {
  const { networkId, network, layer } = useExplore(
    useShallow((s) => ({ networkId: s.networkId, network: s.network, layer: s.layer })),
  );
  const chooseNetwork = useExplore((s) => s.chooseNetwork);
  const setLayer = useExplore((s) => s.setLayer);
  const choice = EXPLORE_NETWORKS.find((n) => n.id === networkId);
  const current = network.layers.find((l) => l.name === layer);
  return (
    <section className="card" aria-labelledby="explore-network">
      <h2 id="explore-network">Network and layer</h2>
      <fieldset className="fieldset" disabled={busy}>
        <label className="field">
          <span>Network</span>
          <select
            value={networkId}
            data-testid="explore-network"
            onChange={(e) => void chooseNetwork(e.target.value as ExploreNetworkId)}
          >
            {EXPLORE_NETWORKS.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label}
              </option>
            ))}
          </select>
          {choice && <small className="muted">{choice.description}</small>}
        </label>
        <p className="small muted" role="status" data-testid="explore-network-status" data-status={network.status}>
          {network.status === 'loading' &&
            `Loading ${network.label}${network.progress !== null ? ` (${Math.round(network.progress * 100)} %)` : ''}…`}
          {network.status === 'ready' &&
            `${network.label}: ${network.layers.length} layers` +
              (network.inputSize ? `, ${network.inputSize}×${network.inputSize} input.` : '.')}
        </p>
        {network.status === 'loading' && network.progress !== null && (
          <progress max={1} value={network.progress} aria-label="Download progress" />
        )}
        {network.status === 'ready' && (
          <label className="field">
            <span>Layer</span>
            <select value={layer ?? ''} onChange={(e) => setLayer(e.target.value)} data-testid="explore-layer">
              {network.layers.map((l) => (
                <option key={l.name} value={l.name} data-rf={l.rf.size}>
                  {l.name} · {l.channels} ch · field {rfText(l)}
                </option>
              ))}
            </select>
            {current && (
              <small className="muted" data-testid="explore-layer-info" data-rf={current.rf.size}>
                Each unit of {current.name} sees a {rfText(current)} patch of the input; neighbouring units are{' '}
                {current.rf.jump} px apart.
                {!current.differentiable && ' TensorFlow.js cannot take gradients through this layer.'}
              </small>
            )}
          </label>
        )}
        {network.error && (
          <div className="alert" role="alert" data-testid="explore-network-error">
            {network.error}{' '}
            <button type="button" className="btn small" onClick={() => void chooseNetwork(networkId)}>
              Try again
            </button>
          </div>
        )}
      </fieldset>
    </section>
  );
}
