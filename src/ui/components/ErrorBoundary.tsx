import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  area: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Keeps one page's crash from taking down the app, and says what to do next. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`[${this.props.area}]`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="card error-card" role="alert">
        <h2>{this.props.area} stopped working</h2>
        <p>Something went wrong on this page. Your saved data is not affected.</p>
        <pre className="mono small">{this.state.error.message}</pre>
        <div className="row">
          <button className="btn primary" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <button className="btn" onClick={() => location.reload()}>
            Reload the app
          </button>
        </div>
      </section>
    );
  }
}
