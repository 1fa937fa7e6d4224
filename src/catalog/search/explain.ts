import type { Catalog } from '../catalog.js'
import { getIndex } from './build-index.js'
import { rank } from './rank.js'
import { MAX_QUERY_LENGTH } from './types.js'

/** Why a question ranks as it does: the words read from it and the best operations with their coverage; for `npm run bench -- search --explain "..."`. */
export function explainSearch (catalog: Catalog, query: string, limit = 8, verbose = false): Record<string, unknown> {
  const ranked = rank(getIndex(catalog), query.slice(0, MAX_QUERY_LENGTH), undefined)
  const { groups, intents, question, wantsOne, unsupported } = ranked.analysed
  return {
    words: groups.map((g) => ({ word: g.word, terms: g.terms, weight: Number(g.weight.toFixed(2)), ...(g.modifier ? { modifier: true } : {}), ...(g.nameLike ? { name: true } : {}), ...(g.verb ? { verb: true } : {}), ...(g.concept ? { concept: true } : {}), ...(g.focus ? { focus: true } : {}), ...(g.required ? { required: true } : {}), ...(g.beforeBreak ? {} : { after: g.after }) })),
    intents: [...intents],
    question,
    wantsOne,
    unsupported: unsupported.map((t) => t.terms[0]),
    best: ranked.scored.slice(0, limit).map((s) => ({ op: `${s.op.method} ${s.op.path}`, confidence: s.confidence, coverage: Number(s.coverage.toFixed(2)), score: Number(s.score.toFixed(2)), fit: s.fit, subjectOk: s.subjectOk, missing: s.missing, ...(verbose ? { match: s.match } : {}) }))
  }
}
