import {
  browseHref,
  browseQuery,
  eventsQuery,
  isFiltered,
  listingsQuery,
  minorOf,
  parseBrowse,
  showsListings,
} from './browse';

describe('browse filters in the URL', () => {
  it('reads every filter, and drops what it cannot read', () => {
    const filters = parseBrowse({
      q: '  taylor swift ',
      city: 'London',
      category: 'concert',
      from: '2026-06-01',
      to: '2026-06-30',
      minPrice: '20',
      maxPrice: '80.5',
      sort: 'price',
    });
    expect(filters).toEqual({
      q: 'taylor swift',
      city: 'London',
      category: 'concert',
      from: '2026-06-01',
      to: '2026-06-30',
      minPrice: '20',
      maxPrice: '80.5',
      sort: 'price',
    });
    expect(
      parseBrowse({
        category: 'opera',
        from: '2026-02-30',
        to: 'soon',
        minPrice: '-3',
        maxPrice: '1e9',
        sort: 'x',
      }),
    ).toEqual({ q: '', city: '', category: '', from: '', to: '', minPrice: '', maxPrice: '', sort: 'date' });
    expect(parseBrowse(new URLSearchParams('q=jazz&q=rock')).q).toBe('jazz');
  });

  it('writes only what is set, so a shared link stays short, and reads back the same', () => {
    expect(browseHref({})).toBe('/');
    expect(browseHref({ q: 'jazz', sort: 'date', city: '' })).toBe('/?q=jazz');
    const query = browseQuery({ q: 'café rock', category: 'concert', maxPrice: '50', sort: 'price' });
    expect(query).toBe('q=caf%C3%A9+rock&category=concert&maxPrice=50&sort=price');
    expect(parseBrowse(new URLSearchParams(query))).toMatchObject({
      q: 'café rock',
      maxPrice: '50',
      sort: 'price',
    });
  });

  it('shows listings when the buyer filters or sorts by price, events otherwise', () => {
    expect(showsListings(parseBrowse({ q: 'jazz' }))).toBe(false);
    expect(showsListings(parseBrowse({ sort: 'price' }))).toBe(true);
    expect(showsListings(parseBrowse({ maxPrice: '30' }))).toBe(true);
    expect(isFiltered(parseBrowse({ sort: 'price' }))).toBe(false);
    expect(isFiltered(parseBrowse({ city: 'Paris' }))).toBe(true);
  });

  it('asks the API in minor units, with days as days', () => {
    expect(minorOf('80')).toBe(8000);
    expect(minorOf('12.5')).toBe(1250);
    expect(minorOf('0.99')).toBe(99);
    expect(minorOf('')).toBeUndefined();
    const filters = parseBrowse({ city: 'Paris', to: '2026-06-30', minPrice: '10', sort: 'price' });
    expect(eventsQuery(filters, 12)).toEqual({
      q: undefined,
      city: 'Paris',
      category: undefined,
      from: undefined,
      to: '2026-06-30',
      limit: 12,
      cursor: undefined,
    });
    expect(listingsQuery(filters, 12, 'abc')).toMatchObject({
      minPrice: 1000,
      maxPrice: undefined,
      sort: 'price',
      cursor: 'abc',
    });
  });
});
