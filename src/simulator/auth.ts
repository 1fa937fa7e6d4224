import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { SimulatorState } from './state.js'

/** The account the simulator was started with. */
export interface Credentials {
  username: string
  password: string
}

/** Compares two secrets in time that does not depend on where they differ. */
export function sameSecret (a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was typed.
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

/** The `sessionID` cookie of a request, if it sent one. */
export function sessionIdOf (headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === 'sessionID') return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The user and password of an `Authorization: Basic` header; undefined when there is none or it is malformed. */
export function basicCredentials (headers: IncomingHttpHeaders): Credentials | undefined {
  const header = headers.authorization ?? ''
  if (!/^Basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** True when the pair is the simulator's account or a user created through the API with that password. */
export function checkCredentials (account: Credentials, state: SimulatorState, username: string, password: string): boolean {
  // Evaluate both comparisons so the time taken does not reveal which part was wrong.
  const userOk = sameSecret(username, account.username)
  const passOk = sameSecret(password, account.password)
  if (userOk && passOk) return true
  for (const user of state.collection('User').values()) {
    if (user.username !== username) continue
    const stored = state.passwords.get(user.uuid)
    return stored !== undefined && sameSecret(password, stored)
  }
  return false
}

/** True when the request carries HTTP Basic credentials of the simulator's own account (the control API's rule). */
export function isSimulatorAccount (headers: IncomingHttpHeaders, account: Credentials): boolean {
  const given = basicCredentials(headers)
  if (given === undefined) return false
  const userOk = sameSecret(given.username, account.username)
  const passOk = sameSecret(given.password, account.password)
  return userOk && passOk
}
