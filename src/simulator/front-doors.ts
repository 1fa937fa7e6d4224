import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import type { ConnectionBehaviour } from './update.js'

/** One node's address as the simulator serves it. */
export interface NodeEndpoint {
  nodeUUID: string
  host: string
  port: number
  /** True while the node accepts connections. */
  up: boolean
}

interface Door {
  endpoint: NodeEndpoint
  server: Server | undefined
  sockets: Set<Socket>
}

/** Where accepted connections go: the HTTP(S) server that parses them (it never listens itself). */
export interface ConnectionTarget {
  emit: (event: 'connection', socket: Socket) => boolean
}

function listen (server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => { reject(err) }
    server.once('error', onError)
    server.listen({ host, port }, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

/**
 * The TCP listeners in front of the simulated cluster, one per served node address. Each accepted connection is
 * handed to the HTTP(S) server, or, while the cluster is rebooting, dropped (a TLS error for the client) or left
 * hanging; a node taken down or a powered-off cluster closes its listener, so connections are refused.
 */
export class FrontDoors {
  readonly #doors = new Map<string, Door>()
  readonly #target: ConnectionTarget
  readonly #log: Logger
  #behaviour: () => ConnectionBehaviour

  constructor (target: ConnectionTarget, log: Logger, behaviour: () => ConnectionBehaviour = () => 'serve') {
    this.#target = target
    this.#log = log
    this.#behaviour = behaviour
  }

  /** Decides, per new connection, whether it is served, dropped or left hanging. */
  setBehaviour (behaviour: () => ConnectionBehaviour): void {
    this.#behaviour = behaviour
  }

  /** Opens a node's listener; answers the port it got (the given one, or a free one for 0). */
  async open (nodeUUID: string, host: string, port: number): Promise<number> {
    const door: Door = { endpoint: { nodeUUID, host, port, up: false }, server: undefined, sockets: new Set() }
    this.#doors.set(nodeUUID, door)
    try {
      await this.#listen(door, port)
    } catch (err) {
      this.#doors.delete(nodeUUID)
      throw err
    }
    return door.endpoint.port
  }

  /** Files an opened listener under another name: doors open before the nodes they serve have UUIDs. */
  assign (key: string, nodeUUID: string): void {
    this.#door(key).endpoint.nodeUUID = nodeUUID
    const entries = [...this.#doors].map(([k, door]): [string, Door] => [k === key ? nodeUUID : k, door])
    this.#doors.clear()
    for (const [k, door] of entries) this.#doors.set(k, door)
  }

  /** Closes every listener and forgets them all, to open a new set. */
  async forget (): Promise<void> {
    await this.closeAll()
    this.#doors.clear()
  }

  /** Every node's endpoint, in the order they were opened. */
  endpoints (): NodeEndpoint[] {
    return [...this.#doors.values()].map((d) => ({ ...d.endpoint }))
  }

  /** Takes one node off the network: its listener closes (connections refused) and its open connections drop. */
  async down (nodeUUID: string): Promise<void> {
    const door = this.#door(nodeUUID)
    await this.#close(door)
  }

  /** Brings one node back on the same address and port. */
  async up (nodeUUID: string): Promise<void> {
    const door = this.#door(nodeUUID)
    if (door.server === undefined) await this.#listen(door, door.endpoint.port)
  }

  /** Closes every listener and drops every connection (a powered-off cluster, or the simulator stopping). */
  async closeAll (): Promise<void> {
    await Promise.all([...this.#doors.values()].map(async (door) => { await this.#close(door) }))
  }

  /** Reopens every closed listener except those of the nodes in `keepDown`. */
  async openAll (keepDown: ReadonlySet<string> = new Set()): Promise<void> {
    for (const door of this.#doors.values()) {
      if (door.server === undefined && !keepDown.has(door.endpoint.nodeUUID)) await this.#listen(door, door.endpoint.port)
    }
  }

  /** Drops every open connection on every node (nodes rebooting), keeping the listeners. */
  dropConnections (): void {
    for (const door of this.#doors.values()) {
      for (const socket of door.sockets) socket.destroy()
      door.sockets.clear()
    }
  }

  #door (nodeUUID: string): Door {
    const door = this.#doors.get(nodeUUID)
    if (door === undefined) throw new Error(`no served node ${nodeUUID}`)
    return door
  }

  async #listen (door: Door, port: number): Promise<void> {
    const server = createServer({ pauseOnConnect: false }, (socket) => { this.#accept(door, socket) })
    door.endpoint.port = await listen(server, door.endpoint.host, port)
    door.server = server
    door.endpoint.up = true
  }

  async #close (door: Door): Promise<void> {
    const server = door.server
    door.server = undefined
    door.endpoint.up = false
    for (const socket of door.sockets) socket.destroy()
    door.sockets.clear()
    if (server === undefined) return
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  }

  #accept (door: Door, socket: Socket): void {
    // Errors on a dropped or abandoned socket are the point of the exercise, not something to report.
    socket.on('error', () => {})
    const behaviour = this.#behaviour()
    if (behaviour === 'drop') {
      socket.destroy()
      return
    }
    door.sockets.add(socket)
    socket.once('close', () => { door.sockets.delete(socket) })
    if (behaviour === 'hang') {
      this.#log.debug({ host: door.endpoint.host }, 'simulator connection left hanging (node down during an update)')
      return
    }
    this.#target.emit('connection', socket)
  }
}
