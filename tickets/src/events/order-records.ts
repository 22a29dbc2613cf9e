import { startTablePruner, type TablePruner } from '@glotixz/common/db';
import type { Pool } from 'pg';
import type { Logger } from 'pino';

/**
 * How long the records of cancelled and completed orders are kept. They only matter while the
 * order's `order.created` could still arrive late: its redeliveries end within a day (the
 * consumer's limits), so a week is ample.
 */
export const orderRecordsRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** Prunes `cancelled_orders` and `completed_orders` hourly; answers one stop for both. */
export function startOrderRecordsPruner(
  pool: Pool,
  logger: Logger,
  retentionMs = orderRecordsRetentionMs,
): Pick<TablePruner, 'stop'> & { prune(): Promise<number> } {
  const pruners = [
    startTablePruner({ pool, logger, table: 'cancelled_orders', column: 'cancelled_at', retentionMs }),
    startTablePruner({ pool, logger, table: 'completed_orders', column: 'completed_at', retentionMs }),
  ];
  return {
    prune: async () => (await Promise.all(pruners.map((p) => p.prune()))).reduce((a, b) => a + b, 0),
    stop: async () => {
      await Promise.all(pruners.map((p) => p.stop()));
    },
  };
}
