import { once } from 'node:events'
import type { ChildProcess } from 'node:child_process'

/** What a child process has printed, and a way to wait for a line of it. */
export interface WatchedOutput {
  /** Resolves with the first match of `pattern` in everything printed so far (stdout and stderr); rejects once the child exits without it. */
  output: (pattern: RegExp) => Promise<RegExpExecArray>
  /** Resolves with the exit code and signal when the child exits. */
  exited: Promise<[number | null, NodeJS.Signals | null]>
  /** Everything printed so far. */
  text: () => string
}

/** Collects a child's stdout and stderr so a test can wait for what it prints, event by event (no polling). */
export function watchOutput (child: ChildProcess): WatchedOutput {
  let out = ''
  const waiting: Array<{ pattern: RegExp, resolve: (m: RegExpExecArray) => void }> = []
  const seen = (chunk: unknown): void => {
    out += String(chunk)
    for (const w of [...waiting]) {
      const match = w.pattern.exec(out)
      if (match !== null) { waiting.splice(waiting.indexOf(w), 1); w.resolve(match) }
    }
  }
  child.stdout?.on('data', seen)
  child.stderr?.on('data', seen)
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const output = async (pattern: RegExp): Promise<RegExpExecArray> => await Promise.race([
    new Promise<RegExpExecArray>((resolve) => { waiting.push({ pattern, resolve }); seen('') }),
    exited.then(([code]) => { throw new Error(`exited with ${String(code)}: ${out.slice(-2000)}`) })
  ])
  return { output, exited, text: () => out }
}
