import { chmod, lstat, mkdir, readFile, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { Log } from '../observe/logger.js'

/** How the file is written: atomically (write-file-atomic), or a stand-in in tests. */
export type FileWriter = (file: string, content: string, options: { mode: number }) => Promise<void>

/** A HyperCore login session as we keep it. */
export interface Session {
  id: string
  createdAt: Date
  lastUsedAt: Date
}

interface SessionFile {
  version: 1
  cluster: string
  username: string
  sessionId: string
  createdAt: string
  lastUsedAt: string
}

// A cookie value as HyperCore issues it; anything else in a file is treated as corrupt (it becomes a header).
const SESSION_ID = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{1,512}$/

/** Whether a string can be sent as the `sessionID` cookie value. */
export function isValidSessionId (value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value)
}

/**
 * Keeps the session in a file (mode 0600, written atomically) so it survives restarts. The file records the cluster
 * and user it belongs to; a file for another cluster or user, or one that cannot be parsed, is ignored with a warning.
 * Writes and deletes run one after another, so a late write can never resurrect a deleted session.
 */
export class SessionStore {
  readonly file: string | undefined
  readonly #cluster: string
  readonly #username: string
  readonly #log: Log
  #queue: Promise<void> = Promise.resolve()
  readonly #write: FileWriter

  constructor (file: string | undefined, cluster: string, username: string, log: Log, write: FileWriter = writeFileAtomic) {
    this.file = file
    this.#cluster = cluster
    this.#username = username
    this.#log = log
    this.#write = write
  }

  /** The stored session for this cluster and user, or undefined (no file, a foreign one, or a corrupt one). */
  async load (): Promise<Session | undefined> {
    const file = this.file
    if (file === undefined) return undefined
    const unsafe = await unsafeReason(file)
    if (unsafe !== undefined) {
      this.#log.warn({ file, reason: unsafe }, 'the session file is not a plain file of ours; ignoring it and keeping sessions in memory')
      return undefined
    }
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') this.#log.warn({ file, cause: code }, 'cannot read the session file; starting without a stored session')
      return undefined
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      this.#log.warn({ file }, 'the session file is not valid JSON; ignoring it')
      return undefined
    }
    const stored = parsed as Partial<SessionFile> | null
    if (stored === null || typeof stored !== 'object' || stored.version !== 1 || !isValidSessionId(stored.sessionId) ||
      typeof stored.cluster !== 'string' || typeof stored.username !== 'string' ||
      Number.isNaN(Date.parse(String(stored.createdAt))) || Number.isNaN(Date.parse(String(stored.lastUsedAt)))) {
      this.#log.warn({ file }, 'the session file is not in the expected format; ignoring it')
      return undefined
    }
    if (stored.cluster !== this.#cluster || stored.username !== this.#username) {
      this.#log.warn({ file, fileCluster: stored.cluster, fileUsername: stored.username }, 'the session file belongs to another cluster or user; ignoring it')
      return undefined
    }
    await this.#checkMode(file)
    return { id: stored.sessionId, createdAt: new Date(String(stored.createdAt)), lastUsedAt: new Date(String(stored.lastUsedAt)) }
  }

  /** Writes the session (queued after earlier writes and deletes); failures are logged, never thrown. */
  async save (current: () => Session | undefined): Promise<void> {
    const file = this.file
    if (file === undefined) return
    await this.#enqueue(async () => {
      // Read the session when the write runs, not when it was asked for: a logout in between wins.
      const session = current()
      if (session === undefined) return
      const content: SessionFile = {
        version: 1,
        cluster: this.#cluster,
        username: this.#username,
        sessionId: session.id,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString()
      }
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      // write-file-atomic follows symlinks: a link planted at the path would have us overwrite its target.
      const unsafe = await unsafeReason(file)
      if (unsafe !== undefined) throw Object.assign(new Error(`the session file is ${unsafe}`), { code: 'UNSAFE_SESSION_FILE' })
      try {
        await this.#write(file, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 })
      } catch (err) {
        // A file left from before holds an older (maybe logged-out) session: better none at the next start.
        await unlink(file).catch(() => {})
        throw err
      }
    }, 'cannot write the session file; the session is kept in memory only')
  }

  /** Deletes the file (queued after pending writes); a missing file is fine. */
  async remove (): Promise<void> {
    const file = this.file
    if (file === undefined) return
    await this.#enqueue(async () => {
      try {
        await unlink(file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }, 'cannot delete the session file')
  }

  /** Resolves once every queued write and delete has finished. */
  async flush (): Promise<void> {
    await this.#queue
  }

  async #enqueue (op: () => Promise<void>, failure: string): Promise<void> {
    const next = this.#queue.then(op).catch((err: unknown) => {
      this.#log.warn({ file: this.file, cause: (err as NodeJS.ErrnoException).code ?? (err as Error).message }, failure)
    })
    this.#queue = next
    await next
  }

  async #checkMode (file: string): Promise<void> {
    try {
      const { mode } = await stat(file)
      if ((mode & 0o077) !== 0 && process.platform !== 'win32') {
        this.#log.warn({ file, mode: (mode & 0o777).toString(8) }, 'the session file was readable by other users; setting its mode to 0600')
        await chmod(file, 0o600)
      }
    } catch {}
  }
}

// Why a session file path must not be used: a symlink, not a regular file, or another user's; undefined when fine
// (or when nothing is there yet).
async function unsafeReason (file: string): Promise<string | undefined> {
  let info
  try {
    info = await lstat(file)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})`
  }
  if (info.isSymbolicLink()) return 'a symbolic link'
  if (!info.isFile()) return 'not a regular file'
  const uid = process.getuid?.()
  if (uid !== undefined && info.uid !== uid) return `owned by another user (uid ${info.uid})`
  return undefined
}
