/** Shown while a page loads. */
export default function Loading() {
  return (
    <div className="container" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading…
      </p>
      <div
        className="skeleton skeleton-line"
        style={{ width: '35%', height: '2.2rem', marginBottom: '1.5rem' }}
      />
      <div className="stack">
        <div className="skeleton" style={{ height: '88px' }} />
        <div className="skeleton" style={{ height: '88px' }} />
        <div className="skeleton" style={{ height: '88px' }} />
      </div>
    </div>
  );
}
