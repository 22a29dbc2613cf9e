'use client';

import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Field } from '@/components/field';
import { api, call } from '@/lib/api-client';
import { ApiError } from '@/lib/errors';

type Outcome =
  | { kind: 'admitted'; title: string }
  | { kind: 'already'; at: string }
  | { kind: 'void' }
  | { kind: 'invalid' }
  | { kind: 'not-staff' }
  | { kind: 'wrong-event' }
  | { kind: 'error'; message: string };

/** How an answer looks at the door: green to let in, amber to look twice, red to turn away, grey otherwise. */
type Tone = 'go' | 'wait' | 'stop' | 'note';

const hhmm = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

const views: {
  [K in Outcome['kind']]: (o: Extract<Outcome, { kind: K }>) => { text: string; tone: Tone };
} = {
  admitted: (o) => ({ text: `ADMITTED — ${o.title}`, tone: 'go' }),
  already: (o) => ({ text: `ALREADY ADMITTED at ${hhmm(o.at)}`, tone: 'wait' }),
  void: () => ({ text: 'VOID — refunded ticket', tone: 'stop' }),
  invalid: () => ({ text: 'NOT A VALID TICKET', tone: 'stop' }),
  'not-staff': () => ({ text: 'You are not door staff of this event', tone: 'note' }),
  'wrong-event': () => ({ text: 'WRONG EVENT — ticket is for another event', tone: 'stop' }),
  error: (o) => ({ text: o.message, tone: 'note' }),
};

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof ApiError)) return { kind: 'error', message: 'Network error; try again' };
  switch (error.code) {
    case 'ALREADY_ADMITTED': {
      const at = (error.details as { admittedAt?: string } | undefined)?.admittedAt;
      return { kind: 'already', at: at ?? new Date().toISOString() };
    }
    case 'TICKET_VOID':
      return { kind: 'void' };
    case 'INVALID_TICKET_CODE':
      return { kind: 'invalid' };
    case 'NOT_EVENT_STAFF':
      return { kind: 'not-staff' };
    case 'WRONG_EVENT':
      return { kind: 'wrong-event' };
    default:
      return { kind: 'error', message: error.message };
  }
}

/**
 * Scans e-ticket codes: verifies each on the device against the published keys (a forged code is
 * refused without a request), then asks tickets to admit it and shows the answer, big and coloured.
 */
export function Scanner({ eventId }: { eventId?: string | undefined }) {
  const [keys, setKeys] = useState<JWTVerifyGetKey | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [typed, setTyped] = useState('');
  const [camera, setCamera] = useState<'off' | 'on' | 'failed'>('off');
  const busy = useRef(false);
  const lastCode = useRef<{ code: string; at: number } | null>(null);

  useEffect(() => {
    call(api.GET('/api/checkins/keys'))
      .then((jwks) => setKeys(() => createLocalJWKSet(jwks)))
      .catch(() => setOutcome({ kind: 'error', message: 'Could not load the ticket keys; reload the page' }));
  }, []);

  const check = useCallback(
    async (raw: string) => {
      const code = raw.trim();
      if (!code || busy.current || !keys) return;
      // The camera reads the same QR code many times a second; one scan per code per 3 s.
      if (lastCode.current?.code === code && Date.now() - lastCode.current.at < 3_000) return;
      lastCode.current = { code, at: Date.now() };
      busy.current = true;
      try {
        try {
          await jwtVerify(code, keys, { algorithms: ['ES256'], typ: 'eticket+jwt' });
        } catch {
          setOutcome({ kind: 'invalid' });
          return;
        }
        const admitted = await call(
          api.POST('/api/checkins', { body: eventId ? { code, eventId } : { code } }),
        );
        setOutcome({ kind: 'admitted', title: admitted.ticket.title });
      } catch (error) {
        setOutcome(outcomeOf(error));
      } finally {
        busy.current = false;
      }
    },
    [keys, eventId],
  );

  useEffect(() => {
    if (camera !== 'on') return;
    let stopped = false;
    let stop: (() => Promise<void>) | undefined;
    import('html5-qrcode')
      .then(async ({ Html5Qrcode }) => {
        if (stopped) return;
        const reader = new Html5Qrcode('scanner-camera');
        stop = async () => {
          if (reader.isScanning) await reader.stop();
        };
        await reader.start(
          { facingMode: 'environment' },
          { fps: 10, qrbox: 250 },
          (text) => void check(text),
          undefined,
        );
      })
      .catch(() => setCamera('failed'));
    return () => {
      stopped = true;
      void stop?.();
    };
  }, [camera, check]);

  function submit(event: FormEvent | KeyboardEvent<HTMLTextAreaElement>) {
    event.preventDefault();
    lastCode.current = null;
    void check(typed);
    setTyped('');
  }

  const view = outcome ? views[outcome.kind](outcome as never) : null;
  return (
    <div className="scanner">
      {view && (
        <div
          role="status"
          className="scan-result"
          data-testid="scan-result"
          data-result={outcome?.kind}
          data-tone={view.tone}
        >
          {view.text}
        </div>
      )}
      <div id="scanner-camera" className="scan-camera" />
      {camera === 'off' && (
        <button type="button" className="btn btn-secondary btn-block" onClick={() => setCamera('on')}>
          Use the camera
        </button>
      )}
      {camera === 'failed' && (
        <p className="hint" role="alert">
          The camera could not be started; type the code below.
        </p>
      )}
      <form onSubmit={submit} className="scan-form card">
        <Field id="ticket-code" label="Ticket code" hint="Paste or type the code printed under the QR code.">
          {(control) => (
            <textarea
              {...control}
              name="code"
              className="input input-mono scan-code"
              rows={3}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) submit(e);
              }}
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
            />
          )}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={!keys || !typed.trim()}>
          Check in
        </button>
      </form>
    </div>
  );
}
