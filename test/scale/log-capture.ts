import { pino, type Logger } from 'pino'
import { loggerOptions } from '../../src/logger.js'

/** A pino logger with the server's options (redaction included) that keeps every line, for asserting on logs. */
export function captureLogs (level = 'trace'): { logger: Logger, lines: string[], text: () => string } {
  const lines: string[] = []
  const logger = pino(loggerOptions(level), { write (line: string) { lines.push(line) } })
  return { logger, lines, text: () => lines.join('') }
}
