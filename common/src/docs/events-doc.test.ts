import { readFileSync } from 'node:fs';
import { eventCatalog } from '../events';
import { renderEventsDoc } from './events-doc';
import { eventsDocPath } from './generate-events-doc';

describe('docs/events.md', () => {
  it('is up to date with the event contracts (regenerate with npm run docs:events)', () => {
    expect(readFileSync(eventsDocPath, 'utf8')).toBe(renderEventsDoc());
  });

  it('documents every subject with its fields', () => {
    const doc = renderEventsDoc();
    for (const entry of eventCatalog) expect(doc).toContain(`## ${entry.subject}`);
    expect(doc).toMatch(/\| `ticket\.id` \|/);
  });
});
