'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { TicketFields, validateTicketFields, type TicketFieldValues } from '@/components/ticket-fields';
import { FormMessage, SubmitButton } from '@/components/field';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';

/** The listing form: title, price in major units (sent as integer minor units) and currency. */
export function SellForm() {
  const router = useRouter();
  const [values, setValues] = useState<TicketFieldValues>({ title: '', price: '', currency: 'usd' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const checked = validateTicketFields(values);
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    try {
      const ticket = await call(api.POST('/api/tickets', { body: checked.body }));
      router.push(`/tickets/${ticket.id}?listed=1`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'NOT_AUTHENTICATED') {
        router.push('/signin?next=%2Fsell');
        return;
      }
      const fields = fieldErrors(err);
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setFormError(messageFor(err));
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="List a ticket">
      <div aria-live="assertive">{formError && <FormMessage kind="error">{formError}</FormMessage>}</div>
      <TicketFields values={values} errors={errors} onChange={setValues} />
      <SubmitButton busy={busy} busyLabel="Listing your ticket…">
        List ticket
      </SubmitButton>
    </form>
  );
}
