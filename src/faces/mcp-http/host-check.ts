import { isIP } from 'node:net'
import { localhostAllowedHostnames, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server'
import type { Config } from '../../config/config.js'
import { AppError } from '../../errors/app-error.js'

/** Which Host and Origin names `/mcp` accepts; `hosts: undefined` accepts any Host. */
export interface HostAllowList {
  hosts?: string[]
  origins: string[]
}

/** Whether an address we listen on only answers this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback (host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  return isIP(bare) === 4 && bare.startsWith('127.')
}

/**
 * The allow-list for `/mcp`: ALLOWED_HOSTS when set (`*` for any Host); otherwise the loopback names (plus
 * PUBLIC_URL's host) when listening on loopback or when PUBLIC_URL is set, and any Host when neither (then only
 * the bearer token protects the endpoint, as on any public address). Origins: the allowed host names, the loopback
 * names, PUBLIC_URL's host and CORS_ORIGINS' hosts; a request without Origin (every non-browser client) passes.
 */
export function hostAllowList (config: Pick<Config, 'host' | 'publicUrl' | 'corsOrigins' | 'mcp'>): HostAllowList {
  const loopback = localhostAllowedHostnames()
  const publicHost = config.publicUrl === undefined ? [] : [new URL(config.publicUrl).hostname]
  const given = config.mcp.allowedHosts
  let hosts: string[] | undefined
  if (given !== undefined) hosts = given.includes('*') ? undefined : given
  else if (isLoopback(config.host) || publicHost.length > 0) hosts = [...loopback, ...publicHost]
  const corsHosts = config.corsOrigins.flatMap((origin) => {
    try {
      return [new URL(origin).hostname]
    } catch {
      return []
    }
  })
  return { hosts, origins: [...new Set([...(hosts ?? []), ...loopback, ...publicHost, ...corsHosts])] }
}

/** Throws 403 HOST_NOT_ALLOWED or ORIGIN_NOT_ALLOWED unless both headers pass the allow-list (DNS-rebinding protection). */
export function checkHostAndOrigin (host: string | undefined, origin: string | undefined, allow: HostAllowList): void {
  if (allow.hosts !== undefined) {
    const checked = validateHostHeader(host, allow.hosts)
    if (!checked.ok) throw new AppError('HOST_NOT_ALLOWED', `${checked.message}. This server answers MCP only for ${allow.hosts.join(', ')}; add the name to ALLOWED_HOSTS if it is really this server.`)
  }
  const checked = validateOriginHeader(origin, allow.origins)
  if (!checked.ok) throw new AppError('ORIGIN_NOT_ALLOWED', `${checked.message}. Browser pages may reach /mcp only from ${allow.origins.join(', ')} (ALLOWED_HOSTS, CORS_ORIGINS).`)
}
