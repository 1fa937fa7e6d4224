import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { llmBadResponse, messageOf, scrubSecret, StreamScrubber, type LlmCallSite } from './errors.js'
import { ThinkFilter } from './think-filter.js'

/** A complete answer of the chat server. */
export interface ChatAnswer {
  /** The answer text: reasoning blocks dropped, the API key scrubbed, trailing white space trimmed. */
  content: string
  /** The model the server says answered (the configured name when it does not say). */
  model: string
  /** `stop`, `length`, …, when the server gave one. */
  finishReason?: string
}

/** How an answer is read: who gets the text as it arrives and what must never be passed on. */
export interface AnswerOptions {
  site: LlmCallSite
  secret?: string
  onDelta?: (text: string) => void
}

/** Longest answer accepted; a model stuck repeating itself is stopped here rather than at the deadline. */
export const MAX_ANSWER_CHARS = 64_000
// One SSE event (a JSON chunk with one delta) is a few hundred bytes; anything near this is not a chat stream.
const MAX_EVENT_CHARS = 1024 * 1024

/** Gathers answer text from deltas: drops reasoning, scrubs the key, passes each safe piece on at once. */
class AnswerText {
  readonly #think = new ThinkFilter()
  readonly #scrub: StreamScrubber
  readonly #options: AnswerOptions
  #text = ''
  #raw = 0

  constructor (options: AnswerOptions) {
    this.#options = options
    this.#scrub = new StreamScrubber(options.secret)
  }

