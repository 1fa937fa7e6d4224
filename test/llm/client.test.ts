import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAppError, type AppError } from '../../src/errors/app-error.js'
import { readChatStream } from '../../src/llm/answer.js'
import { LlmClient, type ChatMessage } from '../../src/llm/client.js'
import { readLlmConfig } from '../../src/llm/config.js'
import { mapLlmError, StreamScrubber } from '../../src/llm/errors.js'
import { captureLogs } from '../helper.js'
import { closedPortUrl, completion, deltaEvent, sendJson, startEvents, startFakeLlm, STREAM_END, turn } from './fake-llm.js'

const MESSAGES: ChatMessage[] = [{ role: 'system', content: 'rules' }, { role: 'user', content: 'question' }]
const KEY = 'sk-test-Zq9vX2rT7pLm4nB8'
const SITE = { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs: 1000 }

async function failure (promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    assert.ok(isAppError(err), `an AppError, got ${String(err)}`)
    return err
  }
  assert.fail('expected the call to fail')
}

async function * pieces (...chunks: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c
}

test('a plain answer: POST {base}/chat/completions with the model, messages, bearer key and stream false', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('Use POST /VirDomain/action.')))
  const client = new LlmClient(llm.config({ apiKey: KEY }))
  t.after(() => client.close())
  const answer = await client.chat(MESSAGES)
  assert.deepEqual(answer, { content: 'Use POST /VirDomain/action.', model: 'fake-model-v1', finishReason: 'stop' })
  const sent = llm.requests[0]
  assert.equal(sent?.method, 'POST')
  assert.equal(sent?.url, '/v1/chat/completions')
  assert.equal(sent?.headers.authorization, `Bearer ${KEY}`)
  assert.equal(sent?.body.model, 'fake-model')
  assert.equal(sent?.body.stream, false)
  assert.deepEqual(sent?.body.messages, MESSAGES)
})

test('no key configured: no Authorization header at all', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('ok')))
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  await client.chat(MESSAGES)
  assert.equal(llm.requests[0]?.headers.authorization, undefined)
})

test('a streamed answer arrives piece by piece and is assembled in order', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => {
    startEvents(res)
    res.end(deltaEvent('Power on ') + deltaEvent('with ') + deltaEvent('POST /VirDomain/action.') + STREAM_END)
  })
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  const seen: string[] = []
  const answer = await client.chat(MESSAGES, { onDelta: (text) => seen.push(text) })
  assert.equal(llm.requests[0]?.body.stream, true)
  assert.equal(llm.requests[0]?.headers.accept, 'text/event-stream')
  assert.equal(seen.join(''), 'Power on with POST /VirDomain/action.')
  assert.equal(answer.content, 'Power on with POST /VirDomain/action.')
  assert.equal(answer.finishReason, 'stop')
})

test('over the wire: a UTF-8 character split between two network chunks is joined', async (t) => {
  const firstSeen = turn()
  const event = Buffer.from(deltaEvent('Café ☕ naïve'))
  // Cut inside the three bytes of ☕: the first chunk also completes an event, so the client has read it before the rest is sent.
  const cut = event.indexOf(Buffer.from('☕')) + 1
  const llm = await startFakeLlm(t, async (_req, res) => {
    startEvents(res)
    res.write(Buffer.concat([Buffer.from(deltaEvent('Hi. ')), event.subarray(0, cut)]))
    await firstSeen.promise
    res.end(Buffer.concat([event.subarray(cut), Buffer.from(STREAM_END)]))
  })
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  const seen: string[] = []
  const answer = await client.chat(MESSAGES, {
    onDelta (text) {
      seen.push(text)
      firstSeen.resolve()
    }
  })
  assert.deepEqual(seen, ['Hi. ', 'Café ☕ naïve'])
  assert.equal(answer.content, 'Hi. Café ☕ naïve')
  assert.doesNotMatch(answer.content, /\uFFFD/)
})

