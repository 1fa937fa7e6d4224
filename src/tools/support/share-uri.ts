import { maskUriPasswords } from '../../gate/mask.js'
import { validationError } from '../../gate/normalise.js'

/** A share location as answers show it: the password inside it replaced by `***`. */
export function maskShareUri (uri: string): string {
  return maskUriPasswords(uri, '***')
}

/**
 * Checks that a location is a share the cluster can reach, e.g. `smb://user:password@server/share/folder`; the
 * refusal never repeats the value, which holds credentials.
 */
export function checkShareUri (tool: string, field: string, uri: string, schemes: readonly string[]): string {
  const trimmed = uri.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase()
  if (scheme === undefined || !schemes.includes(scheme)) {
    throw validationError(tool, [{ field, message: `must be a ${schemes.map((s) => `${s}://`).join(' or ')} location such as smb://user:password@server/share/folder` }])
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+\/\S+$/i.test(trimmed)) {
    throw validationError(tool, [{ field, message: 'must name a server and a share path, e.g. smb://user:password@server/share/folder, with no spaces (write a space as %20)' }])
  }
  return trimmed
}
