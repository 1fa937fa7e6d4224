const SESSION_KEY = /^session_?id$/i
// `scheme://user:password@host`: the password part, as SMB export/import URIs carry it.
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@\s/]*@/gi

/** What was masked in an answer. */
export interface MaskReport {
  sessionIds: number
  uriPasswords: number
}

/**
 * Masks, in place, session IDs (`sessionID`, `session_id`, …) and passwords embedded in URIs anywhere in a cluster's
 * JSON answer, so no tool result can hand a live session or a share's credentials to the model.
 */
export function maskSecrets (data: unknown): MaskReport {
  const report: MaskReport = { sessionIds: 0, uriPasswords: 0 }
  walk(data, report)
  return report
}

/** A string with the password of any `user:password@` in URIs replaced by `mask`. */
export function maskUriPasswords (text: string, mask = '***'): string {
  return text.includes('://') ? text.replace(URI_PASSWORD, `$1${mask}@`) : text
}

function walk (value: unknown, report: MaskReport): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'string') value[i] = maskString(item, report)
      else walk(item, report)
    }
    return
  }
  if (value === null || typeof value !== 'object') return
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const item = record[key]
    if (SESSION_KEY.test(key) && typeof item === 'string' && item !== '') {
      record[key] = '[redacted]'
      report.sessionIds++
    } else if (typeof item === 'string') {
      record[key] = maskString(item, report)
    } else {
      walk(item, report)
    }
  }
}

function maskString (text: string, report: MaskReport): string {
  const masked = maskUriPasswords(text)
  if (masked !== text) report.uriPasswords++
  return masked
}
