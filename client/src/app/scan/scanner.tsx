'use client';

import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
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

const hhmm = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

const views: {
  [K in Outcome['kind']]: (o: Extract<Outcome, { kind: K }>) => { text: string; colour: string };
} = {
  admitted: (o) => ({ text: `ADMITTED — ${o.title}`, colour: '#137333' }),
  already: (o) => ({ text: `ALREADY ADMITTED at ${hhmm(o.at)}`, colour: '#b06000' }),
  void: () => ({ text: 'VOID — refunded ticket', colour: '#a50e0e' }),
  invalid: () => ({ text: 'NOT A VALID TICKET', colour: '#a50e0e' }),
  'not-staff': () => ({ text: 'You are not door staff of this event', colour: '#5f6368' }),
  'wrong-event': () => ({ text: 'WRONG EVENT — ticket is for another event', colour: '#a50e0e' }),
  error: (o) => ({ text: o.message, colour: '#5f6368' }),
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

  function submit(event: FormEvent) {
    event.preventDefault();
    lastCode.current = null;
    void check(typed);
    setTyped('');
  }

  const view = outcome ? views[outcome.kind](outcome as never) : null;
  return (
    <div>
      {view && (
        <div
          role="status"
          data-testid="scan-result"
          data-result={outcome?.kind}
          style={{
            background: view.colour,
            color: '#fff',
            fontSize: '2rem',
            fontWeight: 700,
            padding: '1.5rem',
            borderRadius: 8,
            textAlign: 'center',
            margin: '1rem 0',
          }}
        >
          {view.text}
        </div>
      )}
      <div id="scanner-camera" style={{ maxWidth: 400 }} />
      {camera === 'off' && (
        <button type="button" className="btn" onClick={() => setCamera('on')}>
          Use the camera
        </button>
      )}
      {camera === 'failed' && <p>The camera could not be started; type the code below.</p>}
      <form onSubmit={submit} style={{ marginTop: '1rem' }}>
        <label htmlFor="ticket-code">Ticket code</label>
        <input
          id="ticket-code"
          name="code"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
        <button type="submit" className="btn" disabled={!keys}>
          Check in
        </button>
      </form>
    </div>
  );
}
