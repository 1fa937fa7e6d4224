import { readFileSync } from 'node:fs'
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml'
import { ConfigError } from '../errors/app-error.js'

/** A YAML or JSON file named by a configuration variable, parsed, with a way to say which line a value sits on. */
export interface ConfigFile {
  file: string
  data: unknown
  /** Throws a ConfigError naming the variable, the file and the line of the value at `path` (when it has one). */
  fail: (path: ReadonlyArray<string | number>, message: string) => never
}

/**
 * Reads a configuration file (YAML, or JSON, which YAML 1.2 parses too). A syntax error, or a value the caller
 * rejects through `fail`, stops the start with a message naming the variable, the file and the line.
 * @see {@link https://eemeli.org/yaml/} (chosen over hand-rolled parsing for its line positions and strict errors)
 */
export function readConfigFile (variable: string, file: string): ConfigFile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  const lines = new LineCounter()
  const doc: Document = parseDocument(text, { lineCounter: lines, uniqueKeys: true })
  const syntax = doc.errors[0]
  if (syntax !== undefined) {
    const line = syntax.linePos?.[0].line
    const said = (syntax.message.split('\n')[0] ?? 'syntax error').replace(/ at line \d+, column \d+:?$/, '')
    throw new ConfigError(variable, `${file}${line === undefined ? '' : ` line ${line}`}: ${said}`)
  }
  return {
    file,
    data: doc.toJS({ maxAliasCount: 100 }),
    fail (path, message) {
      // Point at the key when the value sits under one, else at the value, else at the nearest parent that exists.
      let line: number | undefined
      const parent = path.length === 0 ? undefined : path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1))
        const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined
        if (offset !== undefined) line = lines.linePos(offset).line
      }
      for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)
        const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0]
        if (offset !== undefined) line = lines.linePos(offset).line
      }
      throw new ConfigError(variable, `${file}${line === undefined ? '' : ` line ${line}`}: ${message}`)
    }
  }
}
