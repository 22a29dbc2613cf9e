import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { inbox, outbox } from '../src/bus';
import { busTablesDdl } from './support/harness';

const normalise = (ddl: string): string => ddl.replace(/\s+/g, ' ').trim();

describe('outbox and inbox tables', () => {
  it('are what drizzle-kit generates for services, so tests run on the same DDL', async () => {
    const statements = await generateMigration(
      generateDrizzleJson({}),
      generateDrizzleJson({ outbox, inbox }),
    );
    expect(normalise(statements.join('\n'))).toBe(normalise(busTablesDdl));
  });
});
