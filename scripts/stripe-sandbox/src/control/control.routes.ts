import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { EventLog } from '../webhooks/event-log';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';

/** The sandbox's mutable webhook endpoint. */
export interface WebhookEndpoint {
  get(): string | undefined;
  set(url: string | undefined): void;
}

/** What the control API reads and drives. */
export interface ControlDeps {
  events: EventLog;
  dispatcher: WebhookDispatcher;
  endpoint: WebhookEndpoint;
}

const webhookBody = z.object({ url: z.url({ protocol: /^https?$/ }).nullable() }).strict();

function controlError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { type: 'invalid_request_error', message } });
}

/**
 * The control API under `/_sandbox` (not part of Stripe's): the webhook endpoint, the events
 * created so far, every delivery attempt, and re-sending an event. JSON in, JSON out.
 */
export function controlRouter(deps: ControlDeps): Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/webhook', (req, res) => showWebhook(deps, req, res));
  router.put('/webhook', (req, res) => setWebhook(deps, req, res));
  router.get('/events', (req, res) => listEvents(deps, req, res));
  router.post('/events/:id/resend', (req, res) => resendEvent(deps, req, res));
  router.get('/deliveries', (req, res) => listDeliveries(deps, req, res));
  return router;
}

function showWebhook(deps: ControlDeps, _req: Request, res: Response): void {
  res.json({ url: deps.endpoint.get() ?? null });
}

function setWebhook(deps: ControlDeps, req: Request, res: Response): void {
  const parsed = webhookBody.safeParse(req.body);
  if (!parsed.success) {
    controlError(
      res,
      400,
      'Send {"url": "http(s)://..."} to set the webhook endpoint, or {"url": null} to remove it.',
    );
    return;
  }
  deps.endpoint.set(parsed.data.url ?? undefined);
  res.json({ url: parsed.data.url });
}

function listEvents(deps: ControlDeps, _req: Request, res: Response): void {
  res.json({ object: 'list', data: deps.events.all() });
}

function listDeliveries(deps: ControlDeps, req: Request, res: Response): void {
  const eventId = typeof req.query.event === 'string' ? req.query.event : undefined;
  const data = deps.dispatcher.deliveries().filter((delivery) => !eventId || delivery.eventId === eventId);
  res.json({ object: 'list', data });
}

async function resendEvent(deps: ControlDeps, req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const event = deps.events.get(id);
  if (!event) {
    controlError(res, 404, `No such event: '${id}'`);
    return;
  }
  if (!deps.endpoint.get()) {
    controlError(res, 409, 'No webhook endpoint is configured: PUT /_sandbox/webhook first.');
    return;
  }
  const before = deps.dispatcher.deliveries().length;
  await deps.dispatcher.resend(event);
  const attempts = deps.dispatcher
    .deliveries()
    .slice(before)
    .filter((delivery) => delivery.eventId === event.id);
  res.json({ object: 'list', data: attempts });
}
