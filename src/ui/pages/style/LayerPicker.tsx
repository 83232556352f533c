import { selectBusy, styleLayersOf, useStyle } from '../../../state/style';
import { Term } from './Term';

/** The content layer and the style layers with their weights λ, once the network has listed its layers. */
export function LayerPicker() {
  const network = useStyle((s) => s.network);
  const settings = useStyle((s) => s.settings);
  const busy = useStyle(selectBusy);
  const setSettings = useStyle((s) => s.setSettings);
  const setStyleLayerWeight = useStyle((s) => s.setStyleLayerWeight);
  if (network.status !== 'ready' || !network.defaults) return null;
  const styleLayers = styleLayersOf(settings, network);
  const weights = new Map(styleLayers.map((l) => [l.layer, l.weight]));
  return (
    <fieldset className="fieldset" disabled={busy}>
      <legend>Layers</legend>
      <label className="field">
        <Term term="content layer">The layer that keeps your photo</Term>
        <select
          value={settings.contentLayer ?? network.defaults.content}
          onChange={(e) => setSettings({ contentLayer: e.target.value })}
          data-testid="content-layer"
        >
          {network.layers.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} ({l.channels} ch)
            </option>
          ))}
        </select>
      </label>
      <details>
        <summary>
          The layers that carry the painting <span className="term">(style layers, weights λ)</span>:{' '}
          {styleLayers.length} chosen
        </summary>
        <ul className="layer-list" data-testid="style-layers">
          {network.layers.map((l) => {
            const w = weights.get(l.name);
            return (
              <li key={l.name}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={w !== undefined}
                    onChange={(e) =>
                      setStyleLayerWeight(l.name, e.target.checked ? 1 / Math.max(1, styleLayers.length) : null)
                    }
                  />
                  {l.name} <span className="muted small">({l.channels} ch)</span>
                </label>
                {w !== undefined && (
                  <input
                    type="number"
                    aria-label={`Weight λ of ${l.name}`}
                    min={0}
                    step="any"
                    value={Number(w.toFixed(4))}
                    onChange={(e) => Number(e.target.value) >= 0 && setStyleLayerWeight(l.name, Number(e.target.value))}
                  />
                )}
              </li>
            );
          })}
        </ul>
      </details>
    </fieldset>
  );
}
