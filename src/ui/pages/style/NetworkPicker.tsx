import { INPUT_PREPROCESSING, type InputPreprocessing } from '../../../ml/style/custom-network';
import type { LossNetworkId } from '../../../ml/style/networks';
import { LOSS_NETWORKS } from '../../../ml/style/networks';
import { selectBusy, selectSmoothing, useStyle } from '../../../state/style';
import { FileButton } from '../../components/FileButton';
import { NumberField } from '../../components/NumberField';
import { Term } from './Term';

/** The custom network's options: the input range it was trained on and its files. */
function CustomNetworkFields() {
  const customPreprocessing = useStyle((s) => s.customPreprocessing);
  const setNetworkOptions = useStyle((s) => s.setNetworkOptions);
  const chooseNetwork = useStyle((s) => s.chooseNetwork);
  return (
    <>
      <label className="field">
        <span>Input the model was trained on</span>
        <select
          value={customPreprocessing}
          onChange={(e) => setNetworkOptions({ customPreprocessing: e.target.value as InputPreprocessing })}
        >
          {INPUT_PREPROCESSING.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <FileButton className="btn" multiple accept=".json,.bin" onFiles={(files) => void chooseNetwork('custom', files)}>
        Choose model.json and its .bin files…
      </FileButton>
    </>
  );
}

/** How far the network has loaded, a way to load it now, and why it failed. */
function NetworkStatus() {
  const networkId = useStyle((s) => s.networkId);
  const network = useStyle((s) => s.network);
  const chooseNetwork = useStyle((s) => s.chooseNetwork);
  return (
    <>
      <p className="small muted" data-testid="lossnet-status">
        {network.status === 'loading' &&
          `Loading ${network.label}${network.progress !== null ? ` (${Math.round(network.progress * 100)} %)` : ''}…`}
        {network.status === 'ready' && `${network.label}: ${network.layers.length} layers to choose from.`}
        {network.status === 'idle' && 'Loaded when you start; load it now to pick its layers.'}
      </p>
      {network.status === 'idle' && (
        <button
          type="button"
          className="btn small"
          onClick={() => void chooseNetwork(networkId)}
          disabled={networkId === 'custom'}
        >
          Load and list its layers
        </button>
      )}
      {network.error && (
        <div className="alert" role="alert">
          {network.error}
        </div>
      )}
    </>
  );
}

export function NetworkPicker() {
  const networkId = useStyle((s) => s.networkId);
  const vggSeed = useStyle((s) => s.vggSeed);
  const smoothing = useStyle(selectSmoothing);
  const busy = useStyle(selectBusy);
  const selectNetwork = useStyle((s) => s.selectNetwork);
  const setNetworkOptions = useStyle((s) => s.setNetworkOptions);
  const choice = LOSS_NETWORKS.find((n) => n.id === networkId);
  return (
    <fieldset className="fieldset" disabled={busy}>
      <legend>
        The network that compares the pictures <span className="term">(loss network)</span>
      </legend>
      <label className="field">
        <span>Network</span>
        <select
          value={networkId}
          data-testid="lossnet"
          onChange={(e) => selectNetwork(e.target.value as LossNetworkId)}
        >
          {LOSS_NETWORKS.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label}
            </option>
          ))}
        </select>
        {choice && <small className="muted">{choice.description}</small>}
      </label>
      {networkId === 'vgg19-random' && (
        <NumberField
          label={<Term term="weight seed">Random network seed</Term>}
          value={vggSeed}
          step={1}
          min={0}
          onChange={(v) => setNetworkOptions({ vggSeed: Math.round(v) })}
        />
      )}
      {networkId === 'custom' && <CustomNetworkFields />}
      <label className="check">
        <input
          type="checkbox"
          checked={smoothing}
          onChange={(e) => setNetworkOptions({ smoothing: e.target.checked })}
        />
        <Term
          term="SWAG"
          title="Softmax-smoothed activations (after Wang, Li & Vasconcelos, 2021). Off by default: ResNet-50 moved further towards the painting without it"
        >
          Smoothing
        </Term>
      </label>
      <NetworkStatus />
    </fieldset>
  );
}
