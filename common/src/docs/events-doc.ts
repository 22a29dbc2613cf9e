import { z } from 'zod';
import { contractVersion, eventCatalog } from '../events';

interface JsonSchemaNode {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchemaNode;
}

function describeType(node: JsonSchemaNode): string {
  if (node.anyOf) return node.anyOf.map(describeType).join(' \\| ');
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const base = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
  const facts = [
    node.format,
    !node.format && node.pattern && `pattern \`${node.pattern.replace(/\|/g, '\\|')}\``,
    node.minimum !== undefined && `≥ ${node.minimum}`,
    node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER && `≤ ${node.maximum}`,
    node.minLength !== undefined && `length ≥ ${node.minLength}`,
    node.maxLength !== undefined && `length ≤ ${node.maxLength}`,
  ].filter(Boolean);
  return facts.length ? `${base} (${facts.join(', ')})` : base;
}

function fieldRows(node: JsonSchemaNode, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    const required = node.required?.includes(name) ? 'yes' : 'no';
    rows.push(`| \`${path}\` | ${describeType(child)} | ${required} |`);
    if (child.properties) rows.push(...fieldRows(child, `${path}.`));
  }
  return rows;
}

/**
 * Renders `docs/events.md` from the event catalog, so the document cannot drift from the
 * contracts the code validates against.
 */
export function renderEventsDoc(): string {
  const lines = [
    '# Events',
    '',
    '<!-- Generated from common/src/events by `npm run docs:events`; do not edit by hand. -->',
    '',
    `Every event travels in the envelope \`{ id, subject, version, occurredAt, data }\`: \`id\` is a`,
    'UUID, also the JetStream `msgID` and the inbox key; `version` is the contract version',
    `(currently ${contractVersion}); \`occurredAt\` is ISO 8601 UTC. Publishers and consumers validate`,
    '`data` against the schemas below at runtime.',
    '',
    '| subject | stream | publisher | consumers |',
    '|---|---|---|---|',
    ...eventCatalog.map(
      (e) =>
        `| [\`${e.subject}\`](#${e.subject.replace('.', '')}) | ${e.stream} | ${e.publisher} | ${e.consumers.join(', ') || '–'} |`,
    ),
    '',
    'A message that still fails after the bounded number of deliveries, or that breaks its contract,',
    'is written with its error to `deadletter.<consumer>` (stream DEADLETTER).',
  ];
  for (const entry of eventCatalog) {
    const schema = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    lines.push(
      '',
      `## ${entry.subject}`,
      '',
      entry.description,
      '',
      `Stream ${entry.stream}; published by ${entry.publisher}; consumed by ${entry.consumers.join(', ') || 'nobody yet'}.`,
      '',
      '| field | type | required |',
      '|---|---|---|',
      ...fieldRows(schema),
    );
  }
  return `${lines.join('\n')}\n`;
}
