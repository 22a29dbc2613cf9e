'use client';

import Link from 'next/link';
import { Icon } from '@/components/icon';

/** A page failed to render (a service down, for example): say so and offer a retry. */
export default function ErrorPage({ retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="container container-narrow">
      <div className="empty" role="alert">
        <div className="empty-icon">
          <Icon name="alert" size={36} />
        </div>
        <h1>Something went wrong</h1>
        <p>We could not load this page. Part of Glotixz may be briefly unavailable.</p>
        <div className="row" style={{ justifyContent: 'center' }}>
          <button type="button" className="btn btn-primary" onClick={() => retry()}>
            Try again
          </button>
          <Link href="/" className="btn btn-secondary">
            Marketplace
          </Link>
        </div>
      </div>
    </div>
  );
}
