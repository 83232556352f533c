import { useShallow } from 'zustand/react/shallow';
import { EXPLORE_NETWORKS, useExplore, type ExploreLayer, type ExploreNetworkId } from '../../../state/explore';

const rfText = (l: ExploreLayer) => `${l.rf.size}×${l.rf.size} px`;

export function NetworkCard({ busy }: { busy: boolean }) {
  const { networkId, network, layer, pending } = useExplore(
    useShallow((s) => ({ networkId: s.networkId, network: s.network, layer: s.layer, pending: s.pendingDownload })),
  );
  const { chooseNetwork, confirmDownload, cancelDownload } = useExplore(
    useShallow((s) => ({
      chooseNetwork: s.chooseNetwork,
      confirmDownload: s.confirmDownload,
      cancelDownload: s.cancelDownload,
    })),
  );
  const pendingChoice = pending && EXPLORE_NETWORKS.find((n) => n.id === pending.id);
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
        {pending && (
          <div className="notice" role="alertdialog" aria-label="Download a network" data-testid="download-prompt">
            <p className="small">
              {pendingChoice?.label ?? pending.id} is not stored on this device yet: it is a one-time download of{' '}
              <strong data-testid="download-size">{Math.round(pending.bytes / 1e6)} MB</strong>, kept for offline use
              after that. Download it now?
            </p>
            <div className="row">
              <button
                type="button"
                className="btn primary small"
                onClick={() => void confirmDownload()}
                data-testid="download-confirm"
              >
                Download {Math.round(pending.bytes / 1e6)} MB
              </button>
              <button type="button" className="btn small" onClick={cancelDownload}>
                Not now
              </button>
            </div>
          </div>
        )}
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