test('stream parsing: events split anywhere across chunks, bytes split inside characters, CRLF lines, comments', async () => {
  const wire = Buffer.from(': keep-alive\r\n\r\n' + deltaEvent('Ünïcödé ').replace(/\n/g, '\r\n') + deltaEvent('→ 🚀 done') + STREAM_END)
  // Every split point: one byte at a time is the hardest case for both the decoder and the event parser.
  const bytes = [...wire].map((b) => Uint8Array.of(b))
  const seen: string[] = []
  const answer = await readChatStream(pieces(...bytes), 'm', { site: SITE, onDelta: (text) => seen.push(text) })
  assert.equal(answer.content, 'Ünïcödé → 🚀 done')
  assert.equal(seen.join(''), 'Ünïcödé → 🚀 done')
  for (const cut of [1, 7, 20, wire.length - 3]) {
    const split = await readChatStream(pieces(wire.subarray(0, cut), wire.subarray(cut)), 'm', { site: SITE })
    assert.equal(split.content, 'Ünïcödé → 🚀 done')
  }
})

test('stream endings: finish_reason without [DONE] is complete; [DONE] without blank line is too; a partial event is a cut', async () => {
  const finishOnly = await readChatStream(pieces(deltaEvent('a'), deltaEvent('b', 'stop')), 'm', { site: SITE })
  assert.equal(finishOnly.content, 'ab')
  const doneNoBlank = await readChatStream(pieces(deltaEvent('a'), 'data: [DONE]\n'), 'm', { site: SITE })
  assert.equal(doneNoBlank.content, 'a')
  const cut = await failure(readChatStream(pieces(deltaEvent('a'), 'data: {"choices":[{"delta":{"content":"b'), 'm', { site: SITE }))
  assert.equal(cut.code, 'LLM_BAD_RESPONSE')
  const noEnd = await failure(readChatStream(pieces(deltaEvent('a'), deltaEvent('b')), 'm', { site: SITE }))
  assert.equal(noEnd.code, 'LLM_BAD_RESPONSE')
  assert.match(noEnd.message, /mid-answer/)
})

test('a server that ignores stream:true and answers JSON still streams the answer in one piece', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('whole answer')))
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  const seen: string[] = []
  assert.equal((await client.chat(MESSAGES, { onDelta: (text) => seen.push(text) })).content, 'whole answer')
  assert.deepEqual(seen, ['whole answer'])
})

test('reasoning in <think> is neither streamed nor returned; reasoning only is an empty answer', async (t) => {
  const llm = await startFakeLlm(t, (_req, res, body) => {
    if (body.stream === false) return sendJson(res, 200, completion('<think>plan: cite it</think>\n\nUse GET /VirDomain.'))
    startEvents(res)
    if (body.messages[1].content === 'only') {
      res.end(deltaEvent('<think>hmm') + deltaEvent(' still thinking', 'length') + 'data: [DONE]\n\n')
      return
    }
    res.end(deltaEvent('<thi') + deltaEvent('nk>the user wants VMs</th') + deltaEvent('ink>\n\nUse ') + deltaEvent('GET /VirDomain.') + STREAM_END)
  })
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  assert.equal((await client.chat(MESSAGES)).content, 'Use GET /VirDomain.')
  const seen: string[] = []
  assert.equal((await client.chat(MESSAGES, { onDelta: (text) => seen.push(text) })).content, 'Use GET /VirDomain.')
  assert.equal(seen.join(''), 'Use GET /VirDomain.')
  const only = await failure(client.chat([MESSAGES[0] as ChatMessage, { role: 'user', content: 'only' }], { onDelta () {} }))
  assert.equal(only.code, 'LLM_BAD_RESPONSE')
  assert.match(only.message, /only reasoning/)
})

