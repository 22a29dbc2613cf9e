'use client';

/** Opens the browser's print dialog; the stylesheet prints only the ticket. */
export function PrintButton() {
  return (
    <button type="button" className="btn btn-secondary" onClick={() => window.print()}>
      Print
    </button>
  );
}
