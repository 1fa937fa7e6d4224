import { readdirSync, readFileSync } from 'node:fs'
import { projectFile } from '../../src/lib/paths.js'

/** What a doc says a call answers: a status, and a code or a JSON shape (or neither: any 2xx). */
export interface Expected {
  status?: number
  code?: string
  /** The shape as written, `…` included. */
  shape?: string
}

/** One runnable example of a doc: a `call <tool> '<json>'` line or a plain `curl` line, with what the doc shows after it. */
export interface DocExample {
  file: string
  line: number
  kind: 'call' | 'curl'
  /** For `call`: the tool; for `curl`: the URL as written. */
  target: string
  /** For `call`: the JSON argument as written; for `curl`: the `-d` body (undefined without one). */
  body?: string
  /** `TOKEN=$ADMIN_TOKEN call …`: the variable the token comes from (undefined: `$TOKEN`). */
  tokenVar?: string
  /** For `curl`: the method (`-X`, or POST with `-d`, else GET), `-u` credentials and `-H` headers. */
  method?: string
  user?: string
  headers?: Record<string, string>
  expected: Expected
}

/** README.md and every page of docs/, as [name, text]. */
export function docPages (): Array<[string, string]> {
  const pages: Array<[string, string]> = [['README.md', readFileSync(projectFile('README.md'), 'utf8')]]
  for (const name of readdirSync(projectFile('docs')).filter((n) => n.endsWith('.md')).sort()) {
    pages.push([`docs/${name}`, readFileSync(projectFile('docs', name), 'utf8')])
  }
  return pages
}

const CALL = /^(?:TOKEN=\$(\w+)\s+)?call\s+(\w+)\s+'([^']*)'\s*(?:#\s*(?:→\s*(.*)|[^→]*))?$/
const ANSWER = /^#\s*→\s*(.*)$/
const CONTINUED = /^# {2,}(\S.*)$/

/** Reads `→ 409 {…}`, `→ {…}` or `→ 409 CODE …` into what to compare. */
export function readExpected (text: string): Expected {
  const shown = text.trim()
  const withCode = /^(\d{3})\s+([A-Z][A-Z0-9_]+)\b/.exec(shown)
  if (withCode !== null) return { status: Number(withCode[1]), code: withCode[2] }
  const withShape = /^(?:(\d{3})\s+)?(\{.*)$/s.exec(shown)
  if (withShape === null) throw new Error(`cannot read the answer "${shown}": write "→ {…}", "→ 409 {…}" or "→ 409 CODE"`)
  return { status: withShape[1] === undefined ? 200 : Number(withShape[1]), shape: withShape[2] }
}

// Splits a curl line into words as a POSIX shell would (single and double quotes; no expansion).
function shellWords (line: string): string[] {
  const words: string[] = []
  for (const m of line.matchAll(/(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)+/g)) {
    words.push(m[0].replace(/'([^']*)'|"((?:[^"\\]|\\.)*)"/g, (_all, single?: string, double?: string) => single ?? (double ?? '').replace(/\\(.)/g, '$1')))
  }
  return words
}

function curlExample (file: string, line: number, text: string): DocExample {
  const words = shellWords(text.replace(/\s+#.*$/, ''))
  const example: DocExample = { file, line, kind: 'curl', target: '', headers: {}, expected: {} }
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string
    const next = (): string => {
      const value = words[++i]
      if (value === undefined) throw new Error(`${file}:${line}: ${word} needs a value`)
      return value
    }
    if (word === '-s' || word === '-k' || word === '-sk') continue
    if (word === '-u') example.user = next()
    else if (word === '-X') example.method = next()
    else if (word === '-d') example.body = next()
    else if (word === '-H') {
      const [name, ...value] = next().split(':')
      ;(example.headers as Record<string, string>)[(name as string).trim().toLowerCase()] = value.join(':').trim()
    } else if (!word.startsWith('-') && example.target === '') example.target = word
    else throw new Error(`${file}:${line}: the examples test does not know the curl option ${word}`)
  }
  example.method ??= example.body === undefined ? 'GET' : 'POST'
  // What curl sends with -d and no Content-Type of its own.
  if (example.body !== undefined) (example.headers as Record<string, string>)['content-type'] ??= 'application/x-www-form-urlencoded'
  return example
}

/**
 * Every `call` and `curl` line in the ```sh blocks of one page, each with the `# → …` answer that follows it (on the
 * same line or the next; a comment line indented by two or more spaces continues it). Throws on a `call` line it
 * cannot read, so an example cannot be skipped by a typo.
 */
export function examplesOf (file: string, text: string): DocExample[] {
  const found: DocExample[] = []
  const lines = text.split('\n')
  let inSh = false
  let last: DocExample | undefined
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    const number = index + 1
    if (line.startsWith('```')) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(line)
      last = undefined
      continue
    }
    if (!inSh || line === '') continue
    const call = CALL.exec(line)
    const answer = ANSWER.exec(line)
    const continued = CONTINUED.exec(line)
    if (call !== null) {
      last = { file, line: number, kind: 'call', target: call[2] as string, body: call[3] as string, expected: {}, ...(call[1] === undefined ? {} : { tokenVar: call[1] }) }
      if (call[4] !== undefined) last.expected = readExpected(call[4])
      found.push(last)
    } else if (/^call\s/.test(line) || /^TOKEN=\S+\s+call\s/.test(line)) {
      throw new Error(`${file}:${number}: a call example the test cannot read (write call <tool> '<json>'): ${line}`)
    } else if (/^curl\s/.test(line)) {
      last = curlExample(file, number, line)
      found.push(last)
    } else if (answer !== null) {
      if (last === undefined) throw new Error(`${file}:${number}: an answer with no call before it`)
      if (last.expected.status !== undefined || last.expected.shape !== undefined) throw new Error(`${file}:${number}: a second answer for the call on line ${last.line}`)
      last.expected = readExpected(answer[1] as string)
    } else if (continued !== null && last?.expected.shape !== undefined) {
      last.expected.shape += (continued[1] as string)
    } else if (!line.startsWith('#')) {
      last = undefined
    }
  }
  return found
}