test('connection refused (a closed port): LLM_UNREACHABLE naming the URL', async () => {
  const baseUrl = await closedPortUrl()
  const client = new LlmClient({ baseUrl, model: 'm', timeoutMs: 5000 })
  const err = await failure(client.chat(MESSAGES))
  assert.equal(err.code, 'LLM_UNREACHABLE')
  assert.equal(err.statusCode, 502)
  assert.ok(err.message.includes(baseUrl))
  assert.equal((await failure(client.chat(MESSAGES, { onDelta () {} }))).code, 'LLM_UNREACHABLE')
  await client.close()
})

test('DNS failures map to LLM_UNREACHABLE too', () => {
  for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
    const err = mapLlmError(Object.assign(new Error('getaddrinfo'), { code }), SITE, { timedOut: false, cancelled: false })
    assert.equal(err.code, 'LLM_UNREACHABLE')
  }
})

test('a server that never answers: LLM_TIMEOUT after LLM_TIMEOUT_MS', async (t) => {
  const llm = await startFakeLlm(t, () => {})
  const config = readLlmConfig({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'm', LLM_TIMEOUT_MS: '150' })
  assert.ok(config !== undefined)
  const client = new LlmClient(config)
  t.after(() => client.close())
  const err = await failure(client.chat(MESSAGES))
  assert.equal(err.code, 'LLM_TIMEOUT')
  assert.equal(err.statusCode, 504)
  assert.match(err.message, /150 ms/)
})

test('the deadline covers the body: a stream that stalls after its first words times out', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => {
    startEvents(res)
    res.write(deltaEvent('The answer is '))
  })
  const client = new LlmClient(llm.config({ timeoutMs: 150 }))
  t.after(() => client.close())
  const seen: string[] = []
  const err = await failure(client.chat(MESSAGES, { onDelta: (text) => seen.push(text) }))
  assert.equal(err.code, 'LLM_TIMEOUT')
  assert.deepEqual(seen, ['The answer is '])
})

test('the caller cancels mid-stream: LLM_CANCELLED at once', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => {
    startEvents(res)
    res.write(deltaEvent('Partial '))
  })
  const client = new LlmClient(llm.config({ timeoutMs: 60_000 }))
  t.after(() => client.close())
  const controller = new AbortController()
  const err = await failure(client.chat(MESSAGES, { signal: controller.signal, onDelta: () => controller.abort() }))
  assert.equal(err.code, 'LLM_CANCELLED')
  const before = new AbortController()
  before.abort()
  assert.equal((await failure(client.chat(MESSAGES, { signal: before.signal }))).code, 'LLM_CANCELLED')
})

test('non-2xx answers: LLM_BAD_RESPONSE with the status, the server\'s own message and a hint', async (t) => {
  const llm = await startFakeLlm(t, (_req, res, body) => {
    const q = body.messages[0].content as string
    if (q === '404') return sendJson(res, 404, { error: { message: 'model "fake-model" not found, try pulling it first', type: 'not_found' } })
    if (q === '401') return sendJson(res, 401, { error: 'invalid api key' })
    res.writeHead(500, { 'content-type': 'text/plain' })
    res.end('CUDA out of memory')
  })
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  const ask = (q: string): Promise<AppError> => failure(client.chat([{ role: 'user', content: q }]))
  const notFound = await ask('404')
  assert.equal(notFound.code, 'LLM_BAD_RESPONSE')
  assert.match(notFound.message, /answered 404: model "fake-model" not found/)
  assert.match(notFound.message, /ollama pull fake-model/)
  assert.equal((notFound.details as { status: number }).status, 404)
  const unauthorised = await ask('401')
  assert.match(unauthorised.message, /invalid api key.*LLM_API_KEY/)
  const crashed = await ask('500')
  assert.match(crashed.message, /answered 500: CUDA out of memory/)
  assert.equal(crashed.statusCode, 502)
})

