import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { runAsk, type AskIo } from '../../src/llm/cli.js'
import { projectRoot } from '../../src/lib/paths.js'
import { closedPortUrl, completion, deltaEvent, sendJson, startEvents, startFakeLlm, STREAM_END, turn } from './fake-llm.js'

const KEY = 'sk-cli-P4ssW0rdLike9876'

/** An io that records what the command writes; `onOut` sees each stdout write as it happens. */
function recorder (env: Record<string, string>, options: { tty?: boolean, onOut?: (text: string) => void } = {}) {
  const out: string[] = []
  const err: string[] = []
  const io: AskIo = {
    stdout: { write (text: string) { out.push(text); options.onOut?.(text) } },
    stderr: { write (text: string) { err.push(text) }, isTTY: options.tty === true },
    env,
    signal: new AbortController().signal
  }
  return { io, out, err, stdout: () => out.join(''), stderr: () => err.join('') }
}

test('ask streams the answer to stdout as it arrives, then prints the sources', async (t) => {
  const firstWords = turn()
  const llm = await startFakeLlm(t, async (_req, res) => {
    startEvents(res)
    res.write(deltaEvent('To power on a VM, send '))
    // The rest is sent only once the first words are on stdout: printing them must not wait for the whole answer.
    await firstWords.promise
    res.end(deltaEvent('POST /VirDomain/action with actionType START.') + STREAM_END)
  })
  const rec = recorder({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', LLM_API_KEY: KEY }, { onOut: () => firstWords.resolve() })
  const code = await runAsk(['how', 'do', 'I', 'power', 'on', 'a', 'VM'], rec.io)
  assert.equal(code, 0, rec.stderr())
  assert.equal(rec.out[0], 'To power on a VM, send ')
  assert.equal(rec.out[1], 'POST /VirDomain/action with actionType START.')
  assert.match(rec.stdout(), /START\.\n\nSources:\n {2}POST \/VirDomain\/action {2}Power actions on VMs/)
  assert.match(rec.stdout(), /\(answered by fake-model-v1\)\n$/)
  assert.equal(rec.stderr(), '', 'no spinner when stderr is not a terminal')
  assert.equal(llm.requests[0]?.body.stream, true)
  assert.match(llm.requests[0]?.body.messages[1].content, /Question: how do I power on a VM$/)
  assert.equal((rec.stdout() + rec.stderr()).includes(KEY), false)
})

test('on a terminal, a spinner runs on stderr until the first words and is cleared', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => { startEvents(res); res.end(deltaEvent('List them with GET /VirDomain.') + STREAM_END) })
  const rec = recorder({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model' }, { tty: true })
  assert.equal(await runAsk(['list VMs'], rec.io), 0)
  assert.equal(rec.err[0], '\r\x1b[K⠋ Asking fake-model…')
  assert.equal(rec.err.at(-1), '\r\x1b[K')
  assert.equal(rec.stdout().startsWith('List them with GET /VirDomain.\n\nSources:\n  GET /VirDomain'), true)
})

test('LLM_BASE_URL unset: says how to configure it, with an Ollama example, and exits 1', async () => {
  const rec = recorder({})
  assert.equal(await runAsk(['list VMs'], rec.io), 1)
  assert.match(rec.stderr(), /LLM_BASE_URL is not set/)
  assert.match(rec.stderr(), /ollama pull qwen3:4b/)
  assert.match(rec.stderr(), /LLM_BASE_URL=http:\/\/127\.0\.0\.1:11434\/v1 LLM_MODEL=qwen3:4b/)
  assert.equal(rec.stdout(), '')
})

test('bad configuration and bad usage: a clear message and a non-zero exit', async () => {
  const noModel = recorder({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })
  assert.equal(await runAsk(['list VMs'], noModel.io), 1)
  assert.match(noModel.stderr(), /^Configuration error: LLM_MODEL: is required/)
  const env = { LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'm' }
  const noQuestion = recorder(env)
  assert.equal(await runAsk([], noQuestion.io), 2)
  assert.match(noQuestion.stderr(), /Give a question/)
  const badLimit = recorder(env)
  assert.equal(await runAsk(['--limit', '0', 'list VMs'], badLimit.io), 2)
  assert.match(badLimit.stderr(), /--limit must be a whole number from 1 to 20/)
  const unknown = recorder(env)
  assert.equal(await runAsk(['--frobnicate', 'list VMs'], unknown.io), 2)
  const help = recorder({})
  assert.equal(await runAsk(['--help'], help.io), 0)
  assert.match(help.stdout(), /^Usage: scale-api-helper ask/)
})

test('an unreachable server: exit 1 with the error code and what to check', async () => {
  const rec = recorder({ LLM_BASE_URL: await closedPortUrl(), LLM_MODEL: 'm' }, { tty: true })
  assert.equal(await runAsk(['list VMs'], rec.io), 1)
  assert.match(rec.stderr(), /ask failed \(LLM_UNREACHABLE\): Cannot reach the LLM server at http:\/\/127\.0\.0\.1:\d+\/v1/)
  assert.ok(rec.stderr().includes('\r\x1b[K'), 'the spinner is cleared before the message')
})

test('a stream cut mid-way: the partial answer ends with a newline, then the error', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => { startEvents(res); res.end(deltaEvent('The first half')) })
  const rec = recorder({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'm' })
  assert.equal(await runAsk(['list VMs'], rec.io), 1)
  assert.equal(rec.stdout(), 'The first half\n')
  assert.match(rec.stderr(), /ask failed \(LLM_BAD_RESPONSE\): .*mid-answer/)
})

test('nothing in the catalogue matches: ask says so itself and asks no model', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('unused')))
  const rec = recorder({ LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'm' })
  assert.equal(await runAsk(['zzqx wubble'], rec.io), 0)
  assert.match(rec.stdout(), /^The HyperCore API catalogue does not cover this question, so no model was asked\./)
  assert.match(rec.stdout(), /Sources: none/)
  assert.equal(llm.requests.length, 0)
})

test('scale-api-helper ask runs through the main CLI', { timeout: 60_000 }, async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => { startEvents(res); res.end(deltaEvent('Use GET /Condition.') + STREAM_END) })
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'ask', 'list alerts'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  const [code] = await once(child, 'exit')
  assert.equal(code, 0, err)
  assert.match(out, /^Use GET \/Condition\.\n\nSources:\n {2}GET \/Condition /)
})
