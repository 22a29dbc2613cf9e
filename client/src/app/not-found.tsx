import Link from 'next/link';
import { Icon } from '@/components/icon';

/** Any unknown page, ticket or order. */
export default function NotFound() {
  return (
    <div className="container container-narrow">
      <div className="empty">
        <div className="empty-icon">
          <Icon name="search" size={36} />
        </div>
        <h1>We couldn’t find that</h1>
        <p>The page may have moved, or the ticket or order does not exist (or is not yours).</p>
        <Link href="/" className="btn btn-primary">
          Back to the marketplace
        </Link>
      </div>
    </div>
  );
}
