'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { EventCombobox } from '@/components/event-combobox';
import { browseHref, type BrowseFilters } from '@/lib/browse';

/**
 * The marketplace's search box: suggests events as you type (picking one opens its page), and
 * searching keeps the other filters of the URL.
 */
export function HomeSearch({ filters }: { filters: BrowseFilters }) {
  const router = useRouter();
  const [q, setQ] = useState(filters.q);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    router.push(browseHref({ ...filters, q }));
  }

  return (
    <form className="search" role="search" action="/" method="get" onSubmit={submit}>
      <EventCombobox
        id="q"
        name="q"
        label="Search events"
        labelHidden
        placeholder="Search by event, artist, venue or city"
        value={q}
        onValueChange={setQ}
        onPick={(picked) => router.push(`/events/${picked.id}`)}
      />
      <button type="submit" className="btn btn-primary">
        Search
      </button>
    </form>
  );
}
