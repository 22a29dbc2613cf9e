import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderEventsDoc } from './events-doc';

/** Where the generated document lives: `docs/events.md` at the repository root. */
export const eventsDocPath = path.resolve(__dirname, '../../../docs/events.md');

if (require.main === module) {
  writeFileSync(eventsDocPath, renderEventsDoc());
  process.stdout.write(`wrote ${path.relative(process.cwd(), eventsDocPath)}\n`);
}
