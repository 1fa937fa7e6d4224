import { subscribe } from 'node:diagnostics_channel'
import { isIPv4, isIPv6, type Socket } from 'node:net'

/** True for an address on this machine: 127.0.0.0/8, ::1 (bare, in brackets or IPv4-mapped) or localhost. */
export function isLoopback (host: string): boolean {
  const bare = (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase()
  if (bare === 'localhost') return true
  if (isIPv4(bare)) return bare.startsWith('127.')
  if (!isIPv6(bare)) return false
  const mapped = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : undefined
  return bare === '::1' || (mapped !== undefined && isIPv4(mapped) && mapped.startsWith('127.'))
}

/** The wildcards a listener binds to; never an address a client is given. */
export function isWildcard (host: string): boolean {
  return ['0.0.0.0', '::', '[::]'].includes(host)
}

let installed = false

/**
 * Fails the test process (an uncaught error, so the running test fails) when anything in it dials beyond this
 * machine: every undici connection (our HyperCore and LLM clients, fetch, test helpers) is checked before it is
 * made, every net.connect once it has its peer address.
 */
export function guardLoopbackDials (): void {
  if (installed) return
  installed = true
  subscribe('undici:client:beforeConnect', (message) => {
    const { hostname } = (message as { connectParams: { hostname: string } }).connectParams
    // A name is judged by the address it resolves to (below): tests point other names at 127.0.0.1 on purpose.
    const literal = isIPv4(hostname) || isIPv6(hostname.replace(/^\[|\]$/g, ''))
    if (literal && !isLoopback(hostname)) throw new Error(`A test connected to ${hostname}, outside 127.0.0.0/8 and ::1: tests never reach beyond this machine`)
  })
  subscribe('net.client.socket', (message) => {
    const socket = (message as { socket: Socket }).socket
    socket.once('connect', () => {
      const peer = socket.remoteAddress ?? ''
      if (peer === '' || isLoopback(peer)) return
      socket.destroy()
      throw new Error(`A test connected to ${peer}, outside 127.0.0.0/8 and ::1: tests never reach beyond this machine`)
    })
  })
}
