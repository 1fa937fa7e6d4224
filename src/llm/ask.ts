import type { Catalog } from '../catalog/catalog.js'
import type { Log } from '../observe/logger.js'
import type { ChatMessage, LlmClient } from './client.js'
import { buildAskContext, type AskContext, type ContextOperation, type MatchStrength } from './context.js'

/** An endpoint an answer relies on. */
export interface AskSource {
  method: string
  path: string
}

/** The answer to a question about the API. */
export interface AskAnswer {
  answer: string
  /** The operations given to the model that the answer cites; all of them when it cites none. */
  sources: AskSource[]
  /** The model that wrote the answer; empty when `ask` answered by itself (nothing matched, no model was asked). */
  model: string
  /** How well the catalogue search matched the question. */
  match: MatchStrength
}

/** Options of `askQuestion`. */
export interface AskOptions {
  /** Operations to retrieve (default 5). */
  limit?: number
  /** Character budget of the context (default 6,000). */
  budget?: number
  /** Streams the answer: each piece of text as it arrives. */
  onDelta?: (text: string) => void
  signal?: AbortSignal
  log?: Log
}

/** The system prompt: answer from the context only, cite endpoints as METHOD /path, say when it is not covered. */
export const SYSTEM_PROMPT = [
  'You answer questions about the Scale Computing HyperCore REST API (every path is under /rest/v1).',
  'Answer only from the API operations in the context the user message gives; never invent endpoints, fields or values.',
  'Cite every operation you rely on as METHOD /path, exactly as written in the context (for example: POST /VirDomain/action).',
  'If the context does not cover the question, say plainly that the API catalogue context does not cover it, and stop.',
  'Be brief: a few sentences, then an example request body from the context when one helps.'
].join('\n')

/**
 * Answers a question about the HyperCore API: retrieves the matching operations, gives them to the model as a
 * bounded context, and returns the model's answer with the endpoints it cites. When the search matches nothing the
 * model is not asked: a model told to answer only from an empty context can only say it does not know (or make
 * something up), so `ask` says so itself, with the search's advice, at once.
 */
export async function askQuestion (catalog: Catalog, client: LlmClient, question: string, options: AskOptions = {}): Promise<AskAnswer> {
  const context = buildAskContext(catalog, question, { limit: options.limit, budget: options.budget })
  if (context.match === 'none' || context.operations.length === 0) {
    const answer = notCovered(context)
    options.onDelta?.(answer)
    return { answer, sources: [], model: '', match: context.match }
  }
  const reply = await client.chat(chatMessages(question, context), { onDelta: options.onDelta, signal: options.signal, log: options.log })
  return { answer: reply.content, sources: citedSources(reply.content, context.operations), model: reply.model, match: context.match }
}

/** The messages sent for a question: the rules, then the context and the question. */
export function chatMessages (question: string, context: AskContext): ChatMessage[] {
  const caution = context.match === 'weak'
    ? '\n\nNote: the catalogue search matched this question only weakly; these operations may not cover it.'
    : ''
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `Context (HyperCore API operations):\n\n${context.text}${caution}\n\nQuestion: ${question}` }
  ]
}

function notCovered (context: AskContext): string {
  // The search's hint speaks of its result list, which ask does not show.
  const hint = context.hint?.replace(/\s*The results are only the nearest operations, not answers\./, '')
  return `The HyperCore API catalogue does not cover this question, so no model was asked.${hint === undefined ? '' : ` ${hint}`}`
}

const CITATION = /\b(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD)\s+`?((?:\/[^\s`'"),;\]]*)+)/gi

/**
 * The given operations an answer cites as METHOD /path (case-insensitive, with or without /rest/v1, any name or value
 * in a `{param}` place), in the order the answer cites them; every given operation when it cites none, since the
 * answer then rests on the context as a whole.
 */
export function citedSources (answer: string, given: ContextOperation[]): AskSource[] {
  const cited: AskSource[] = []
  for (const m of answer.matchAll(CITATION)) {
    const method = (m[1] as string).toUpperCase()
    const path = (m[2] as string).replace(/^\/rest\/v1(?=\/)/i, '').replace(/[.:]+$/, '').replace(/\/+$/, '')
    // "/VirDomain/action" fits both /VirDomain/action and /VirDomain/{virDomainUUID}: the literal template wins.
    const op = given
      .filter((g) => g.method === method && samePath(g.path, path))
      .sort((a, b) => params(a.path) - params(b.path))[0]
    if (op !== undefined && !cited.some((c) => c.method === op.method && c.path === op.path)) cited.push({ method: op.method, path: op.path })
  }
  return cited.length > 0 ? cited : given.map((g) => ({ method: g.method, path: g.path }))
}

function samePath (template: string, written: string): boolean {
  const t = template.split('/').filter(Boolean)
  const w = written.split('/').filter(Boolean)
  return t.length === w.length && t.every((seg, i) => {
    const other = w[i] as string
    if (seg.startsWith('{')) return true
    return seg.toLowerCase() === other.toLowerCase()
  })
}

function params (template: string): number {
  return template.split('/').filter((seg) => seg.startsWith('{')).length
}
