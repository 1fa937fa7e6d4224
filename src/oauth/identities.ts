import type { JWTPayload } from 'jose'
import { AppError } from '../errors/app-error.js'
import type { Caller, IdentityRule } from '../gate/identity.js'
import type { OAuthSettings } from './settings.js'

/** A value of a claim by a dotted path (`realm_access.roles`), or undefined. */
function claimAt (claims: JWTPayload, path: string): unknown {
  let value: unknown = claims
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

// Claims are the provider's: bounded and printable before they name a caller in the audit and the logs.
function clean (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return text === '' ? undefined : text.slice(0, 128)
}

/** The strings of a claim: an array of strings, or one string of values separated by spaces or commas. */
function values (value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').slice(0, 500)
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean).slice(0, 500)
  return []
}

/** The scopes a token carries: `scope` (RFC 8693/9068, space-separated) or Entra ID's `scp`. */
export function scopesOf (claims: JWTPayload): string[] {
  return [...new Set([...values(claims.scope), ...values(claimAt(claims, 'scp'))])]
}

/**
 * The caller a verified token stands for: named by the first of OAUTH_NAME_CLAIMS it carries, with the role and
 * scope of the first AUTH_FILE `identities` rule that matches (by group, or by name or `sub`). A person no rule
 * matches is FORBIDDEN: signing in proves who someone is, not what they may do here.
 */
export function callerFor (claims: JWTPayload, settings: Pick<OAuthSettings, 'nameClaims' | 'groupsClaim' | 'identities'>): Caller {
  const name = settings.nameClaims.map((c) => clean(claimAt(claims, c))).find((v) => v !== undefined)
  if (name === undefined) throw new AppError('UNAUTHORIZED', `The token names nobody: it has none of the claims ${settings.nameClaims.join(', ')}.`)
  const groups = new Set(values(claimAt(claims, settings.groupsClaim)))
  const sub = clean(claims.sub)
  const matches = (rule: IdentityRule): boolean => rule.group !== undefined
    ? groups.has(rule.group)
    : rule.user !== undefined && (rule.user.toLowerCase() === name.toLowerCase() || rule.user === sub)
  const rule = settings.identities.find(matches)
  if (rule === undefined) {
    throw new AppError('FORBIDDEN', `${name} is signed in, but no rule of AUTH_FILE's identities gives them a role (their ${settings.groupsClaim} claim has ${groups.size} value${groups.size === 1 ? '' : 's'}); ask the operator to add one.`)
  }
  return { name, role: rule.role, ...(rule.scope === undefined ? {} : { scope: rule.scope }) }
}
