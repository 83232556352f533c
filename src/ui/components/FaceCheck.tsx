import { useModels } from '../../state/models';
import { useRuntime } from '../../state/runtime';
import { formatMs } from '../format';

/** Runs BlazeFace on the current frame and shows what it found. */
export function FaceCheckButton({ source }: { source: () => HTMLVideoElement | ImageBitmap | null }) {
  const checkFace = useModels((s) => s.checkFace);
  const running = useModels((s) => s.check.running);
  const backend = useRuntime((s) => s.info?.name ?? 'none');
  return (
    <button
      className="btn"
      disabled={running}
      onClick={() => {
        const s = source();
        if (s) void checkFace(s, backend);
      }}
    >
      {running ? 'Checking…' : 'Check this frame for a face'}
    </button>
  );
}

export function FaceCheckResult() {
  const { result, error } = useModels((s) => s.check);
  if (error) {
    return (
      <div className="alert" role="alert" data-testid="face-check-error">
        {error}
      </div>
    );
  }
  if (!result) return null;
  return (
    <div
      className={`result ${result.faceFound ? 'good' : 'warn'}`}
      data-testid="face-check"
      data-score={result.maxScore.toFixed(4)}
      data-anchors={result.anchors}
      data-finite={String(result.finite)}
      data-backend={result.backend}
    >
      <strong>{result.faceFound ? 'Face found' : 'No face found'}</strong> · confidence{' '}
      {(result.maxScore * 100).toFixed(1)}% · {result.anchors} anchors scored on a {result.width}×{result.height} frame
      · {formatMs(result.ms)} on {result.backend}
    </div>
  );
}
