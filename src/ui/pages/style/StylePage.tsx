import { InputsCard } from './InputsCard';
import { RunCard } from './RunCard';
import { SettingsCard } from './SettingsCard';
import { WorksCard } from './WorksCard';

export function StylePage() {
  return (
    <div className="style-page">
      <header>
        <h1>Style Studio</h1>
        <p className="lead">
          Repaint a photo in the style of a painting: G starts from your image and is changed by gradient descent on J =
          α·J_content + β·J_style, where the content cost compares a deep layer's activations and the style cost
          compares Gram matrices of several layers. Everything runs on this device.
        </p>
      </header>
      <div className="grid two">
        <div className="stack">
          <InputsCard />
          <SettingsCard />
        </div>
        <div className="stack">
          <RunCard />
          <WorksCard />
        </div>
      </div>
    </div>
  );
}
