/** The shortest and longest password the auth service accepts (sign-up and reset alike). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** The longest token the reset route reads; a longer one cannot be a token auth mailed. */
const TOKEN_MAX = 256;

/**
 * The token of a reset link (`/reset-password?token=`), or null when the link carries none that
 * could work: missing, empty, repeated or too long. Mail clients sometimes wrap or pad links, so
 * surrounding whitespace is dropped.
 */
export function resetTokenFrom(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string') return null;
  const token = value.trim();
  if (token.length === 0 || token.length > TOKEN_MAX || /\s/.test(token)) return null;
  return token;
}

/** Problems with a new password and its repetition, by field (`password`, `confirm`). */
export function newPasswordProblems(password: string, confirmation: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (password.length < PASSWORD_MIN) problems.password = `Use at least ${PASSWORD_MIN} characters`;
  else if (password.length > PASSWORD_MAX) problems.password = `Use at most ${PASSWORD_MAX} characters`;
  if (confirmation !== password) problems.confirm = 'The passwords do not match';
  return problems;
}

/** Whether `email` looks like an address worth sending (the service checks it properly). */
export function looksLikeEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}
