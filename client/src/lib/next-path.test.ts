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
