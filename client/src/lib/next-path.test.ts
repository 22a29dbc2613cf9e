import { safeNextPath, signInPath } from './next-path';

describe('safeNextPath', () => {
  it.each(['/orders', '/orders/123?x=1', '/tickets/abc#buy', '/my/listings'])(
    'keeps the same-site path %s',
    (path) => {
      expect(safeNextPath(path)).toBe(path);
    },
  );

  it.each([
    undefined,
    '',
    'orders',
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    '/signin',
    '/signup?next=/orders',
  ])('falls back to / for %j', (value) => {
    expect(safeNextPath(value)).toBe('/');
  });

  // Each of these is a path on this site as typed, but another host once a browser normalises it.
  it.each([
    '/.//evil.example',
    '/./\\evil.example',
    '/foo/..//evil.example',
    '/foo/../..//evil.example',
    '/%2e//evil.example',
    '/%2E//evil.example',
    '/%2e%2e//evil.example',
    '/x/%2e%2e//evil.example/path?q=1',
    '/.//evil.example\\path',
    '/./\t/evil.example',
    '/.\n//evil.example',
    '/\\.\\evil.example',
  ])('falls back to / for %j, which normalises to another host', (value) => {
    expect(safeNextPath(value)).toBe('/');
  });

  it('answers the normalised path, which resolves to itself on this site', () => {
    expect(safeNextPath('/orders/./42/../43?x=1#top')).toBe('/orders/43?x=1#top');
    expect(safeNextPath('/my\\listings')).toBe('/my/listings');
    for (const value of ['/a/./b', '/%2e/orders', '/x/../tickets/1', '/%2F%2Fevil.example']) {
      const path = safeNextPath(value);
      expect(path.startsWith('/') && !path.startsWith('//')).toBe(true);
      expect(new URL(path, 'https://glotixz.example').host).toBe('glotixz.example');
    }
  });

  it('keeps percent-encoded characters encoded, so they stay inside the path', () => {
    expect(safeNextPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('uses the given fallback', () => {
    expect(safeNextPath('//x', '/orders')).toBe('/orders');
  });
});

describe('signInPath', () => {
  it('carries the page to come back to', () => {
    expect(signInPath('/orders/42')).toBe('/signin?next=%2Forders%2F42');
    expect(signInPath('/')).toBe('/signin');
  });
});
