import { parseArgs } from 'node:util'
import { Catalog } from '../catalog/catalog.js'
import { ConfigError, isAppError } from '../errors/app-error.js'
import { askQuestion, type AskAnswer } from './ask.js'
import { LlmClient } from './client.js'
import { DEFAULT_LLM_TIMEOUT_MS, readLlmConfig } from './config.js'
import { DEFAULT_ASK_LIMIT, MAX_ASK_LIMIT } from './context.js'

/** Help text of `scale-api-helper ask`. */
export const ASK_HELP = `Usage: scale-api-helper ask [options] "<question>"

Answers a question about the HyperCore REST API with a language model, from the API catalogue
(no cluster needed). The answer is printed as it arrives, then the endpoints it relies on.

Options:
  --limit N     catalogue operations to give the model (1-${MAX_ASK_LIMIT}, default ${DEFAULT_ASK_LIMIT})
  -h, --help    show this help

Environment:
  LLM_BASE_URL       the server's OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (Ollama)
  LLM_MODEL          the model, e.g. qwen3:4b
  LLM_API_KEY        its API key, when it needs one (or LLM_API_KEY_FILE: read from a file)
  LLM_TIMEOUT_MS     deadline of one answer (default ${DEFAULT_LLM_TIMEOUT_MS})
  SCALE_SCHEMA       a file: an OpenAPI document to use instead of the bundled HyperCore 9.4 catalogue
                     (auto and bundled both mean the bundled one here: this command talks to no cluster;
                     SCALE_SCHEMA_FILE is the older name)
`

/** What to do when LLM_BASE_URL is unset. */
export const NOT_CONFIGURED_HELP = `ask needs a language model, and LLM_BASE_URL is not set.

Any OpenAI-compatible server works (Ollama, vLLM, llama.cpp server, LM Studio). With Ollama:

  ollama pull qwen3:4b
  export LLM_BASE_URL=http://127.0.0.1:11434/v1 LLM_MODEL=qwen3:4b
  scale-api-helper ask "how do I power on a VM"

Set LLM_API_KEY (or LLM_API_KEY_FILE) when the server needs a key.
`

/** Where the command writes and what it reads (replaceable in tests). */
export interface AskIo {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown, isTTY?: boolean }
  env: Record<string, string | undefined>
  /** Cancels the question (Ctrl+C by default). */
  signal?: AbortSignal
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const CLEAR_LINE = '\r\x1b[K'

/**
 * `scale-api-helper ask "<question>"`: streams the answer to stdout, then the sources; a spinner on stderr (a
 * terminal only) until the first words arrive. Exit codes: 0 answered, 1 failed or not configured, 2 bad usage,
 * 130 cancelled.
 */
export async function runAsk (argv: string[], io: Partial<AskIo> = {}): Promise<number> {
  const out = io.stdout ?? process.stdout
  const err = io.stderr ?? process.stderr
  const env = io.env ?? process.env

  let values: { limit?: string, help?: boolean }
  let positionals: string[]
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
    }))
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${ASK_HELP}`)
    return 2
  }
  if (values.help === true) {
    out.write(ASK_HELP)
    return 0
  }
  const question = positionals.join(' ').trim()
  if (question === '') {
    err.write(`Give a question, e.g. scale-api-helper ask "how do I power on a VM".\n\n${ASK_HELP}`)
    return 2
  }
  let limit: number | undefined
  if (values.limit !== undefined) {
    limit = Number(values.limit)
    if (!/^\d+$/.test(values.limit) || limit < 1 || limit > MAX_ASK_LIMIT) {
      err.write(`--limit must be a whole number from 1 to ${MAX_ASK_LIMIT} (got "${values.limit}").\n`)
      return 2
    }
  }

  let config
  try {
    config = readLlmConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`Configuration error: ${e.message}\n`)
      return 1
    }
    throw e
  }
  if (config === undefined) {
    err.write(NOT_CONFIGURED_HELP)
    return 1
  }

  // No cluster here, so "auto" cannot ask one for its spec: a file is used when given, else the bundled catalogue.
  const schema = env.SCALE_SCHEMA?.trim()
  const schemaFile = schema !== undefined && schema !== '' && schema !== 'auto' && schema !== 'bundled' ? schema : env.SCALE_SCHEMA_FILE?.trim()
  const client = new LlmClient(config)
  const spinner = startSpinner(err, `Asking ${config.model}…`)
  const interrupt = io.signal === undefined ? ctrlC() : undefined
  let printed = ''
  try {
    const catalog = await Catalog.load(schemaFile === '' ? undefined : schemaFile)
    const result = await askQuestion(catalog, client, question, {
      limit,
      signal: io.signal ?? interrupt?.signal,
      onDelta (text) {
        spinner.stop()
        printed += text
        out.write(text)
      }
    })
    spinner.stop()
    if (!printed.endsWith('\n')) out.write('\n')
    out.write(sourcesText(result, catalog))
    return 0
  } catch (e) {
    spinner.stop()
    if (printed !== '' && !printed.endsWith('\n')) out.write('\n')
    if (!isAppError(e)) throw e
    if (e.code === 'LLM_CANCELLED') {
      err.write('Cancelled.\n')
      return 130
    }
    err.write(`ask failed (${e.code}): ${e.message}\n`)
    return e.code === 'QUERY_EMPTY' ? 2 : 1
  } finally {
    interrupt?.dispose()
    await client.close()
  }
}

function sourcesText (result: AskAnswer, catalog: Catalog): string {
  if (result.sources.length === 0) return '\nSources: none (nothing in the catalogue matched; no model was asked).\n'
  const width = Math.max(...result.sources.map((s) => s.method.length + 1 + s.path.length))
  const lines = result.sources.map((s) => {
    const summary = catalog.operations.find((op) => op.method === s.method && op.path === s.path)?.summary ?? ''
    return `  ${`${s.method} ${s.path}`.padEnd(width)}  ${summary}`.trimEnd()
  })
  const weak = result.match === 'weak' ? '; the catalogue matched the question only weakly' : ''
  return `\nSources:\n${lines.join('\n')}\n(answered by ${result.model}${weak})\n`
}

function startSpinner (err: AskIo['stderr'], label: string): { stop: () => void } {
  if (err.isTTY !== true) return { stop () {} }
  let frame = 0
  const draw = (): void => { err.write(`${CLEAR_LINE}${SPINNER[frame++ % SPINNER.length] as string} ${label}`) }
  draw()
  const timer = setInterval(draw, 80)
  let stopped = false
  return {
    stop () {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      err.write(CLEAR_LINE)
    }
  }
}

function ctrlC (): { signal: AbortSignal, dispose: () => void } {
  const controller = new AbortController()
  const onSignal = (): void => { controller.abort() }
  process.once('SIGINT', onSignal)
  return { signal: controller.signal, dispose () { process.off('SIGINT', onSignal) } }
}
