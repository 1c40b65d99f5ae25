/**
 * The builtin model reads English only. The rule for "a message it cannot read": most of its
 * letters are outside the Latin script (Urdu or Arabic script, Chinese, Cyrillic, Devanagari,
 * ...). Such a message that it did not understand gets a short note that it reads English
 * only, instead of the English help it could not have followed. Latin-script text it cannot
 * parse (Roman Urdu, Spanish, typos) gets the normal "didn't understand" help, since the
 * script alone cannot tell it from English, and an English command with a title in any script
 * ("add دودھ خریدنا") works as usual.
 */
export function isMostlyNonLatin(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return false;
  const latin = text.match(/\p{Script=Latin}/gu) ?? [];
  return latin.length * 2 < letters.length;
}
