import { mkdirSync } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { Role, Transport } from './identity.js'

/** What the gate decided about a call. */
export type AuditDecision = 'allowed' | 'denied' | 'confirmation-required' | 'awaiting-approval' | 'approved' | 'confirmed' | 'declined' | 'cancelled'

/** One call as the audit records it. Secrets in `payload` are masked before it gets here. */
export interface AuditEntry {
  /** Shared by a call's decision line and its result line. */
  id: string
  time: string
  /** `decision` is written before the cluster is touched; `result` once the call has ended. */
  phase: 'decision' | 'result'
  caller: string
  role: Role
  transport: Transport
  tool: string
  /** The cluster the call went to (absent for tools that use none). */
  cluster?: string
  decision: AuditDecision
  /** The cluster calls the decision covers. */
  calls: Array<{ method: string, path: string, destructive?: boolean }>
  payload?: unknown
  /** Why it was refused, or how it failed. */
  code?: string
  message?: string
  /** HTTP status of the cluster's answer (result lines). */
  status?: number
  taskTag?: string
  durationMs?: number
}

/** Where audit lines go. */
export interface AuditSink {
  append: (line: string) => Promise<void>
  /** Lets go of the open file and opens the path anew (a file sink); nothing for a stream. */
  reopen?: () => Promise<void>
  close: () => Promise<void>
}

/** Options of `AuditLog.read`. */
export interface AuditQuery {
  limit?: number
  /** ISO time: only entries at or after it. */
  since?: string
  caller?: string
}

// Enough for tens of thousands of recent lines without reading a large file whole.
const READ_WINDOW_BYTES = 8 * 1024 * 1024

// Signals reach the whole process, so SIGHUP reopens every audit log the process has open.
const openLogs = new Set<AuditLog>()

/** Reopens every open audit file (the SIGHUP handler: logrotate's convention); failures are logged, not thrown. */
export async function reopenAuditFiles (): Promise<void> {
  await Promise.all([...openLogs].map(async (audit) => await audit.reopen()))
}

/**
 * The JSON Lines audit: every call that is not a pure read, and every refusal. Each line is appended and flushed to
 * disk (fdatasync) before the call goes on, so if the audit cannot be written the call fails closed with 503
 * AUDIT_UNAVAILABLE and the cluster is not touched.
 */
export class AuditLog {
  readonly target: string
  readonly #sink: AuditSink
  readonly #log: Log
  #queue: Promise<void> = Promise.resolve()

  constructor (target: string, sink: AuditSink, log: Log) {
    this.target = target
    this.#sink = sink
    this.#log = log
    openLogs.add(this)
  }

  /**
   * An audit log writing to a file (created 0600 with its folder), or to standard output for `-`. A file that is
   * moved away or deleted is noticed at the next write, which goes to a new file at the path.
   */
  static open (target: string, log: Log, stdout: (line: string) => void = (line) => process.stdout.write(line)): AuditLog {
    return new AuditLog(target, target === '-' ? streamSink(stdout) : fileSink(target, log), log)
  }

  /** Appends one entry; throws 503 AUDIT_UNAVAILABLE when it cannot be written. */
  async write (entry: AuditEntry): Promise<void> {
    const line = JSON.stringify(entry) + '\n'
    const next = this.#queue.then(async () => await this.#sink.append(line))
    this.#queue = next.catch(() => {})
    try {
      await next
    } catch (err) {
      this.#log.error({ audit: this.target, cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, 'cannot write the audit log; refusing calls that must be audited')
      throw new AppError('AUDIT_UNAVAILABLE', 'The audit log cannot be written, so the call was not made (the server fails closed). An operator must check SCALE_AUDIT_FILE.')
    }
  }

  /** Recent entries, newest first: decision and result lines of a call are merged into one. */
  async read (query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (this.target === '-') {
      throw new AppError('AUDIT_NOT_READABLE', 'The audit goes to standard output (SCALE_AUDIT_FILE=-), so this server cannot read it back; read it where the output is collected.')
    }
    await this.#queue
    const text = await readTail(this.target)
    const merged = new Map<string, AuditEntry>()
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      let entry: AuditEntry
      try {
        entry = JSON.parse(line) as AuditEntry
      } catch {
        continue
      }
      const earlier = merged.get(entry.id)
      // A result line completes its decision line; keep the decision's time so the call is dated when it was made.
      merged.set(entry.id, earlier === undefined ? entry : { ...earlier, ...entry, time: earlier.time, decision: entry.decision ?? earlier.decision })
    }
    const since = query.since === undefined ? undefined : Date.parse(query.since)
    const out = [...merged.values()]
      .filter((e) => (query.caller === undefined || e.caller === query.caller) && (since === undefined || Date.parse(e.time) >= since))
      .reverse()
    return out.slice(0, query.limit ?? 50)
  }

  /** Closes the file and opens the path anew, after the writes already queued; a failure is logged and the next write retries. */
  async reopen (): Promise<void> {
    const reopen = this.#sink.reopen
    if (reopen === undefined) return
    const next = this.#queue.then(reopen)
    this.#queue = next.catch(() => {})
    try {
      await next
      this.#log.info({ audit: this.target }, 'audit file reopened')
    } catch (err) {
      this.#log.error({ audit: this.target, cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, 'cannot reopen the audit log; calls that must be audited fail until it can be written')
    }
  }

  /** Waits for queued writes and closes the file. */
  async close (): Promise<void> {
    openLogs.delete(this)
    await this.#queue
    await this.#sink.close()
  }
}

function fileSink (file: string, log: Log): AuditSink {
  let current: { fh: FileHandle, dev: bigint, ino: bigint } | undefined
  let opened = false
  const drop = async (): Promise<void> => {
    const fh = current?.fh
    current = undefined
    await fh?.close().catch(() => {})
  }
  const openPath = async (): Promise<FileHandle> => {
    // The folder is made for the first file only: one that disappears later (a volume unmounted under it) is not
    // made again, so the audit fails closed rather than going on where nobody looks.
    if (!opened) mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    const fh = await open(file, 'a', 0o600)
    try {
      const { dev, ino } = await fh.stat({ bigint: true })
      current = { fh, dev, ino }
    } catch (err) {
      await fh.close().catch(() => {})
      throw err
    }
    opened = true
    return fh
  }
  // The file at the path, not the one we hold: after `mv` or `rm` (log rotation) the held file is no longer the audit.
  const get = async (): Promise<FileHandle> => {
    if (current === undefined) return await openPath()
    const now = await stat(file, { bigint: true }).catch(() => undefined)
    if (now !== undefined && now.dev === current.dev && now.ino === current.ino) return current.fh
    log.warn({ audit: file, reason: now === undefined ? 'missing' : 'replaced' }, 'the audit file was moved or deleted; writing to a new file at its path')
    await drop()
    return await openPath()
  }
  return {
    async append (line) {
      const fh = await get()
      await fh.appendFile(line, 'utf8')
      await fh.datasync()
    },
    async reopen () {
      await drop()
      await openPath()
    },
    async close () {
      await drop()
    }
  }
}

function streamSink (write: (line: string) => void): AuditSink {
  return {
    async append (line) { write(line) },
    async close () {}
  }
}

async function readTail (file: string): Promise<string> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw err
  }
  const start = Math.max(0, size - READ_WINDOW_BYTES)
  const fh = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(size - start)
    await fh.read(buffer, 0, buffer.length, start)
    const text = buffer.toString('utf8')
    // Starting mid-file, the first line is partial.
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1)
  } finally {
    await fh.close()
  }
}