  add (delta: string): void {
    this.#raw += delta.length
    if (this.#raw > MAX_ANSWER_CHARS) {
      throw llmBadResponse(this.#options.site, `sent an answer longer than ${MAX_ANSWER_CHARS} characters; it was stopped there.`)
    }
    this.#out(this.#scrub.push(this.#think.push(delta)))
  }

  /** The whole answer; throws LLM_BAD_RESPONSE when there is no answer text. */
  finish (finishReason: string | undefined, sawReasoning: boolean): string {
    this.#out(this.#scrub.push(this.#think.end()))
    this.#out(this.#scrub.end())
    const content = this.#text.trimEnd()
    if (content.trim() === '') {
      const thought = sawReasoning || this.#think.sawThinking
      const why = thought ? ' (only reasoning, no answer: the model may have run out of tokens while thinking)' : ''
      throw llmBadResponse(this.#options.site, `sent an empty answer${why}${finishReason === undefined ? '' : `, finish_reason ${finishReason}`}.`, { finishReason })
    }
    return content
  }

  #out (text: string): void {
    if (text === '') return
    this.#text += text
    this.#options.onDelta?.(text)
  }
}

interface ChoiceChunk {
  model?: unknown
  error?: unknown
  choices?: Array<{
    delta?: { content?: unknown, reasoning_content?: unknown, reasoning?: unknown }
    message?: { content?: unknown, reasoning_content?: unknown, reasoning?: unknown }
    finish_reason?: unknown
  }>
}

/**
 * Reads a streamed (server-sent events) chat completion: bytes decoded with a streaming UTF-8 decoder, so a character
 * split between chunks is joined, and events parsed by eventsource-parser, so an event split between chunks is too.
 * Throws LLM_BAD_RESPONSE for malformed events, an error event, an empty answer, or a stream that ends without
 * `[DONE]` or a finish_reason (cut mid-way).
 */
export async function readChatStream (body: AsyncIterable<Uint8Array>, fallbackModel: string, options: AnswerOptions): Promise<ChatAnswer> {
  const site = options.site
  const text = new AnswerText(options)
  const decoder = new TextDecoder('utf-8')
  let model: string | undefined
  let finishReason: string | undefined
  let sawReasoning = false
  let done = false
  let failure: Error | undefined

  const onEvent = (event: EventSourceMessage): void => {
    if (done || failure !== undefined) return
    if (event.data.trim() === '[DONE]') {
      done = true
      return
    }
    let chunk: ChoiceChunk
    try {
      chunk = JSON.parse(event.data) as ChoiceChunk
    } catch {
      failure = llmBadResponse(site, `sent a stream event that is not JSON: ${JSON.stringify(scrubSecret(event.data, options.secret).slice(0, 200))}.`)
      return
    }
    if (chunk === null || typeof chunk !== 'object') {
      failure = llmBadResponse(site, 'sent a stream event that is not a chat completion chunk.')
      return
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      failure = llmBadResponse(site, `reported an error mid-answer: ${scrubSecret(messageOf(chunk.error) ?? 'no message', options.secret)}.`)
      return
    }
    if (typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined
    const delta = choice?.delta
    if (present(delta?.reasoning_content) || present(delta?.reasoning)) sawReasoning = true
    if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason
    if (typeof delta?.content === 'string' && delta.content !== '') {
      try {
        text.add(delta.content)
      } catch (err) {
        failure = err as Error
      }
    }
  }
  const parser = createParser({
    onEvent,
    onError (err) {
      if (err.type === 'max-buffer-size-exceeded') failure = llmBadResponse(site, `sent a stream event larger than ${MAX_EVENT_CHARS} characters.`)
    },
    maxBufferSize: MAX_EVENT_CHARS
  })

  let endsWithNewline = false
  for await (const bytes of body) {
    const piece = decoder.decode(bytes, { stream: true })
    if (piece !== '') endsWithNewline = /[\r\n]$/.test(piece)
    parser.feed(piece)
    if (failure !== undefined) throw failure
    // Stop at [DONE]: a server that then holds the connection open must not run the call into its deadline.
    if (done) break
  }
  if (!done) {
    const rest = decoder.decode()
    if (rest !== '') endsWithNewline = /[\r\n]$/.test(rest)
    parser.feed(rest)
    // A last event whose line is complete but lacks the blank line after it is still whole; a partial line is not.
    if (endsWithNewline) parser.feed('\n')
    if (failure !== undefined) throw failure
  }
  if (!done && finishReason === undefined) {
    throw llmBadResponse(site, 'ended the stream mid-answer (no [DONE] and no finish_reason); the server may have stopped or run out of memory.')
  }
  return { content: text.finish(finishReason, sawReasoning), model: model ?? fallbackModel, finishReason }
}

/** Reads a non-streamed chat completion (`choices[0].message.content`); the text goes to onDelta in one piece. */
export function parseChatCompletion (body: string, fallbackModel: string, options: AnswerOptions): ChatAnswer {
  const site = options.site
  let parsed: ChoiceChunk
  try {
    parsed = JSON.parse(body) as ChoiceChunk
  } catch {
    throw llmBadResponse(site, `sent an answer that is not JSON: ${JSON.stringify(scrubSecret(body, options.secret).slice(0, 200))}.`)
  }
  if (parsed === null || typeof parsed !== 'object') throw llmBadResponse(site, 'sent an answer that is not a chat completion.')
  if (parsed.error !== undefined && parsed.error !== null) {
    throw llmBadResponse(site, `reported an error: ${scrubSecret(messageOf(parsed.error) ?? 'no message', options.secret)}.`)
  }
  const choice = Array.isArray(parsed.choices) ? parsed.choices[0] : undefined
  if (choice === undefined || choice.message === null || typeof choice.message !== 'object') {
    throw llmBadResponse(site, 'sent a chat completion without choices[0].message.')
  }
  const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined
  const text = new AnswerText(options)
  const content = choice.message.content
  if (typeof content === 'string') text.add(content)
  const sawReasoning = present(choice.message.reasoning_content) || present(choice.message.reasoning)
  return {
    content: text.finish(finishReason, sawReasoning),
    model: typeof parsed.model === 'string' && parsed.model !== '' ? parsed.model : fallbackModel,
    finishReason
  }
}

// Some servers send `reasoning_content: null` on every chunk; only real reasoning text counts.
function present (value: unknown): boolean {
  return value !== undefined && value !== null && value !== ''
}
