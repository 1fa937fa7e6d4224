import type { Catalog } from '../catalog.js'
import type { Analysed } from './analyse.js'
import type { Index } from './build-index.js'
import { rank, type Lacking } from './rank.js'
import { MAX_TERMS, type SearchHit } from './types.js'
import { STOPWORDS } from './words.js'

/** The hint of a partial match: the words no result covers, and to check before calling. */
export function weakHint (missing: string[]): string {
  const words = missing.length > 0 ? ` (not covered: ${missing.slice(0, 6).join(', ')})` : ''
  return `Only a partial match${words}: check each result's summary, or describe_endpoint, before calling one.`
}

const ASKED: Record<string, string> = { create: 'create', change: 'edit', delete: 'delete', action: 'action' }

/** The hint when what is asked is a change the resource has no operation for: what it does have, and what to do. */
export function lackingHint (lacking: Lacking): string {
  const what = lacking.intents.map((i) => ASKED[i] ?? i).join(' or ')
  const readOnly = lacking.methods.every((m) => m === 'GET')
  const has = readOnly ? 'it can only be read (GET)' : `it has only ${lacking.methods.join(', ')}`
  const they = lacking.resources.length > 1
  return `${lacking.resources.join(', ')} ${they ? 'have' : 'has'} no ${what} operation in this API: ${they ? has.replace(/^it can/, 'they can').replace(/^it has/, 'they have') : has}. Nothing here does what was asked; the results are the nearest real operations, not answers.`
}

/** The hint when no operation does what is asked: why (a method filter, a topic the API lacks) and the closest areas. */
export function noMatchHint (catalog: Catalog, index: Index, query: string, method: string | undefined, hits: SearchHit[], analysed?: Analysed): string {
  const shown = query.length > 60 ? `${query.slice(0, 57)}...` : query
  if (method !== undefined) {
    const unfiltered = rank(index, query, undefined).hits
    if (unfiltered.length > 0 && unfiltered[0]?.method !== method) {
      const methods = [...new Set(unfiltered.slice(0, 5).map((h) => h.method))].join(', ')
      return `No ${method} operation matches "${shown}"; without the method filter ${unfiltered.length} do (best: ${unfiltered[0]?.method} ${unfiltered[0]?.path}, methods ${methods}).`
    }
  }
  const gap = analysed?.unsupported[0]
  const tags = [...new Set([...(gap?.areas ?? []), ...hits.slice(0, 5).map((h) => h.tag), ...(hits.length === 0 ? closestTags(index, query) : [])])].slice(0, 3)
  const areas = tags.length > 0 ? `Closest areas: ${tags.join(', ')}.` : `Nothing is close; the areas are ${catalog.tags.join(', ')}.`
  const what = gap !== undefined ? ` ${gap.note}` : ''
  const results = hits.length > 0 ? ' The results are only the nearest operations, not answers.' : ''
  return `No operation does "${shown}".${what} ${areas}${results} Rephrase in plain words ("list VMs", "add a disk to a VM") or give a path such as /VirDomain.`
}

// With nothing ranked, a looser search still says which areas the words are nearest to.
function closestTags (index: Index, query: string): string[] {
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && w.length <= 40 && !STOPWORDS.has(w)).slice(0, MAX_TERMS)
  const counts = new Map<string, number>()
  if (words.length > 0) {
    const loose = index.search.search(words.join(' '), { prefix: true, fuzzy: 0.34 })
    for (const r of loose) {
      const tag = index.operations[r.id as number]?.tag
      if (tag !== undefined) counts.set(tag, (counts.get(tag) ?? 0) + r.score)
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([tag]) => tag).slice(0, 3)
}
