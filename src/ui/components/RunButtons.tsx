/**
 * Pause, Resume and Stop for a long run (Style Studio, Lab), shown by the run's status, with
 * test ids `${testIdPrefix}-pause` and so on.
 */
export function RunButtons({
  status,
  pause,
  resume,
  stop,
  testIdPrefix,
}: {
  status: string;
  pause(): void;
  resume(): void;
  stop(): void;
  testIdPrefix: string;
}) {
  return (
    <>
      {status === 'running' && (
        <button type="button" className="btn" onClick={pause} data-testid={`${testIdPrefix}-pause`}>
          Pause
        </button>
      )}
      {status === 'paused' && (
        <button type="button" className="btn primary" onClick={resume} data-testid={`${testIdPrefix}-resume`}>
          Resume
        </button>
      )}
      {(status === 'running' || status === 'paused') && (
        <button type="button" className="btn" onClick={stop} data-testid={`${testIdPrefix}-stop`}>
          Stop
        </button>
      )}
    </>
  );
}
