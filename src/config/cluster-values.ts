import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors/app-error.js'

/** Turns `10.0.0.5`, `https://hc.example/rest/v1/` or `http://127.0.0.1:8080` into a bare origin. */
export function normaliseClusterUrl (value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new ConfigError('SCALE_HOST', `is not a host name or URL (got ${JSON.stringify(value)})`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('SCALE_HOST', `must use https:// (or http:// for a local simulator), got ${url.protocol}`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('SCALE_HOST', 'must not contain credentials; use SCALE_USERNAME and SCALE_PASSWORD')
  }
  const rest = url.pathname.replace(/\/+$/, '')
  if (rest !== '' && rest !== '/rest/v1') {
    throw new ConfigError('SCALE_HOST', `must be the cluster's address without a path (got path ${JSON.stringify(url.pathname)})`)
  }
  return url.origin
}

/** Node addresses as SCALE_NODES takes them; a bare address without a port gets the cluster's scheme and port, as a lanIP does. */
export function readNodes (value: string, configured: string): string[] {
  const base = new URL(configured)
  return value.split(',').map((n) => n.trim()).filter(Boolean).map((node) => {
    let written = node
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(node)) {
      if (/[/?#@]/.test(node)) throw new ConfigError('SCALE_NODES', `${JSON.stringify(node)} is not a node address (give host names or IP addresses, with an optional port, separated by commas)`)
      const colons = node.match(/:/g)?.length ?? 0
      const bareV6 = !node.startsWith('[') && colons >= 2
      const hasPort = node.startsWith('[') ? node.includes(']:') : colons === 1
      const host = bareV6 ? `[${node}]` : node
      written = `${base.protocol}//${host}${hasPort || base.port === '' ? '' : `:${base.port}`}`
    }
    try {
      return normaliseClusterUrl(written)
    } catch (err) {
      throw new ConfigError('SCALE_NODES', `${JSON.stringify(node)} ${err instanceof ConfigError ? err.message.replace(/^SCALE_HOST: /, '') : 'is not an address'}`)
    }
  })
}

/** Upper-case, colon-separated SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it. */
export function normaliseFingerprint (value: string): string {
  const hex = value.replace(/^sha256( fingerprint=|\/)/i, '').replace(/:/g, '').toUpperCase()
  return hex.match(/.{2}/g)?.join(':') ?? hex
}

/** A secret file's content exactly, but for one trailing newline (what `echo` and editors add). */
export function readExactSecretFile (variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}
