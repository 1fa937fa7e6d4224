/** What was masked in a value. */
export interface MaskReport {
  /** Values of secret-named keys (password, sharedSecret, sessionID, token, privateKey, ...). */
  secretFields: number
  /** Passwords inside URIs (`smb://user:password@host/share`). */
  uriPasswords: number
  /** Occurrences of a known secret (the configured password, the live session ID) found anywhere else. */
  knownSecrets: number
}

/** The text a masked value is replaced with. */
export const MASK = '[redacted]'

// Key names whose string values are secrets, compared lower-case with `_` and `-` removed. Suffixes catch
// authPassword (SMTP), sharedSecret (OIDC), privateKey (certificates), csrfToken, apiKey and the like.
const SECRET_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'privatekey', 'token', 'sessionid', 'apikey', 'credential', 'credentials']
// Keys that end like a secret but name something that is not one.
const NOT_SECRET = new Set(['tokentype', 'tokenendpoint', 'passwordexpired', 'passwordchangerequired', 'secretlength'])

// Lower-cased, without `_` and `-`, a secret key ends with one of SECRET_SUFFIXES.
const SECRET_END = new RegExp(`(?:${SECRET_SUFFIXES.join('|')})$`)
// Decisions by key name: a cluster repeats the same few hundred names in every record. Bounded in entries and in
// key length, so a hostile answer with millions of distinct or huge keys costs a cleared cache, not memory.
const KEY_CACHE_SIZE = 4096
const KEY_CACHE_LENGTH = 128
const keyDecisions = new Map<string, boolean>()

function judgeKey (key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '')
  return !NOT_SECRET.has(k) && SECRET_END.test(k)
}

/** Whether a JSON key names a secret value. */
export function isSecretKey (key: string): boolean {
  let secret = keyDecisions.get(key)
  if (secret === undefined) {
    secret = judgeKey(key)
    if (key.length <= KEY_CACHE_LENGTH) {
      if (keyDecisions.size >= KEY_CACHE_SIZE) keyDecisions.clear()
      keyDecisions.set(key, secret)
    }
  }
  return secret
}

// `scheme://user:password@host`. The password runs to the last `@` that is followed by a host and then the end of the
// URI, so passwords holding `@`, `/` or spaces are masked whole; it never reaches into another URI.
const URI_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@"'<>]*:)((?:(?!:\/\/)[^\n"'<>]){0,512}?)@(?=(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d+)?(?:[/\s"'?#<>]|$))/gi

/** A string with the password of any `user:password@` in URIs replaced by `mask`. */
export function maskUriPasswords (text: string, mask = '***'): string {
  return text.includes('://') ? text.replace(URI_PASSWORD, `$1${mask}@`) : text
}

// `"password": "x"`, `password=x`, `'token': 'x'` inside text (an error page, a summarised JSON body, a form).
// A value that is the mask already (`[redacted]`) is matched whole and left: masking a text twice changes nothing.
const KEY_VALUE = /(["']?)([A-Za-z][A-Za-z0-9_-]{0,63})\1(\s*[:=]\s*)("(?:[^"\\\n]|\\.){0,4096}"|'[^'\n]{0,4096}'|\[redacted\](?=[\s,;&"'<>)}\]]|$)|[^\s,;&"'<>)}\]]{1,4096})/g

/** A text with the values of secret-named `key: value` / `key=value` pairs replaced by the mask. */
export function maskSecretPairs (text: string): string {
  return text.replace(KEY_VALUE, (whole: string, quote: string, key: string, sep: string, value: string) => {
    if (value === MASK || !isSecretKey(key) || value === '""' || value === "''") return whole
    const q = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : ''
    return `${quote}${key}${quote}${sep}${q}${MASK}${q}`
  })
}

/** Options of `maskSecrets`. */
export interface MaskOptions {
  /** Literal secrets to blank wherever they appear in a string (e.g. the configured password echoed by a proxy). */
  known?: readonly string[]
  /** Mask values of secret-named keys (default true); off for our own answers, whose field names we chose. */
  byKey?: boolean
}

/** One masking pass with fixed options, counting what it masked; `maskSecrets` is one value through one masker. */
export interface Masker {
  /** A string with known secrets, URI passwords and secret `key: value` pairs masked (what every string in a value gets). */
  text: (text: string) => string
  /** Masks a JSON value in place as `maskSecrets` does; answers the value (a masked copy when it is a string). */
  value: <T>(value: T) => T
  /** What this masker has masked so far. */
  readonly report: MaskReport
}

/** A masker for these options: the known secrets are sorted out once, however many values it then masks. */
export function createMasker (options: MaskOptions = {}): Masker {
  const report: MaskReport = { secretFields: 0, uriPasswords: 0, knownSecrets: 0 }
  const known = (options.known ?? []).filter((s) => s.length >= 4)
  const byKey = options.byKey ?? true
  const text = (input: string): string => {
    let out = input
    for (const secret of known) {
      if (out.includes(secret)) {
        out = out.split(secret).join(MASK)
        report.knownSecrets++
      }
    }
    // Both a URI password and a secret pair need a `:` or `=`: most strings (names, UUIDs, states) have neither.
    if (!/[:=]/.test(out)) return out
    const masked = maskUriPasswords(out)
    if (masked !== out) report.uriPasswords++
    const paired = maskSecretPairs(masked)
    if (paired !== masked) report.secretFields++
    return paired
  }
  const value = <T>(root: T): T => {
    if (typeof root === 'string') return text(root) as T
    const stack: unknown[] = [root]
    while (stack.length > 0) {
      const node = stack.pop()
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const item: unknown = node[i]
          if (typeof item === 'string') node[i] = text(item)
          else if (item !== null && typeof item === 'object') stack.push(item)
        }
      } else if (node !== null && typeof node === 'object') {
        const record = node as Record<string, unknown>
        for (const key of Object.keys(record)) {
          const item = record[key]
          if (typeof item === 'string') {
            if (byKey && item !== '' && isSecretKey(key)) {
              record[key] = MASK
              report.secretFields++
            } else {
              record[key] = text(item)
            }
          } else if (typeof item === 'number') {
            if (byKey && isSecretKey(key)) {
              record[key] = MASK
              report.secretFields++
            }
          } else if (item !== null && typeof item === 'object') {
            stack.push(item)
          }
        }
      }
    }
    return root
  }
  return { text, value, report }
}

/**
 * Masks, in place, every secret in a JSON value: values of secret-named keys, passwords inside URIs, and any known
 * secret literal. Walks iteratively, so an answer nested 20,000 levels deep cannot overflow the stack.
 * Returns the value (a masked copy when the value itself is a string) and what was masked.
 */
export function maskSecrets<T> (value: T, options: MaskOptions = {}): { value: T, report: MaskReport } {
  const masker = createMasker(options)
  return { value: masker.value(value), report: masker.report }
}
