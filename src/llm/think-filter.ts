const OPEN = '<think>'
const CLOSE = '</think>'

/**
 * Drops a leading `<think>…</think>` block from an answer that arrives in pieces. Reasoning models (Qwen3, DeepSeek-R1)
 * served through some OpenAI-compatible endpoints put their reasoning inline there; it is not the answer and it is
 * not grounded in the context, so it is neither shown nor returned. Only a block at the very start counts.
 */
export class ThinkFilter {
  #state: 'start' | 'thinking' | 'answer' = 'start'
  #buffer = ''
  /** Drop white space between the reasoning and the answer. */
  #trimNext = false
  #thought = false

  /** True once a reasoning block was seen (for explaining an empty answer). */
  get sawThinking (): boolean {
    return this.#thought
  }

  /** The part of the text that is answer and can be passed on now. */
  push (text: string): string {
    if (this.#state === 'answer') return this.#emit(text)
    this.#buffer += text
    if (this.#state === 'start') {
      const lead = this.#buffer.trimStart()
      if (lead.startsWith(OPEN)) {
        this.#state = 'thinking'
        this.#thought = true
        this.#buffer = lead.slice(OPEN.length)
      } else if (OPEN.startsWith(lead)) {
        return ''
      } else {
        this.#state = 'answer'
        const all = this.#buffer
        this.#buffer = ''
        return this.#emit(all)
      }
    }
    const end = this.#buffer.indexOf(CLOSE)
    if (end === -1) {
      // Keep just enough to recognise a closing tag split across pieces.
      this.#buffer = this.#buffer.slice(-(CLOSE.length - 1))
      return ''
    }
    const rest = this.#buffer.slice(end + CLOSE.length)
    this.#buffer = ''
    this.#state = 'answer'
    this.#trimNext = true
    return this.#emit(rest)
  }

  /** What is left when the answer is complete. */
  end (): string {
    if (this.#state === 'start') {
      const rest = this.#buffer
      this.#buffer = ''
      this.#state = 'answer'
      return this.#emit(rest)
    }
    return ''
  }

  #emit (text: string): string {
    if (!this.#trimNext) return text
    const trimmed = text.trimStart()
    if (trimmed !== '') this.#trimNext = false
    return trimmed
  }
}
