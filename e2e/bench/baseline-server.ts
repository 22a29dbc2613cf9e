/**
 * The throughput baseline: a bare node:http server that answers each POST with one Postgres
 * INSERT through a pg Pool the size the orders service uses. No framework, no auth, no events:
 * the floor of what "accept a JSON request, write a row, answer JSON" costs on this machine.
 * Reads BASELINE_DATABASE_URL, BASELINE_PORT and BASELINE_POOL_SIZE.
 */
import http from 'node:http';
import { Pool } from 'pg';

const pool = new Pool({
  connectionString: process.env.BASELINE_DATABASE_URL,
  max: Number(process.env.BASELINE_POOL_SIZE ?? 10),
});

async function handle(body: string): Promise<{ status: number; json: unknown }> {
  let ticketId: unknown;
  try {
    ticketId = (JSON.parse(body) as { ticketId?: unknown }).ticketId;
  } catch {
    return { status: 400, json: { code: 'MALFORMED_JSON' } };
  }
  const { rows } = await pool.query(
    `insert into orders (ticket_id, status, expires_at)
     values ($1, 'awaiting_payment', now() + interval '15 minutes')
     returning id, ticket_id, status, expires_at`,
    [ticketId],
  );
  return { status: 201, json: rows[0] };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    handle(Buffer.concat(chunks).toString()).then(
      ({ status, json }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      },
      (err: unknown) => {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: String(err) }));
      },
    );
  });
});

async function main(): Promise<void> {
  await pool.query(
    `create table if not exists orders (
       id uuid primary key default gen_random_uuid(),
       ticket_id uuid not null,
       status text not null,
       expires_at timestamptz not null,
       created_at timestamptz not null default now())`,
  );
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.BASELINE_PORT), '127.0.0.1');
}

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
