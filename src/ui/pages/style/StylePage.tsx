import { InputsCard } from './InputsCard';
import { RunCard } from './RunCard';
import { SettingsCard } from './SettingsCard';
import { WorksCard } from './WorksCard';

/**
 * Two columns on a wide screen (pictures and settings | result and works); one on a phone, in the
 * order a person goes: pictures, Start and the result, then the settings (styles.css, "Style
 * Studio for people").
 */
export function StylePage() {
  return (
    <div className="style-page">
      <header>
        <h1>Style Studio</h1>
        <p className="lead" title="Neural style transfer: J = α·J_content + β·J_style, lowered by gradient descent">
          Repaint your photo in the style of a painting. Pick a photo and a painting, choose how strong, and press
          Start: the picture changes step by step towards the painting’s colours and strokes. Everything runs on this
          device.
        </p>
      </header>
      <div className="style-layout">
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
