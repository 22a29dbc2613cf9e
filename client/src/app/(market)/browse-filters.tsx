'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
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
      <div className="filter">
        <label className="label" htmlFor="filter-city">
          City
        </label>
        <input
          id="filter-city"
          name="city"
          className="input"
          value={values.city}
          maxLength={80}
          placeholder="Any city"
          autoComplete="address-level2"
          onChange={(e) => set({ city: e.target.value })}
        />
      </div>
      <div className="filter">
        <label className="label" htmlFor="filter-from">
          From
        </label>
        <input
          id="filter-from"
          name="from"
          type="date"
          className="input"
          value={values.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      </div>
      <div className="filter">
        <label className="label" htmlFor="filter-to">
          To
        </label>
        <input
          id="filter-to"
          name="to"
          type="date"
          className="input"
          value={values.to}
          min={values.from || undefined}
          onChange={(e) => set({ to: e.target.value })}
        />
      </div>
      <div className="filter filter-price">
        <label className="label" htmlFor="filter-min">
          Min price
        </label>
        <input
          id="filter-min"
          name="minPrice"
          className="input"
          inputMode="decimal"
          placeholder="0"
          value={values.minPrice}
          onChange={(e) => set({ minPrice: e.target.value.trim() })}
        />
      </div>
      <div className="filter filter-price">
        <label className="label" htmlFor="filter-max">
          Max price
        </label>
        <input
          id="filter-max"
          name="maxPrice"
          className="input"
          inputMode="decimal"
          placeholder="Any"
          value={values.maxPrice}
          onChange={(e) => set({ maxPrice: e.target.value.trim() })}
        />
      </div>
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