/** Stands for `…` where the doc shows a value: anything matches it. */
export const ANY = '\u0000any'

/**
 * The JSON a doc shows, with its `…`: `{…}` is any object, `[…]` any array, `,…` drops a member or element shown as
 * `…`, and `…` as a value is ANY. `…` inside a string stays part of the string.
 */
export function parseShape (shape: string): unknown {
  const parts = shape.split(/("(?:[^"\\]|\\.)*")/)
  const json = parts.map((part, i) => {
    if (i % 2 === 1) return part
    return part
      .replace(/\{\s*…\s*\}/g, '{}')
      .replace(/\[\s*…\s*\]/g, '[]')
      .replace(/,\s*…(?=\s*[,}\]])/g, '')
      .replace(/([{[])\s*…\s*,/g, '$1')
      .replace(/:\s*…/g, `:${JSON.stringify(ANY)}`)
  }).join('')
  try {
    return JSON.parse(json)
  } catch (err) {
    throw new Error(`the answer shown is not JSON with … (${(err as Error).message}): ${shape}`)
  }
}

function kind (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

// A one-word value such as RUNNING, COMPLETE, POST, strong or an error code names a state or a kind: compared as is.
const WORD = /^[A-Za-z_]*$/

/**
 * Where `actual` differs from the shape a doc shows (empty when it matches): every key shown exists with the same
 * JSON type; arrays have at least the items shown, each matching; booleans and one-word strings are equal; other
 * strings and numbers only need their type, since names, UUIDs, times and counts vary.
 */
export function shapeMismatches (shown: unknown, actual: unknown, at = '$'): string[] {
  if (shown === ANY) return []
  if (kind(shown) !== kind(actual)) return [`${at}: the doc shows ${kind(shown)} ${JSON.stringify(shown)}, the answer has ${kind(actual)} ${JSON.stringify(actual)?.slice(0, 200)}`]
  if (Array.isArray(shown)) {
    const list = actual as unknown[]
    if (list.length < shown.length) return [`${at}: the doc shows ${shown.length} items, the answer has ${list.length}`]
    return shown.flatMap((item, i) => shapeMismatches(item, list[i], `${at}[${i}]`))
  }
  if (typeof shown === 'object' && shown !== null) {
    const record = actual as Record<string, unknown>
    return Object.entries(shown).flatMap(([key, value]) => Object.hasOwn(record, key)
      ? shapeMismatches(value, record[key], `${at}.${key}`)
      : [`${at}.${key}: shown in the doc, missing from the answer (its keys: ${Object.keys(record).join(', ')})`])
  }
  if (typeof shown === 'boolean' || (typeof shown === 'string' && WORD.test(shown))) {
    return shown === actual ? [] : [`${at}: the doc shows ${JSON.stringify(shown)}, the answer has ${JSON.stringify(actual)}`]
  }
  return []
}
