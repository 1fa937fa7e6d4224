import { editDistance, isNeighbourSwap } from '../../text/edit-distance.js'
import type { Index } from './build-index.js'
import { stem } from './stem.js'
import { INTENT_OF, INTENT_OF_STEM, STOPWORDS } from './words.js'

/** "Add-VMHardDiskDrive", "MemoryStartupBytes": words run together in another tool's names, split where the case changes. */
export function splitCase (index: Index, text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9]*/g, (w) => {
    if (!/[a-z]/.test(w) || !/[A-Z]/.test(w.slice(1))) return w
    const lower = w.toLowerCase()
    if (STOPWORDS.has(lower) || index.vocabulary.has(stem(lower))) return w
    return w.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1 $2')
  })
}

/** The word as the documents hold it: itself, or the word it is one slip away from ("virtaul", "snapshoot"); undefined when none. */
export function knownAs (index: Index, term: string): string | undefined {
  if (index.vocabulary.has(term) || INTENT_OF.has(term) || INTENT_OF_STEM.has(term)) return term
  // "newer", "biggest": a comparative of a documented word.
  const base = /^(\w{3,}?)(\w)?\2?(?:er|est)$/.exec(term)
  if (base !== null) for (const b of [base[1] as string, `${base[1] as string}${base[2] ?? ''}`]) if (index.vocabulary.has(b)) return b
  if (term.length < 5) return undefined
  for (let n = term.length - 1; n <= term.length + 1; n++) {
    for (const w of index.byLength.get(n) ?? []) if (w[0] === term[0] && oneEditApart(w, term, true)) return w
  }
  return undefined
}

/** Whether the documents hold the word, or one a slip away from it. */
export function isKnown (index: Index, term: string): boolean {
  return knownAs(index, term) !== undefined
}

/** The intent word meant in a verb's place: as typed, by stem, or a one-letter slip of it ("delet", "chnage"). */
export function verbWord (index: Index, word: string): string | undefined {
  if (INTENT_OF.has(word) || INTENT_OF_STEM.has(stem(word))) return word
  return index.vocabulary.has(stem(word)) ? undefined : typoOf(word)
}

// "delte", "lsit": one slip off an intent word still says what is wanted. Short words only count when two letters
// are swapped, since one changed letter makes another word ("made" is not "make").
/** The intent word one slip off this one, if any. */
export function typoOf (word: string): string | undefined {
  if (word.length < 4) return undefined
  for (const w of INTENT_OF.keys()) if (w.length >= 4 && Math.abs(w.length - word.length) <= 1 && oneEditApart(w, word, word.length >= 5)) return w
  return undefined
}

/** Whether two words are one slip apart: two neighbouring letters swapped or, with `substitute`, one letter changed, added or dropped. */
export function oneEditApart (a: string, b: string, substitute: boolean): boolean {
  if (a === b) return true
  return substitute ? editDistance(a, b, 1) <= 1 : isNeighbourSwap(a, b)
}
