'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, sleep } from '@/lib/api-client';
import { messageFor } from '@/lib/errors';

interface Attendance {
  sold: number;
  admitted: number;
  toCome: number;
}

/** Door staff add and remove, and the event's attendance refreshed every 5 seconds. */
export function DoorView({ eventId }: { eventId: string }) {
  const [staff, setStaff] = useState<{ email: string; addedAt: string }[]>([]);
  const [attendance, setAttendance] = useState<Attendance | null>(null);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const path = { params: { path: { id: eventId } } };

  const loadStaff = useCallback(async () => {
    const list = await call(api.GET('/api/events/{id}/staff', { params: { path: { id: eventId } } }));
    setStaff(list.items);
  }, [eventId]);

  useEffect(() => {
    loadStaff().catch((e: unknown) => setError(messageFor(e)));
  }, [loadStaff]);

  useEffect(() => {
    const controller = new AbortController();
    void (async () => {
      while (!controller.signal.aborted) {
        try {
          setAttendance(
            await call(api.GET('/api/events/{id}/attendance', { params: { path: { id: eventId } } })),
          );
        } catch {
          // Keep the last figures; the next poll tries again.
        }
        await sleep(5_000, controller.signal).catch(() => undefined);
      }
    })();
    return () => controller.abort();
  }, [eventId]);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await call(api.POST('/api/events/{id}/staff', { ...path, body: { email } }));
      setEmail('');
      await loadStaff();
    } catch (e) {
      setError(messageFor(e));
    }
  }

  async function remove(member: string) {
    setError(null);
    try {
      await call(
        api.DELETE('/api/events/{id}/staff/{email}', { params: { path: { id: eventId, email: member } } }),
      );
      await loadStaff();
    } catch (e) {
      setError(messageFor(e));
    }
  }

  return (
    <div>
      <section aria-labelledby="attendance-title">
        <h2 id="attendance-title">Attendance</h2>
        {attendance ? (
          <p data-testid="attendance" style={{ fontSize: '1.5rem' }}>
            Sold {attendance.sold} · Admitted {attendance.admitted} · To come {attendance.toCome}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
      <section aria-labelledby="staff-title">
        <h2 id="staff-title">Door staff</h2>
        <ul>
          {staff.map((member) => (
            <li key={member.email}>
              {member.email}{' '}
              <button type="button" className="btn" onClick={() => void remove(member.email)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={(e) => void add(e)}>
          <label htmlFor="staff-email">Email</label>
          <input
            id="staff-email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="btn">
            Add
          </button>
        </form>
        {error && (
          <p role="alert" className="alert alert-error">
            {error}
          </p>
        )}
      </section>
    </div>
  );
}
