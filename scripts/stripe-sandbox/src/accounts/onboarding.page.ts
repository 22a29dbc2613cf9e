import express, { type Request, type Response, type Router } from 'express';
import type { RequestContext } from '../server/request-context';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import type { AccountObject } from './account.object';
import type { AccountsService } from './accounts.service';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
button{font:inherit;padding:.6rem 1rem;margin:.25rem .5rem .25rem 0;border-radius:6px;border:1px solid #635bff;cursor:pointer}
.primary{background:#635bff;color:#fff}.secondary{background:#fff;color:#635bff}
.note{color:#697386;font-size:.9rem}</style>
</head>
<body>
${body}
</body>
</html>
`,
    );
}

function onboardingForm(account: AccountObject, action: string): string {
  return `<h1>Set up payouts</h1>
<p>Stripe sandbox: onboarding of the connected account <code>${escapeHtml(account.id)}</code>${
    account.email ? ` (${escapeHtml(account.email)})` : ''
  }.</p>
<form method="post" action="${escapeHtml(action)}">
<button class="primary" type="submit" name="action" value="complete">Complete onboarding</button>
<button class="secondary" type="submit" name="action" value="restrict">Restrict account</button>
</form>
<p class="note">"Complete onboarding" enables charges, transfers and payouts. "Restrict account" exists
only in the sandbox: the account is restricted as if Stripe needed a verification document.
Either sends <code>account.updated</code> and returns to the platform.</p>`;
}

const notFound = (res: Response): void =>
  page(res, 404, 'Link not found', '<h1>Link not found</h1><p>This onboarding link does not exist.</p>');

/**
 * The hosted onboarding page account links point to (`GET/POST /setup/e/:account/:token`): a
 * form with "Complete onboarding" and, sandbox only, "Restrict account". Opening a link uses it
 * up; submitting the form redirects to the link's `return_url`; an expired, already opened or
 * already submitted link redirects to its `refresh_url`, as Stripe's do.
 */
export function onboardingRouter(deps: { accounts: AccountsService; dispatcher: WebhookDispatcher }): Router {
  const router = express.Router();
  router.get('/setup/e/:account/:token', (req, res) => {
    const visit = deps.accounts.openLink(String(req.params.account), String(req.params.token));
    if (visit.kind === 'unknown') return notFound(res);
    if (visit.kind === 'refresh') return res.redirect(303, visit.url);
    page(res, 200, 'Set up payouts', onboardingForm(visit.account, req.originalUrl.split('?', 1)[0]!));
  });
  router.post(
    '/setup/e/:account/:token',
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req: Request, res: Response) => {
      const action = (req.body as Record<string, unknown> | undefined)?.action;
      if (action !== 'complete' && action !== 'restrict') {
        return page(res, 400, 'Bad request', '<h1>Bad request</h1><p>Choose one of the buttons.</p>');
      }
      const ctx: RequestContext = { requestId: null, idempotencyKey: null, events: [] };
      res.once('close', () => deps.dispatcher.enqueue(ctx.events));
      const result = deps.accounts.submitLink(
        ctx,
        String(req.params.account),
        String(req.params.token),
        action,
        { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null },
      );
      if (result.kind === 'unknown') return notFound(res);
      res.redirect(303, result.url);
    },
  );
  return router;
}
