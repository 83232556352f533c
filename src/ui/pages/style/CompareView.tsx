import { useId, useState } from 'react';
import { useBitmapCanvas } from '../../components/BitmapView';

/**
 * Your photo and the result in one frame, with a wipe between them: left of the line the photo,
 * right of it the result. The wipe is a range input, so arrows, Page Up/Down, Home and End move
 * it, and a screen reader hears what each side shows.
 */
export function CompareView({ photo, result }: { photo: ImageBitmap; result: ImageBitmap }) {
  const [split, setSplit] = useState(50);
  const photoCanvas = useBitmapCanvas(photo);
  const resultCanvas = useBitmapCanvas(result);
  const id = useId();
  return (
    <figure className="preview compare" data-testid="style-compare" data-split={split}>
      <div className="compare-frame">
        <canvas ref={photoCanvas} role="img" aria-label="Your photo" className="bitmap" />
        <canvas
          ref={resultCanvas}
          role="img"
          aria-label="The result"
          className="bitmap compare-top"
          style={{ clipPath: `inset(0 0 0 ${split}%)` }}
          data-testid="image-preview"
        />
        <span className="compare-line" style={{ left: `${split}%` }} aria-hidden="true" />
      </div>
      <label className="compare-control small" htmlFor={id}>
        <span>Photo</span>
        <input
          id={id}
          type="range"
          min={0}
          max={100}
          step={1}
          value={split}
          onChange={(e) => setSplit(Number(e.target.value))}
          aria-label="Compare with your photo: how much of the frame shows the photo"
          aria-valuetext={`${split}% your photo, ${100 - split}% the result`}
          data-testid="style-compare-split"
        />
        <span>Result</span>
      </label>
    </figure>
  );
}
