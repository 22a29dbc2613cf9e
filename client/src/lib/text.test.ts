import { firstGrapheme, graphemes, initialsOf, truncateText } from './text';

/** Whether `text` holds a high or low surrogate without its partner. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('text cutting', () => {
  it('takes whole characters outside the Basic Multilingual Plane, emoji and accented letters', () => {
    expect(firstGrapheme('𠮷野家 night')).toBe('𠮷');
    expect(firstGrapheme('👩‍👩‍👧 family day')).toBe('👩‍👩‍👧');
    expect(firstGrapheme('e\u0301te')).toBe('e\u0301');
    expect(firstGrapheme('🇯🇵 Tokyo')).toBe('🇯🇵');
    expect(firstGrapheme('')).toBe('');
    expect(graphemes('𠮷野')).toEqual(['𠮷', '野']);
  });

  it('truncates to a code-unit budget without splitting a character', () => {
    expect(truncateText('𠮷野家', 1)).toBe('');
    expect(truncateText('𠮷野家', 2)).toBe('𠮷');
    expect(truncateText('𠮷野家', 3)).toBe('𠮷野');
    expect(truncateText('abc', 5)).toBe('abc');
    const long = '🎸'.repeat(150);
    const cut = truncateText(long, 200);
    expect(cut.length).toBe(200);
    expect(hasLoneSurrogate(cut)).toBe(false);
    expect(hasLoneSurrogate(truncateText(`a${long}`, 200))).toBe(false);
  });
});

describe('initialsOf', () => {
  it('takes the first letters of the first two significant words', () => {
    expect(initialsOf('Jazz in the Park')).toBe('JP');
    expect(initialsOf('Demo: Hamilton · Matinee')).toBe('HM');
    expect(initialsOf('· ·')).toBe('★');
  });

  it('keeps a letter outside the Basic Multilingual Plane whole', () => {
    expect(initialsOf('𠮷野家 night')).toBe('𠮷N');
    expect(initialsOf('night at 𠮷野家')).toBe('N𠮷');
    expect(initialsOf('𝒜lpha 𝔅eta')).toBe('𝒜𝔅');
  });

  it('keeps a letter and its combining accent together', () => {
    expect(initialsOf('e\u0301te festival')).toBe('E\u0301F');
  });
});
