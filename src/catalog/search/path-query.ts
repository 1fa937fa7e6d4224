import { normalisePath, type Catalog, type CatalogOperation } from '../catalog.js'
import type { Index } from './build-index.js'
import type { Confidence } from './types.js'

const PATH_LIKE = /^\/?(rest\/v1\/?)?[A-Za-z][\w{}.-]*(\/[\w{}.-]*)*\/?$/

/** The operations a path-like query ("/User", "VirDomain/{uuid}") names, surest first; undefined when it is not a path. */
export function pathQuery (catalog: Catalog, index: Index, query: string): Array<{ op: CatalogOperation, confidence: Confidence }> | undefined {
  const q = query.trim()
  if (!PATH_LIKE.test(q)) return undefined
  const normal = normalisePath(q).toLowerCase()
  const first = normal.split('/').filter(Boolean)[0] ?? ''
  // A bare word is a path only when it names a resource ("VirDomain", "user"), so "snapshot" stays a question.
  if (!q.startsWith('/') && !/^rest\/v1/i.test(q) && !index.resources.has(first)) return undefined
  // The best template first (literal segments beat {params}), then other templates the path fits, then sub-paths,
  // then any path containing it, as the original helper's LIKE did.
  const ordered = catalog.operationsForPath(q, { ignoreCase: true })
  const seen = new Set(ordered)
  const template = (p: string): string => p.toLowerCase().replace(/\{[^}]+\}/g, '{}')
  const wanted = template(normal)
  const wantedLoose = normal.replace(/\{[^}]+\}/g, '')
  const fits: CatalogOperation[] = []
  const under: CatalogOperation[] = []
  const contains: CatalogOperation[] = []
  for (const op of index.operations) {
    if (seen.has(op)) continue
    const p = template(op.path)
    if (p === wanted || matchesConcrete(op.path, normal)) fits.push(op)
    else if (p.startsWith(wanted + '/')) under.push(op)
    else if (wantedLoose !== '/' && op.path.toLowerCase().includes(wantedLoose)) contains.push(op)
  }
  const all = [
    ...[...ordered, ...fits].map((op) => ({ op, confidence: 'high' as const })),
    ...under.map((op) => ({ op, confidence: 'medium' as const })),
    ...contains.map((op) => ({ op, confidence: 'low' as const }))
  ]
  return all.length > 0 ? all : undefined
}

function matchesConcrete (template: string, concrete: string): boolean {
  const t = template.split('/').filter(Boolean)
  const c = concrete.split('/').filter(Boolean)
  return t.length === c.length && t.every((seg, i) => seg.startsWith('{') || seg.toLowerCase() === c[i])
}
