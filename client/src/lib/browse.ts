/**
 * What a buyer browses by, as it lives in the marketplace's URL (`/?q=&city=&category=&from=&to=
 * &minPrice=&maxPrice=&sort=`), so a search can be shared, bookmarked and reloaded. Prices in the
 * URL are in major units (`maxPrice=80` is 80.00), as a buyer types them; the API takes minor units.
 */

/** The event categories, as the tickets service names them, with what a buyer reads. */
export const CATEGORIES = [
  { value: 'concert', label: 'Concerts' },
  { value: 'sports', label: 'Sports' },
  { value: 'theatre', label: 'Theatre' },
  { value: 'comedy', label: 'Comedy' },
  { value: 'festival', label: 'Festivals' },
  { value: 'other', label: 'Other' },
] as const;

export type Category = (typeof CATEGORIES)[number]['value'];

/** The singular label of a category: "Concert", "Theatre". */
export function categoryLabel(category: string): string {
  const names: Record<string, string> = {
    concert: 'Concert',
    sports: 'Sports',
    theatre: 'Theatre',
    comedy: 'Comedy',
    festival: 'Festival',
    other: 'Event',
  };
  return names[category] ?? 'Event';
}

export interface BrowseFilters {
  q: string;
  city: string;
  category: Category | '';
  /** `YYYY-MM-DD`, the first day shown. */
  from: string;
  /** `YYYY-MM-DD`, the last day shown. */
  to: string;
  /** Major units as typed (`80`, `12.5`), or ''. */
  minPrice: string;
  maxPrice: string;
  sort: 'date' | 'price';
}

type RawParams = Record<string, string | string[] | undefined> | URLSearchParams;

function read(params: RawParams, name: string): string {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  return ((Array.isArray(value) ? value[0] : value) ?? '').trim();
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^\d{1,7}(?:\.\d{1,2})?$/;

function validDay(text: string): string {
  if (!DAY.test(text)) return '';
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text) ? text : '';
}

/** The filters a URL asks for; what cannot be read is dropped rather than refused. */
export function parseBrowse(params: RawParams): BrowseFilters {
  const category = read(params, 'category');
  const minPrice = read(params, 'minPrice');
  const maxPrice = read(params, 'maxPrice');
  return {
    q: Array.from(read(params, 'q')).slice(0, 200).join(''),
    city: Array.from(read(params, 'city')).slice(0, 80).join(''),
    category: CATEGORIES.some((c) => c.value === category) ? (category as Category) : '',
    from: validDay(read(params, 'from')),
    to: validDay(read(params, 'to')),
    minPrice: AMOUNT.test(minPrice) ? minPrice : '',
    maxPrice: AMOUNT.test(maxPrice) ? maxPrice : '',
    sort: read(params, 'sort') === 'price' ? 'price' : 'date',
  };
}

/** The URL query of `filters`, only what is set, in a stable order (`q=jazz&sort=price`); '' for none. */
export function browseQuery(filters: Partial<BrowseFilters>): string {
  const search = new URLSearchParams();
  for (const name of ['q', 'city', 'category', 'from', 'to', 'minPrice', 'maxPrice'] as const) {
    const value = filters[name]?.trim();
    if (value) search.set(name, value);
  }
  if (filters.sort === 'price') search.set('sort', 'price');
  return search.toString();
}

/** The marketplace URL of `filters`: `/` or `/?q=jazz`. */
export function browseHref(filters: Partial<BrowseFilters>): string {
  const query = browseQuery(filters);
  return query ? `/?${query}` : '/';
}

/** Whether the buyer is looking at listings (a price filter or price order) rather than events. */
export function showsListings(filters: BrowseFilters): boolean {
  return filters.sort === 'price' || filters.minPrice !== '' || filters.maxPrice !== '';
}

/** Whether anything narrows the search. */
export function isFiltered(filters: BrowseFilters): boolean {
  return browseQuery({ ...filters, sort: 'date' }) !== '';
}

/** `80` → 8000, `12.5` → 1250: a URL price in minor units (two decimals, as most currencies). */
export function minorOf(major: string): number | undefined {
  if (!AMOUNT.test(major)) return undefined;
  const [whole = '0', fraction = ''] = major.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** The query of GET /api/events for `filters`. */
export function eventsQuery(filters: BrowseFilters, limit: number, cursor?: string) {
  return {
    q: filters.q || undefined,
    city: filters.city || undefined,
    category: filters.category || undefined,
    from: filters.from || undefined,
    // A day: the tickets service reads `to` as the end of that day.
    to: filters.to || undefined,
    limit,
    cursor: cursor || undefined,
  };
}

/** The query of GET /api/tickets for `filters` (available listings of upcoming events). */
export function listingsQuery(filters: BrowseFilters, limit: number, cursor?: string) {
  return {
    ...eventsQuery(filters, limit, cursor),
    minPrice: minorOf(filters.minPrice),
    maxPrice: minorOf(filters.maxPrice),
    sort: filters.sort,
  };
}
