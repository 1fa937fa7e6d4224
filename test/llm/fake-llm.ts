import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import type { LlmConfig } from '../../src/llm/config.js'

/** One request the fake server received. */
export interface Recorded {
  method: string
  url: string
  headers: IncomingMessage['headers']
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: any
}

/** What the fake server does with a request (after recording it). */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: any) => void | Promise<void>

/** A fake OpenAI-compatible server on 127.0.0.1, closed when the test ends. */
export interface FakeLlm {
  /** The base URL to configure, ending in /v1. */
  baseUrl: string
  requests: Recorded[]
  /** An LlmConfig pointing at it. */
  config: (extra?: Partial<LlmConfig>) => LlmConfig
}

/** Starts a fake OpenAI-compatible chat server on port 0 that records every request and answers with `behaviour`. */
export async function startFakeLlm (t: TestContext, behaviour: Behaviour): Promise<FakeLlm> {
  const requests: Recorded[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try { body = JSON.parse(text) } catch {}
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      Promise.resolve(behaviour(req, res, body)).catch((err: unknown) => {
        res.destroy(err as Error)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return {
    baseUrl,
    requests,
    config: (extra = {}) => ({ baseUrl, model: 'fake-model', timeoutMs: 5000, ...extra })
  }
}

/** A base URL on which nothing listens (a port that was just freed). */
export async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}/v1`
}

/** A non-streamed chat completion with this answer text. */
export function completion (content: string | null, model = 'fake-model-v1', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }] }
}

/** One SSE event carrying a chat completion chunk with this delta text. */
export function deltaEvent (content: string, finishReason: string | null = null, model = 'fake-model-v1'): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content }, finish_reason: finishReason }] })}\n\n`
}

/** The closing events of a normal stream: a finish_reason chunk and [DONE]. */
export const STREAM_END = `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'fake-model-v1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`

/** Answers JSON with a status. */
export function sendJson (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Starts an SSE answer (headers only). */
export function startEvents (res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  res.flushHeaders()
}

/** A promise with its resolve function, for letting the server and the test take turns. */
export function turn<T = void> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((_resolve) => { resolve = _resolve })
  return { promise, resolve }
}

/** The user message the fake server was sent in its n-th request. */
export function userMessage (request: Recorded | undefined): string {
  const messages = (request?.body?.messages ?? []) as Array<{ role: string, content: string }>
  return messages.find((m) => m.role === 'user')?.content ?? ''
}
