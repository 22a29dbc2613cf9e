'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { browseHref, CATEGORIES, type BrowseFilters } from '@/lib/browse';

/**
 * Category, city, dates, price and order. Applying them writes them into the URL (only what is
 * set), so the page is rendered from it, a reload keeps it and the link can be shared. Without
 * JavaScript the form submits the same query.
 */
export function BrowseFiltersForm({ filters }: { filters: BrowseFilters }) {
  const router = useRouter();
  const [values, setValues] = useState(filters);

  function apply(next: BrowseFilters) {
    router.push(browseHref(next));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    apply(values);
  }

  const set = (patch: Partial<BrowseFilters>) => setValues((current) => ({ ...current, ...patch }));

  /** A labelled text, date or price input bound to one filter. */
  const text = (
    name: 'city' | 'from' | 'to' | 'minPrice' | 'maxPrice',
    label: string,
    props: InputHTMLAttributes<HTMLInputElement>,
  ) => (
    <div className="filter">
      <label className="label" htmlFor={`filter-${name}`}>
        {label}
      </label>
      <input
        {...props}
        id={`filter-${name}`}
        name={name}
        className="input"
        value={values[name]}
        onChange={(e) => set({ [name]: e.target.value })}
      />
    </div>
  );

  return (
    <form className="filters" action="/" method="get" onSubmit={submit} aria-label="Filter events">
      {filters.q && <input type="hidden" name="q" value={filters.q} />}
      <div className="filter">
        <label className="label" htmlFor="filter-category">
          Category
        </label>
        <select
          id="filter-category"
          name="category"
          className="select"
          value={values.category}
          onChange={(e) => set({ category: e.target.value as BrowseFilters['category'] })}
        >
          <option value="">All categories</option>
          {CATEGORIES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      {text('city', 'City', { maxLength: 80, placeholder: 'Any city', autoComplete: 'address-level2' })}
      {text('from', 'From', { type: 'date' })}
      {text('to', 'To', { type: 'date', min: values.from || undefined })}
      {text('minPrice', 'Min price', { inputMode: 'decimal', placeholder: '0' })}
      {text('maxPrice', 'Max price', { inputMode: 'decimal', placeholder: 'Any' })}
      <div className="filter">
        <label className="label" htmlFor="filter-sort">
          Sort by
        </label>
        <select
          id="filter-sort"
          name="sort"
          className="select"
          value={values.sort}
          onChange={(e) => {
            const next = {
              ...values,
              sort: e.target.value === 'price' ? ('price' as const) : ('date' as const),
            };
            setValues(next);
            apply(next);
          }}
        >
          <option value="date">Soonest first</option>
          <option value="price">Lowest price</option>
        </select>
      </div>
      <div className="filter filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
      </div>
    </form>
  );
}
