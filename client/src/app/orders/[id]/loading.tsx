/** Shown while an order loads. */
export default function Loading() {
  return (
    <div className="container" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading your order…
      </p>
      <div className="skeleton skeleton-line" style={{ width: '120px', marginBottom: '1.5rem' }} />
      <div className="split">
        <div className="skeleton" style={{ height: '200px', borderRadius: 'var(--radius-lg)' }} />
        <div className="skeleton" style={{ height: '320px', borderRadius: 'var(--radius-lg)' }} />
      </div>
    </div>
  );
}
