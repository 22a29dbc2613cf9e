/** Shown while the marketplace loads. */
export default function Loading() {
  return (
    <div className="container" aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading tickets…
      </p>
      <div
        className="skeleton skeleton-line"
        style={{ width: '40%', height: '2rem', marginBottom: '1.5rem' }}
      />
      <div className="grid">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="skeleton skeleton-card" />
        ))}
      </div>
    </div>
  );
}