test('malformed and empty answers: LLM_BAD_RESPONSE', async (t) => {
  const answers: Record<string, (res: import('node:http').ServerResponse) => void> = {
    'not json': (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"choices": [') },
    'no choices': (res) => sendJson(res, 200, { object: 'chat.completion', choices: [] }),
    'null content': (res) => sendJson(res, 200, completion(null)),
    'blank content': (res) => sendJson(res, 200, completion('  \n ')),
    'error body on 200': (res) => sendJson(res, 200, { error: { message: 'context length exceeded' } }),
    'bad event': (res) => { startEvents(res); res.end(deltaEvent('ok ') + 'data: {not json}\n\n') },
    'error event': (res) => { startEvents(res); res.end(deltaEvent('ok ') + `data: ${JSON.stringify({ error: { message: 'model crashed' } })}\n\n`) },
    'empty stream': (res) => { startEvents(res); res.end(STREAM_END) },
    'stream ends early': (res) => { startEvents(res); res.end(deltaEvent('The first half')) },
    'stream killed': (res) => { startEvents(res); res.write(deltaEvent('The first half'), () => res.destroy()) }
  }
  const llm = await startFakeLlm(t, (_req, res, body) => { answers[body.messages[0].content as string]?.(res) })
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  for (const name of Object.keys(answers)) {
    const stream = name.includes('stream') || name.includes('event')
    const err = await failure(client.chat([{ role: 'user', content: name }], stream ? { onDelta () {} } : {}))
    assert.equal(err.code, 'LLM_BAD_RESPONSE', name)
    assert.equal(err.statusCode, 502, name)
  }
})

test('the API key never reaches logs, errors or answers, even when the server echoes it', async (t) => {
  const llm = await startFakeLlm(t, (req, res, body) => {
    const auth = String(req.headers.authorization)
    const q = body.messages[0].content as string
    if (q === 'error') return sendJson(res, 401, { error: { message: `key rejected: ${auth}` } })
    if (q === 'plain') return sendJson(res, 200, completion(`You sent ${auth} to me.`))
    startEvents(res)
    // The key split across two events: a scrubber that looks at each piece alone would let it through.
    res.end(deltaEvent(`Echo: Bearer ${KEY.slice(0, 9)}`) + deltaEvent(`${KEY.slice(9)} end`) + STREAM_END)
  })
  const logs = captureLogs('trace')
  const client = new LlmClient(llm.config({ apiKey: KEY }), { log: logs.logger })
  t.after(() => client.close())
  const err = await failure(client.chat([{ role: 'user', content: 'error' }]))
  assert.equal(err.code, 'LLM_BAD_RESPONSE')
  assert.match(err.message, /key rejected: Bearer \[redacted\]/)
  const plain = await client.chat([{ role: 'user', content: 'plain' }])
  assert.equal(plain.content, 'You sent Bearer [redacted] to me.')
  const seen: string[] = []
  const streamed = await client.chat([{ role: 'user', content: 'stream' }], { onDelta: (text) => seen.push(text) })
  assert.equal(streamed.content, 'Echo: Bearer [redacted] end')
  assert.equal(seen.join(''), streamed.content)
  const everything = [logs.text(), err.message, JSON.stringify(err.details), JSON.stringify(err), plain.content, streamed.content, seen.join('')].join('\n')
  assert.ok(logs.lines.length >= 3, 'the calls were logged')
  assert.equal(everything.includes(KEY), false)
  assert.equal(everything.includes(KEY.slice(0, 12)), false)
  assert.equal(llm.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`), true)
})

test('StreamScrubber passes text through at once unless it could be the start of the key', () => {
  const s = new StreamScrubber('secret-key')
  assert.equal(s.push('hello '), 'hello ')
  assert.equal(s.push('sec'), '')
  assert.equal(s.push('ret-k'), '')
  assert.equal(s.push('ey and sec'), '[redacted] and ')
  assert.equal(s.push('ond'), 'second')
  assert.equal(s.push(' sec'), ' ')
  assert.equal(s.end(), 'sec')
  assert.equal(new StreamScrubber(undefined).push('secret-key'), 'secret-key')
})
