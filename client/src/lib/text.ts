/**
 * Cutting text for display. A JavaScript string indexes UTF-16 code units, so `title[0]` or
 * `title.slice(0, n)` can split a letter outside the Basic Multilingual Plane (`𠮷`), an emoji or a
 * letter with its accent. A lone surrogate renders as U+FFFD in the server's HTML but stays a
 * surrogate in the browser, and React then refuses to hydrate the page. Every cut goes through
 * here, by grapheme (what a reader sees as one character).
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The graphemes of `text`, in order. */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** The first grapheme of `text` ('' for ''). */
export function firstGrapheme(text: string): string {
  for (const { segment } of segmenter.segment(text)) return segment;
  return '';
}

/**
 * The longest prefix of `text` made of whole graphemes that fits in `maxUnits` UTF-16 code units
 * (the length APIs and `maxLength` count), so a limit never splits a character.
 */
export function truncateText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  let end = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (end + segment.length > maxUnits) break;
    end += segment.length;
  }
  return text.slice(0, end);
}

/**
 * Up to two initials of a title: "Jazz in the Park" → "JP", "𠮷野家 night" → "𠮷N". Each initial
 * is a whole grapheme, never half a surrogate pair (which would break hydration).
 */
export function initialsOf(title: string): string {
  const words = title
    .replace(/^demo:\s*/i, '')
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w.length > 0 && !/^(the|a|an|of|in|at|on|and|for|no)$/i.test(w));
  const letters = words.slice(0, 2).map((w) => firstGrapheme(w).toUpperCase());
  return letters.join('') || '★';
}
