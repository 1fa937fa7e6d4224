import closeWithGrace from 'close-with-grace'
import { reopenAuditFiles } from '../gate/audit.js'
import type { Log } from '../observe/logger.js'

/** How long in-flight work gets to finish on SIGINT/SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000

/** A process stopping gracefully, as `stopOnSignals` set it up. */
export interface Stopping {
  /** Stops as on SIGTERM, for a reason the process saw itself (stdin ended, the parent went away); once only. */
  stop: (reason: string, fields?: object) => void
}

/**
 * How both processes (the server and the stdio face) stop: on SIGINT or SIGTERM, an uncaught error, or `stop()`,
 * `close` runs once and the process exits (0; 1 after an error, or when `graceMs` runs out first). SIGHUP reopens
 * the audit file instead of stopping (logrotate's convention).
 * @see {@link https://github.com/mcollina/close-with-grace}
 */
export function stopOnSignals (log: Log, close: () => Promise<void>, graceMs = SHUTDOWN_GRACE_MS): Stopping {
  process.on('SIGHUP', reopenAuditFiles)
  let stopping = false
  const grace = closeWithGrace({
    delay: graceMs,
    skip: ['SIGHUP'],
    logger: { error: (message: unknown) => log.error({ detail: String(message) }, 'shutdown problem') },
    onTimeout (delay: number) {
      log.error({ graceMs: delay }, 'forced exit: requests were still running when the shutdown grace period ended')
    }
  }, async function shutdown ({ signal, err, manual }) {
    stopping = true
    // stop() has said why.
    if (err !== undefined) log.error({ err }, 'shutting down after an error')
    else if (manual !== true) log.info({ signal }, 'shutting down')
    await close()
  })
  return {
    stop (reason, fields = {}) {
      if (stopping) return
      log.info(fields, `shutting down: ${reason}`)
      grace.close()
    }
  }
}
