/** What a search query looks like, so each kind is answered through its own index. */
export type SearchPlan =
  | { kind: "email"; email: string }
  | { kind: "digits"; digits: string }
  | { kind: "code"; code: string }
  | { kind: "address"; houseNumber: string; street: string; text: string }
  | { kind: "name"; words: string[]; lastFirst: boolean; text: string; place: Place | null };

/** Where a named customer is served or gets mail, as a caller gives it after the name: "smith 1452 oak". */
export interface Place {
  houseNumber: string;
  /** The street words after the number, lower case; empty when only the number was given. */
  street: string;
}

const HOUSE_NUMBER = /^\d+[a-z]?$/i;

// What people type around phone and account numbers: (415) 555-0134, +1 415.555.0134, 123 456 7890.
const NUMBER_FORMATTING = /^[\d\s()+.\-/]+$/;
const HAS_DIGIT = /\d/;
const LETTERS = /\p{L}/u;

/** Lower case, as the name indexes hold names. */
export const foldName = (s: string) => s.normalize("NFC").toLowerCase();

/** Reads a query: an email, digits (account number, phone, last four, meter), a code, a street address or names. */
export function classify(raw: string): SearchPlan {
  const q = raw.trim().replace(/\s+/g, " ");
  if (q.includes("@")) return { kind: "email", email: q.toLowerCase().replace(/\s/g, "") };
  if (NUMBER_FORMATTING.test(q) && HAS_DIGIT.test(q)) return { kind: "digits", digits: q.replace(/\D/g, "") };
  const tokens = q.split(" ");
  if (tokens.length === 1 && HAS_DIGIT.test(q) && LETTERS.test(q)) {
    return { kind: "code", code: q.toUpperCase().replace(/[^0-9A-Z]/g, "") };
  }
  if (tokens.length > 1 && /^\d+[a-z]?$/i.test(tokens[0]!) && tokens.slice(1).some((t) => LETTERS.test(t))) {
    const text = foldName(q);
    return { kind: "address", houseNumber: tokens[0]!.toLowerCase(), street: text.slice(tokens[0]!.length + 1), text };
  }
  // A name, then the house number of the address (and the street, if given): the caller's name and service address.
  const at = tokens.findIndex((t) => HOUSE_NUMBER.test(t.replace(/,$/, "")));
  const place: Place | null =
    at > 0 && tokens.slice(0, at).some((t) => LETTERS.test(t))
      ? {
          houseNumber: tokens[at]!.replace(/,$/, "").toLowerCase(),
          street: foldName(tokens.slice(at + 1).join(" "))
            .replace(/[^\p{L}\d\s'-]/gu, " ")
            .replace(/\s+/g, " ")
            .trim(),
        }
      : null;
  const text = foldName(place ? tokens.slice(0, at).join(" ") : q)
    .replace(/[^\p{L}\s,'-]/gu, " ")
    .trim();
  const lastFirst = /^[^,]+,/.test(text);
  const words = text
    .split(/[\s,]+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, ""))
    .filter(Boolean);
  return { kind: "name", words, lastFirst, text: words.join(" "), place };
}

// Letters a name may hold; an apostrophe, hyphen or accent typed or left out (OBrien, O'Brien; Munoz, Muñoz) is one
// edit too.
const ALPHABET = "abcdefghijklmnopqrstuvwxyz'-ñáéíóú";

/** Every string one edit from `word`: a letter dropped, two neighbours swapped, one wrong or one extra. */
export function oneEditAway(word: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < word.length; i++) {
    out.add(word.slice(0, i) + word.slice(i + 1));
    if (i + 1 < word.length) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
    for (const c of ALPHABET) if (c !== word[i]) out.add(word.slice(0, i) + c + word.slice(i + 1));
  }
  for (let i = 0; i <= word.length; i++) for (const c of ALPHABET) out.add(word.slice(0, i) + c + word.slice(i));
  out.delete(word);
  return out;
}

/** The smallest string after every string that starts with `prefix` (code-point order): an upper bound for a range scan. */
export function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return null;
}

/** Phone numbers a string of digits may be, in E.164 (North American numbers). */
export function phoneCandidates(digits: string): string[] {
  if (digits.length === 10) return [`+1${digits}`];
  if (digits.length === 11 && digits.startsWith("1")) return [`+${digits}`];
  if (digits.length > 11 && digits.length <= 15) return [`+${digits}`];
  return [];
}
