import { useEffect } from 'react';
import { useFaces } from '../../../state/faces';
import { useGallery } from '../../../state/gallery';
import { useLab } from '../../../state/lab';
import { CompareCard } from './CompareCard';
import { DataCard } from './DataCard';
import { MethodCard } from './MethodCard';
import { ModelsCard } from './ModelsCard';
import { RunCard } from './RunCard';

export function LabPage() {
  const loadGallery = useLab((s) => s.loadGallery);
  const identities = useGallery((s) => s.identities);
  const embedderId = useFaces((s) => s.embedderId);
  // Re-read the templates when people are enrolled or edited, or another face model is chosen.
  useEffect(() => {
    void loadGallery();
  }, [loadGallery, identities, embedderId]);
  return (
    <div className="lab-page">
      <header>
        <h1>Siamese Lab</h1>
        <p className="lead">
          Teach face matching your own people: a small head or pair classifier is trained on top of the frozen face
          embeddings, in this tab, and judged on people it has never seen against plain cosine similarity.
        </p>
      </header>
      <div className="grid two">
        <div className="stack">
          <DataCard />
          <MethodCard />
        </div>
        <div className="stack">
          <RunCard />
        </div>
        <CompareCard />
        <ModelsCard />
      </div>
    </div>
  );
}
