import { pino, type Logger, type LoggerOptions } from 'pino'
import pretty from 'pino-pretty'

/** The logger tools and the HyperCore client write to: pino's, narrowed to what they use. */
export interface Log {
  debug: (obj: object, msg?: string) => void
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
}

/** The log levels LOG_LEVEL and `simulate --log-level` accept. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// Anything that could carry a bearer token, a HyperCore password or a session ID.
const SECRET_KEYS = ['password', 'token', 'sessionId', 'sessionID', 'authorization', 'cookie', 'set-cookie', 'secret']

/** pino paths that are always censored, request and response headers included. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [`${quote(key)}`, `*.${quote(key)}`, `*.*.${quote(key)}`])
]

function quote (key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`
}

/** pino options for the server: level, redaction, and the request fields we log. */
export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Only method and path: query strings could carry secrets and headers are not needed.
      req (req: { method: string, url: string, id?: string }) {
        return { id: req.id, method: req.method, url: req.url.split('?')[0] }
      }
    }
  }
}

/**
 * The server's logger: JSON lines (for log pipelines) unless the output is a terminal, where pino-pretty prints
 * them readably. `fd` 2 writes to stderr (the MCP stdio mode keeps stdout for the protocol).
 * @see {@link https://github.com/pinojs/pino-pretty}
 */
export function createLogger (level: string, opts: { fd?: 1 | 2, pretty?: boolean } = {}): Logger {
  const fd = opts.fd ?? 1
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY
  if (opts.pretty ?? tty === true) {
    return pino(loggerOptions(level), pretty({ destination: fd, sync: true, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }))
  }
  return pino(loggerOptions(level), pino.destination({ fd, sync: false }))
}
