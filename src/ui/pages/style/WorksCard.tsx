import { useEffect } from 'react';
import type { StyleWork } from '../../../db/studio';
import { useStyle } from '../../../state/style';

/** One object URL per stored image for as long as the page lives; a handful of works at most. */
const workUrls = new WeakMap<Blob, string>();
function workUrl(blob: Blob): string {
  let url = workUrls.get(blob);
  if (!url) {
    url = URL.createObjectURL(blob);
    workUrls.set(blob, url);
  }
  return url;
}

function WorkItem({ work, onDelete }: { work: StyleWork; onDelete(): void }) {
  const url = workUrl(work.image);
  const s = work.settings as {
    lossNetworkLabel?: string;
    size?: number;
    alpha?: number;
    beta?: number;
    optimiser?: string;
  };
  return (
    <li className="work" data-testid="work">
      <img src={url} alt={work.title} width={work.width} height={work.height} />
      <strong className="small">{work.title}</strong>
      <span className="muted small">
        {s.lossNetworkLabel} · {work.width}×{work.height} · {work.iterations} it. · α {s.alpha} β {s.beta} ·{' '}
        {s.optimiser}
      </span>
      <div className="row">
        <a className="btn small" href={url} download={`${work.title.replace(/[^\w-]+/g, '-')}.png`}>
          Download
        </a>
        <button type="button" className="btn small" onClick={onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

/** The results saved to this device, listed when the page opens; hidden while there are none. */
export function WorksCard() {
  const works = useStyle((s) => s.works);
  const loadWorks = useStyle((s) => s.loadWorks);
  const deleteWork = useStyle((s) => s.deleteWork);
  useEffect(() => {
    void loadWorks();
  }, [loadWorks]);
  if (works.length === 0) return null;
  return (
    <section className="card" aria-labelledby="style-works">
      <h2 id="style-works">My works</h2>
      <ul className="works">
        {works.map((w) => (
          <WorkItem key={w.id} work={w} onDelete={() => void deleteWork(w.id)} />
        ))}
      </ul>
    </section>
  );
}
