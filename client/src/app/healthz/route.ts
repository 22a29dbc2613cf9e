/**
 * Liveness of the web client for probes (the stack runner, Kubernetes/Knative): answers without
 * calling any API, so it says the Next.js server is up, not that the services behind it are.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
