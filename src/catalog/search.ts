import { AppError } from '../errors/app-error.js'
import type { Catalog, CatalogOperation } from './catalog.js'
import { getIndex } from './search/build-index.js'
import { lackingHint, noMatchHint, weakHint } from './search/hints.js'
import { pathQuery } from './search/path-query.js'
import { hit, rank } from './search/rank.js'
import { MAX_QUERY_LENGTH, type Confidence, type MatchStrength, type SearchHit, type SearchOptions, type SearchResult } from './search/types.js'

export { buildSearchIndex } from './search/build-index.js'
export { explainSearch } from './search/explain.js'
export { stem, tokenize } from './search/stem.js'
export { MAX_QUERY_LENGTH, type SearchOptions, type SearchResult } from './search/types.js'

const STRENGTH: Record<Confidence, MatchStrength> = { high: 'strong', medium: 'weak', low: 'none' }

/**
 * Finds the operations that answer a plain-language question ("how do I power on a VM") or a path ("/User",
 * "VirDomain"), best first, each with an absolute confidence, and says how well the best one answers (`match`).
 * When no operation does what is asked, `match` is "none", the results are only the nearest ones and `hint` says so.
 * An empty or blank query throws AppError QUERY_EMPTY (400); queries longer than 1,000 characters are cut there.
 */
export function searchOperations (catalog: Catalog, query: string, options: SearchOptions = {}): SearchResult {
  const limit = Number.isFinite(options.limit) ? Math.max(1, Math.min(50, Math.trunc(options.limit as number))) : 10
  let method = options.method?.toUpperCase()
  let q = query.slice(0, MAX_QUERY_LENGTH)
  // "GET /VirDomain/{uuid}", as people and models often write an endpoint, is a path with a method.
  const withMethod = /^\s*(GET|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\/\S*)\s*$/i.exec(q)
  if (withMethod !== null) {
    method ??= (withMethod[1] as string).toUpperCase()
    q = withMethod[2] as string
  }
  if (q.trim() === '') {
    throw new AppError('QUERY_EMPTY', `The query is empty. Ask in plain words (e.g. "how do I power on a VM", "add a disk to a VM") or give a path such as /VirDomain. Areas: ${catalog.tags.join(', ')}.`, { details: { tags: catalog.tags } })
  }
  const index = getIndex(catalog)
  const keep = (op: CatalogOperation): boolean => method === undefined || op.method === method

  const byPath = pathQuery(catalog, index, q)
  if (byPath !== undefined) {
    const hits = byPath.filter(({ op }) => keep(op)).map(({ op, confidence }) => hit(op, confidence))
    const seen = new Set(hits.map((h) => h.operationId))
    // Fill up with what the words of the path find, so "/User" also shows roles and SSO after the /User calls.
    if (hits.length < limit) {
      const more = rank(index, q, method).hits.filter((h) => !seen.has(h.operationId))
      hits.push(...more.map((h) => ({ ...h, confidence: h.confidence === 'high' ? 'medium' as const : h.confidence })))
    }
    if (hits.length === 0) return { match: 'none', results: [], total: 0, hint: noMatchHint(catalog, index, q, method, []) }
    const match = STRENGTH[(hits[0] as SearchHit).confidence]
    return { match, results: hits.slice(0, limit), total: hits.length, ...(match === 'none' ? { hint: noMatchHint(catalog, index, q, method, hits) } : {}) }
  }

  const ranked = rank(index, q, method)
  const hits = ranked.hits
  if (hits.length === 0) return { match: 'none', results: [], total: 0, hint: noMatchHint(catalog, index, q, method, [], ranked.analysed) }
  const match = STRENGTH[(hits[0] as SearchHit).confidence]
  const out: SearchResult = { match, results: hits.slice(0, limit), total: hits.length }
  // A topic the API is known to lack says more (its own note); otherwise what the resource asked about can do.
  if (ranked.lacking !== undefined && ranked.analysed.unsupported.length === 0) out.hint = lackingHint(ranked.lacking)
  else if (match === 'none') out.hint = noMatchHint(catalog, index, q, method, hits, ranked.analysed)
  else if (match === 'weak') out.hint = weakHint(ranked.missing)
  return out
}
