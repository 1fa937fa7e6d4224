import type { IdentityRule } from '../gate/identity.js'

/** Signing algorithms a token may use unless OAUTH_ALGORITHMS says otherwise: asymmetric only, never `none`. */
export const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const

/** Every asymmetric JWS algorithm jose verifies; symmetric ones (HS*) make no sense with an issuer's published keys. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

/** Sign-in with the organisation's identity provider, as read from the environment (OAUTH_*) and AUTH_FILE. */
export interface OAuthSettings {
  /** The issuer URL, exactly as the provider's metadata and tokens say it. */
  issuer: string
  /** Audiences a token may be for (RFC 8707 resource indicators): PUBLIC_URL and PUBLIC_URL/mcp by default. */
  audiences: string[]
  /** This server's public origin: the resource the metadata describes. */
  publicUrl: string
  algorithms: string[]
  /** Scopes every token must carry (403 insufficient_scope without); also advertised in the metadata. */
  requiredScopes: string[]
  /** Claims tried in order for the person's name. */
  nameClaims: string[]
  /** The claim with the person's groups or roles (a dotted path such as realm_access.roles). */
  groupsClaim: string
  /** AUTH_FILE's `identities`: the first that matches gives the role and scope. */
  identities: IdentityRule[]
  /** Seconds of clock difference accepted on exp and nbf. */
  clockToleranceSeconds: number
  /** The client the approval page signs approvers in as (OAUTH_CLIENT_ID, and a secret for a confidential one). */
  approvalClient?: { id: string, secret?: string }
}
