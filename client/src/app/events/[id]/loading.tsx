/** Shown while an event loads. */
export default function Loading() {
  return (
    <div className="container" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the event…
      </p>
      <div className="skeleton skeleton-line" style={{ width: '120px', marginBottom: '1.5rem' }} />
      <div className="skeleton" style={{ height: '200px', borderRadius: 'var(--radius-lg)' }} />
      <div className="stack mt-5">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="skeleton" style={{ height: '72px', borderRadius: 'var(--radius)' }} />
        ))}
      </div>
    </div>
  );
}
