/** How much of a question one operation covers: `high` (all of what matters), `medium` (part of it) or `low` (little or the wrong kind). */
export type Confidence = 'high' | 'medium' | 'low'

/** How well the best operation answers the question: `strong`, `weak` (partly) or `none` (no operation does it). */
export type MatchStrength = 'strong' | 'weak' | 'none'

/** One ranked answer of `searchOperations`. */
export interface SearchHit {
  method: string
  path: string
  operationId: string
  summary: string
  tag: string
  /** Absolute: how much of the question this operation covers, and whether it does the kind of thing asked. */
  confidence: Confidence
  mutating: boolean
}

/** Ranked operations for a question, how well the best one answers it, and a hint when it is weak or nothing fits. */
export interface SearchResult {
  match: MatchStrength
  results: SearchHit[]
  total: number
  hint?: string
}

/** Options of `searchOperations`. */
export interface SearchOptions {
  /** How many hits to return (1-50, default 10). */
  limit?: number
  /** Keep only operations with this HTTP method. */
  method?: string
}

/** Longest query looked at; the tool's input schema caps queries at 1,000 characters. */
export const MAX_QUERY_LENGTH = 1000
/** Most meaningful words read from one question: the rest is noise, and each word costs fuzzy matching. */
export const MAX_TERMS = 64

/** The kind of thing a question asks for: to read, create, change or delete something, or to act on it. */
export type QueryIntent = 'read' | 'create' | 'change' | 'delete' | 'action'
