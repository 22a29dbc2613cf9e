import { looksLikeEmail, newPasswordProblems, resetTokenFrom } from './password-reset';

describe('resetTokenFrom', () => {
  it('reads the token of a reset link, trimmed', () => {
    expect(resetTokenFrom('AbC-_123')).toBe('AbC-_123');
    expect(resetTokenFrom('  AbC-_123\n')).toBe('AbC-_123');
  });

  it('answers null for a link without a usable token', () => {
    expect(resetTokenFrom(undefined)).toBeNull();
    expect(resetTokenFrom('')).toBeNull();
    expect(resetTokenFrom('   ')).toBeNull();
    expect(resetTokenFrom(['a', 'b'])).toBeNull();
    expect(resetTokenFrom('a b')).toBeNull();
    expect(resetTokenFrom('x'.repeat(257))).toBeNull();
  });
});

describe('newPasswordProblems', () => {
  it('accepts a long enough password typed twice', () => {
    expect(newPasswordProblems('correct horse', 'correct horse')).toEqual({});
  });

  it('asks for the sign-up length and a matching repetition', () => {
    expect(newPasswordProblems('short', 'short')).toEqual({ password: 'Use at least 8 characters' });
    expect(newPasswordProblems('x'.repeat(129), 'x'.repeat(129))).toEqual({
      password: 'Use at most 128 characters',
    });
    expect(newPasswordProblems('correct horse', 'correct hose')).toEqual({
      confirm: 'The passwords do not match',
    });
  });
});

describe('looksLikeEmail', () => {
  it('tells an address from a typo', () => {
    expect(looksLikeEmail(' buyer@example.com ')).toBe(true);
    expect(looksLikeEmail('buyer@example')).toBe(false);
    expect(looksLikeEmail('buyer example.com')).toBe(false);
  });
});
