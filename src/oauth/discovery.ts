import { AppError } from '../errors/app-error.js'

/** What this server needs of the authorization server's metadata (RFC 8414, OpenID Connect Discovery). */
export interface IssuerMetadata {
  issuer: string
  jwksUri: string
  authorizationEndpoint?: string
  tokenEndpoint?: string
}

/** How long one metadata read may take, and how large it may be. */
const DISCOVERY_TIMEOUT_MS = 5000
const MAX_METADATA_BYTES = 256 * 1024

/** Where the metadata of an issuer is published: OpenID Connect's place first, then RFC 8414's. */
export function metadataUrls (issuer: string): string[] {
  const url = new URL(issuer)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  return [`${url.origin}${path}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`]
}

/** Whether a URL from the metadata may be fetched: https, or http on this machine (a test's provider). */
export function fetchable (value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && (/^127\./.test(url.hostname) || url.hostname === '[::1]' || url.hostname === 'localhost'))
  } catch {
    return false
  }
}

/**
 * Reads an issuer's metadata and checks it: the document must name exactly this issuer (RFC 8414 section 3.3, so a
 * look-alike cannot stand in for it) and a JWKS URL that can be fetched. Throws OAUTH_UNAVAILABLE (503) otherwise.
 */
export async function discoverIssuer (issuer: string, fetchFn: typeof fetch = fetch): Promise<IssuerMetadata> {
  const problems: string[] = []
  for (const url of metadataUrls(issuer)) {
    let doc: Record<string, unknown>
    try {
      const res = await fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), redirect: 'error' })
      const text = await res.text()
      if (!res.ok) {
        problems.push(`${url}: HTTP ${res.status}`)
        continue
      }
      if (text.length > MAX_METADATA_BYTES) throw new Error('the document is too large')
      doc = JSON.parse(text) as Record<string, unknown>
    } catch (err) {
      problems.push(`${url}: ${(err as Error).name === 'TimeoutError' ? 'no answer in time' : (err as Error).message.slice(0, 120)}`)
      continue
    }
    if (doc.issuer !== issuer) throw new AppError('OAUTH_UNAVAILABLE', `The identity provider's metadata (${url}) names the issuer ${JSON.stringify(String(doc.issuer)).slice(0, 200)}, not OAUTH_ISSUER ${JSON.stringify(issuer)}; set OAUTH_ISSUER to exactly what the provider says.`)
    if (!fetchable(doc.jwks_uri)) throw new AppError('OAUTH_UNAVAILABLE', `The identity provider's metadata (${url}) has no https jwks_uri, so no token can be checked.`)
    return {
      issuer,
      jwksUri: doc.jwks_uri,
      ...(typeof doc.authorization_endpoint === 'string' ? { authorizationEndpoint: doc.authorization_endpoint } : {}),
      ...(typeof doc.token_endpoint === 'string' ? { tokenEndpoint: doc.token_endpoint } : {})
    }
  }
  throw new AppError('OAUTH_UNAVAILABLE', `The identity provider's metadata could not be read (${problems.join('; ')}), so sign-ins cannot be checked now.`)
}
