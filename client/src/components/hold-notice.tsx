import { serverConfig } from '@/lib/config';
import { describeDuration } from '@/lib/event-time';
import { Icon } from './icon';

/**
 * How long an order holds the ticket, said before the buyer commits: the orders service's
 * EXPIRATION_WINDOW_SECONDS, which the client is started with too.
 */
export function HoldNotice({ compact = false }: { compact?: boolean }) {
  const length = describeDuration(serverConfig().holdSeconds);
  return (
    <p className={compact ? 'hold-notice hold-notice-compact' : 'hold-notice'} data-testid="hold-notice">
      <Icon name="clock" size={18} />
      <span>
        When you buy, the ticket is <strong>held for you for {length} while you pay</strong> — nobody else can
        take it meanwhile. Unpaid holds expire and the ticket goes back on sale.
      </span>
    </p>
  );
}
