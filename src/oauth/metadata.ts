import type { OAuthSettings } from './settings.js'

/** Where RFC 9728 metadata is served: for the whole server, and path-suffixed for the MCP endpoint. */
export const METADATA_PATH = '/.well-known/oauth-protected-resource'

/** The protected resource metadata (RFC 9728) of this server, or of its MCP endpoint (`/mcp`). */
export function protectedResourceMetadata (settings: OAuthSettings, mcp: boolean): Record<string, unknown> {
  return {
    resource: mcp ? `${settings.publicUrl}/mcp` : settings.publicUrl,
    authorization_servers: [settings.issuer],
    ...(settings.requiredScopes.length === 0 ? {} : { scopes_supported: settings.requiredScopes }),
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: settings.algorithms,
    resource_name: 'scale-api-helper',
    resource_documentation: `${settings.publicUrl}/docs`
  }
}

/** What a `WWW-Authenticate` challenge says besides the scheme. */
export interface Challenge {
  error?: 'invalid_token' | 'insufficient_scope'
  description?: string
  scope?: string
}

// A quoted-string of RFC 9110: no quotes, backslashes or control characters inside, and short.
function quoted (value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/["\\\u0000-\u001f\u007f]/g, ' ').slice(0, 300)}"`
}

/**
 * The `WWW-Authenticate` header of a 401 or 403: `Bearer`, with (when OAuth sign-in is on) the metadata URL that MCP
 * clients discover the identity provider from (RFC 9728 section 5.1), and the RFC 6750 error when there is one.
 */
export function challengeHeader (settings: OAuthSettings | undefined, mcp: boolean, challenge: Challenge = {}): string {
  const params: string[] = ['realm="scale-api-helper"']
  if (settings !== undefined) params.push(`resource_metadata=${quoted(`${settings.publicUrl}${METADATA_PATH}${mcp ? '/mcp' : ''}`)}`)
  if (challenge.error !== undefined) params.push(`error="${challenge.error}"`)
  if (challenge.description !== undefined) params.push(`error_description=${quoted(challenge.description)}`)
  if (challenge.scope !== undefined) params.push(`scope=${quoted(challenge.scope)}`)
  return `Bearer ${params.join(', ')}`
}
