import { pino, type Logger } from 'pino'
import { Catalog } from '../catalog/catalog.js'
import type { ClusterConfig } from '../scale/cluster-config.js'
import { AppError } from '../errors/app-error.js'
import { fingerprintOf, generateCertificate } from './certificate.js'
import { systemClock, type SimClock } from './clock.js'
import type { SimContext } from './context.js'
import type { ClusterControl, ServedNode } from './control-routes.js'
import { Faults, type FaultControl } from './faults.js'
import { FrontDoors, type ConnectionTarget } from './front-doors.js'
import { HttpError } from './http-error.js'
import { createRng } from './prng.js'
import { DEFAULT_ICOS_VERSION, seedState } from './seed.js'
import { versionAtLeast } from './spec.js'
import { buildSimulatorServer } from './server.js'
import { LoginSessions } from './sessions.js'
import type { SimulatorState } from './state.js'
import { TaskEngine } from './tasks.js'
import { ClusterUpdate, updateDurations, type UpdatePhaseDurations } from './update.js'

export { ManualClock, type SimClock } from './clock.js'
export type { ServedNode } from './control-routes.js'
export type { FaultControl } from './faults.js'
export type { SimulatorState } from './state.js'
export type { TaskTagStatus } from './tasks.js'
export type { BlockDeviceRecord, NetDeviceRecord, SimRecord, SnapshotRecord, VmRecord, VmState } from './types.js'
export type { ClusterUpdate, UpdatePhaseDurations } from './update.js'

/** How to start a simulated HyperCore 9.4 cluster; every field is optional. */
export interface SimulatorOptions {
  /**
   * Address to listen on (default 127.0.0.1); ignored when `nodeAddresses` is given. On a 127.x address the three
   * nodes listen on it and the next two addresses (127.0.0.1-3 by default), which `GET /Node` reports as `lanIP`;
   * elsewhere (a wildcard, ::1, a name) one listener serves every node and each reports that one address.
   */
  host?: string
  /** Port to listen on (default 0: any free port); with `nodeAddresses`, every node gets this port when it is free. */
  port?: number
  /** Serve HTTPS with a self-signed certificate made at start (default true); false serves plain HTTP. */
  tls?: boolean
  /** The account to accept (default admin / admin). */
  username?: string
  password?: string
  /** How many VMs to seed (default 12, a realistic small cluster; thousands for scale tests). */
  vms?: number
  /** Seed of the data generator; the same seed gives the same cluster (default fixed). */
  seed?: number
  /** How long a task takes to go QUEUED, RUNNING, COMPLETE (default 1500 ms). */
  taskDurationMs?: number
  /** A session ends after this long without a call (default 12 hours). */
  sessionIdleMs?: number
  /** The API catalogue that decides routes and request validation (default: the bundled HyperCore 9.4 one). */
  catalog?: Catalog
  /** Where the simulator logs (default: nowhere). Passwords and session IDs are never logged. */
  logger?: Logger
  /** The time source for tasks, sessions, usage figures and update phases (default: the wall clock; tests pass a ManualClock). */
  clock?: SimClock
  /**
   * Serve every node on its own address, as a cluster without a virtual IP does: one node per address, its
   * `lanIP` set to it, all sharing one state (e.g. 127.0.0.1, 127.0.0.2, 127.0.0.3; Linux routes all of 127/8 to lo).
   */
  nodeAddresses?: string[]
  /** The HyperCore version `GET /Cluster` reports (default 9.4.30.217736); from 9.7.1 `/rest/v2/openAPI.json` answers. */
  icosVersion?: string
  /** How long each phase of an update lasts (default DEFAULT_UPDATE_PHASES_MS). */
  updatePhasesMs?: Partial<UpdatePhaseDurations>
}

/** A started simulator. */
export interface RunningSimulator {
  /** Origin of the first node, e.g. `https://127.0.0.1:43211`; the API is under `/rest/v1`. */
  url: string
  username: string
  password: string
  /** The self-signed certificate when serving HTTPS (updated if `POST /Certificate` replaces it). */
  certificate?: { pem: string, fingerprint256: string }
  /** Run-time fault injection. */
  faults: FaultControl
  /** The in-memory data, for tests to inspect. */
  state: SimulatorState
  /** The task engine, for tests that want every pending task finished now (`tasks.drain()`). */
  tasks: TaskEngine
  /** The simulator's clock. */
  clock: SimClock
  /** The update machinery: `phase`, `step()`, `statusDocument()`. */
  update: ClusterUpdate
  /** Starts an update as `POST /Update/{version}/apply` does (default: the first available update). */
  startUpdate: (toVersion?: string, phasesMs?: Partial<UpdatePhaseDurations>) => void
  /** The served nodes, and switches to take one off the network and bring it back (by UUID, lanIP or peerID). */
  nodes: { list: () => ServedNode[], down: (ref: string) => Promise<ServedNode>, up: (ref: string) => Promise<ServedNode> }
  /** False once `POST /Cluster/shutdown` has taken the cluster off the network. */
  readonly poweredOn: boolean
  /** Brings a shut-down cluster back (the test hook for "someone pressed the power buttons"). */
  powerOn: () => Promise<void>
  /** Resolves once every pending listener change (shutdown, node down/up, update reboot) has finished. */
  whenStable: () => Promise<void>
  /** Stops the server and every timer. */
  close: () => Promise<void>
}

/** How a HyperCore client reaches a simulator: its URL and account, trusting exactly its certificate by fingerprint. */
export function clusterConfigFor (sim: Pick<RunningSimulator, 'url' | 'username' | 'password' | 'certificate'>, overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    url: sim.url,
    username: sim.username,
    password: sim.password,
    auth: 'local',
    timeoutMs: 30_000,
    tlsFingerprint: sim.certificate?.fingerprint256,
    insecureTls: false,
    ...overrides
  }
}

/** The seed used when none is given. */
export const DEFAULT_SEED = 0x9401
/** The default number of seeded VMs. */
export const DEFAULT_VMS = 12
/** The default account of the simulated cluster. */
export const DEFAULT_CREDENTIALS = { username: 'admin', password: 'admin' } as const
const MAX_VMS = 100_000
const MAX_NODES = 8

function urlHost (host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host
}

// The addresses the default three nodes listen on: a loopback host and the two after it, else the one host.
function defaultNodeHosts (host: string): string[] {
  const loopback = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (loopback === null || Number(loopback[3]) > 252) return [host]
  return [0, 1, 2].map((k) => `127.${loopback[1] as string}.${loopback[2] as string}.${Number(loopback[3]) + k}`)
}

// The address a node served by a shared listener reports: one a client on this machine can reach.
function reachableHost (host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
}

const SEEDED_NODES = 3
const PORT_TRIES = 4

/**
 * Opens one listener per address (keys `door-<i>`), on one port when it can: a client that learns a node's lanIP
 * uses the configured port with it. Answers each node's lanIP: its own address, or, for a default node whose
 * address this system cannot serve on that port (no 127.0.0.2 on macOS), the first listener's address.
 */
async function openDoors (doors: FrontDoors, hosts: string[], port: number, explicit: boolean): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const shared = await doors.open('door-0', hosts[0] as string, port)
    const lanIPs = [reachableHost(hosts[0] as string)]
    let retry = false
    for (const [i, host] of hosts.entries()) {
      if (i === 0) continue
      try {
        await doors.open(`door-${i}`, host, shared)
        lanIPs.push(host)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        // Some other listener has the port on this address: with a port of our choosing, try another for all.
        if (code === 'EADDRINUSE' && port === 0 && attempt < PORT_TRIES) {
          retry = true
          break
        }
        if (explicit) {
          if (code !== 'EADDRINUSE') throw err
          await doors.open(`door-${i}`, host, 0)
          lanIPs.push(host)
        } else {
          if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw err
          lanIPs.push(lanIPs[0] as string)
        }
      }
    }
    if (!retry) {
      // One listener for the whole cluster: every seeded node is reached, and reports itself, through it.
      return explicit ? lanIPs : [...lanIPs, ...Array<string>(Math.max(0, SEEDED_NODES - lanIPs.length)).fill(lanIPs[0] as string)]
    }
    await doors.forget()
  }
}

function checkOptions (opts: SimulatorOptions): void {
  const invalid = (message: string): AppError => new AppError('SIMULATOR_OPTIONS_INVALID', message, 500)
  const vms = opts.vms ?? DEFAULT_VMS
  if (!Number.isInteger(vms) || vms < 0 || vms > MAX_VMS) throw invalid(`vms must be a whole number from 0 to ${MAX_VMS}`)
  if (opts.username === '' || opts.password === '') throw invalid('username and password must not be empty')
  const addresses = opts.nodeAddresses
  if (addresses !== undefined) {
    if (addresses.length < 1 || addresses.length > MAX_NODES) throw invalid(`nodeAddresses must list 1 to ${MAX_NODES} addresses`)
    if (new Set(addresses).size !== addresses.length) throw invalid('nodeAddresses must not repeat an address')
    if (addresses.some((a) => a.trim() === '')) throw invalid('nodeAddresses must not hold an empty address')
  }
  if (opts.icosVersion !== undefined && !/^\d+\.\d+\.\d+\.\d+$/.test(opts.icosVersion)) throw invalid('icosVersion must look like 9.4.30.217736')
  try {
    updateDurations(opts.updatePhasesMs)
  } catch (err) {
    throw invalid((err as Error).message)
  }
}

/** Starts a simulated HyperCore 9.4 cluster on its own HTTP(S) listener(s). */
export async function startSimulator (opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  checkOptions(opts)
  const username = opts.username ?? DEFAULT_CREDENTIALS.username
  const password = opts.password ?? DEFAULT_CREDENTIALS.password
  const vms = opts.vms ?? DEFAULT_VMS
  const log = opts.logger ?? pino({ level: 'silent' })
  const clock = opts.clock ?? systemClock
  const explicit = opts.nodeAddresses !== undefined
  const hosts = opts.nodeAddresses ?? defaultNodeHosts(opts.host ?? '127.0.0.1')

  const catalog = opts.catalog ?? await Catalog.load()
  const seed = opts.seed ?? DEFAULT_SEED
  const generated = opts.tls === false ? undefined : await generateCertificate(hosts)

  // Listener changes run one after another; whenStable() waits for the queue.
  let pending: Promise<void> = Promise.resolve()
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const result = pending.then(work)
    pending = result.then(() => {}, () => {})
    return result
  }
  const failed = (what: string) => (err: unknown): void => { log.error({ err }, `simulator ${what} failed`) }
  // The listeners hand connections to the HTTP(S) server, which exists only once the app is built below.
  const target: { server?: ConnectionTarget } = {}
  const doors = new FrontDoors({
    emit (event, socket) {
      if (target.server !== undefined) return target.server.emit(event, socket)
      socket.destroy()
      return false
    }
  }, log)
  // Listening comes first: each node's lanIP is the address that really serves it.
  let lanIPs: string[]
  try {
    lanIPs = await openDoors(doors, hosts, opts.port ?? 0, explicit)
  } catch (err) {
    await doors.closeAll()
    throw err
  }
  const state = seedState({ seed, vms, username, nodeAddresses: lanIPs, icosVersion: opts.icosVersion ?? DEFAULT_ICOS_VERSION })
  const seededNodes = [...state.nodes.values()]
  // Without a listener of its own a node is served by the first one (under the first node's name).
  for (const { nodeUUID: key } of doors.endpoints()) {
    const node = seededNodes[Number(key.slice('door-'.length))]
    if (node !== undefined) doors.assign(key, node.uuid)
  }
  const tasks = new TaskEngine({ durationMs: opts.taskDurationMs ?? 1500, log, clock })
  const sessions = new LoginSessions(opts.sessionIdleMs ?? 12 * 3600 * 1000, clock)
  const faults = new Faults(createRng(seed ^ 0x5eed), () => { sessions.expireAll() })
  let poweredOn = true

  const update = new ClusterUpdate({
    clock,
    durations: updateDurations(opts.updatePhasesMs),
    onPhase (phase, run) {
      log.info({ phase, toVersion: run.toVersion }, 'simulated update phase')
      // The REST backend restarts: sessions do not survive, hanging calls die with their connections, and connections
      // left hanging while the node was down are reset when it comes back. Deferred so a caller that asked for this
      // step still gets its answer.
      if (phase === 'reboot-tls') sessions.expireAll()
      if (phase === 'reboot-tls' || phase === 'reboot-down' || phase === 'starting') {
        enqueue(async () => {
          await new Promise((resolve) => setImmediate(resolve))
          doors.dropConnections()
        }).catch(failed('update reboot'))
      }
      if (phase === 'done') {
        state.cluster().icosVersion = run.toVersion
        // A cluster offers only updates newer than what it runs: the one just installed (and any older) leaves the list.
        const updates = state.collection('Update')
        for (const version of [...updates.keys()]) if (versionAtLeast(run.toVersion, version)) updates.delete(version)
      }
    }
  })
  const sim: SimContext = { state, tasks, log, clock, update }
  sim.powerOff = () => {
    poweredOn = false
    log.warn('simulated cluster shut down: every node stops accepting connections')
    // Deferred so the request whose task triggered this can still be answered.
    enqueue(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      await doors.closeAll()
    }).catch(failed('power off'))
  }

  const nodeRecords = (): Array<{ uuid: string, lanIP: string, peerID: number }> =>
    [...state.nodes.values()].map((n) => ({ uuid: n.uuid, lanIP: String(n.lanIP), peerID: Number(n.peerID) }))
  const served = (): ServedNode[] => {
    const records = nodeRecords()
    return doors.endpoints().map((e) => {
      const record = records.find((r) => r.uuid === e.nodeUUID)
      return { ...e, lanIP: record?.lanIP ?? e.host, peerID: record?.peerID ?? 0 }
    })
  }
  const findNode = (ref: string): ServedNode => {
    const node = served().find((n) => n.nodeUUID === ref || n.lanIP === ref || n.host === ref || String(n.peerID) === ref)
    if (node === undefined) throw new HttpError(404, `No served node "${ref}"; use a node UUID, lanIP or peerID from GET /__simulator/nodes`)
    return node
  }
  const setNode = async (ref: string, up: boolean): Promise<ServedNode> => {
    const node = findNode(ref)
    await enqueue(async () => {
      if (up) {
        state.downNodes.delete(node.nodeUUID)
        if (poweredOn) await doors.up(node.nodeUUID)
      } else {
        state.downNodes.add(node.nodeUUID)
        await doors.down(node.nodeUUID)
      }
    })
    log.info({ node: node.host, up }, up ? 'simulated node back up' : 'simulated node taken down')
    return findNode(node.nodeUUID)
  }
  const startUpdate = (toVersion?: string, phasesMs?: Partial<UpdatePhaseDurations>): void => {
    const target = toVersion ?? [...state.collection('Update').keys()][0]
    if (target === undefined) throw new HttpError(400, 'No update is available; name one with toVersion')
    const cluster = state.cluster()
    if (cluster.icosVersion === target) throw new HttpError(400, `HyperCore ${target} is already installed`)
    update.start(String(cluster.icosVersion), target, { ...(phasesMs === undefined ? {} : { durations: phasesMs }), node: nodeRecords()[0]?.lanIP ?? '' })
  }
  const control: ClusterControl = {
    nodes: served,
    findNode,
    nodeDown: async (ref) => await setNode(ref, false),
    nodeUp: async (ref) => await setNode(ref, true),
    startUpdate
  }

  let app: Awaited<ReturnType<typeof buildSimulatorServer>>
  try {
    app = await buildSimulatorServer({
      sim,
      sessions,
      faults,
      catalog,
      credentials: { username, password },
      cluster: control,
      ...(generated === undefined ? {} : { tls: { key: generated.key, cert: generated.pem } }),
      logger: log
    })
    await app.ready()
  } catch (err) {
    tasks.close()
    update.close()
    await doors.closeAll()
    throw err
  }
  target.server = app.server
  doors.setBehaviour(() => update.connectionBehaviour())
  const scheme = generated === undefined ? 'http' : 'https'
  const first = doors.endpoints()[0] as { host: string, port: number }
  const url = `${scheme}://${urlHost(first.host)}:${first.port}`

  const running: RunningSimulator = {
    url,
    username,
    password,
    ...(generated === undefined ? {} : { certificate: { pem: generated.pem, fingerprint256: generated.fingerprint256 } }),
    faults,
    state,
    tasks,
    clock,
    update,
    startUpdate,
    nodes: { list: served, down: control.nodeDown, up: control.nodeUp },
    get poweredOn () { return poweredOn },
    async powerOn () {
      await enqueue(async () => {
        poweredOn = true
        await doors.openAll(state.downNodes)
      })
      log.info('simulated cluster powered on')
    },
    whenStable: async () => { await pending },
    async close () {
      tasks.close()
      update.close()
      await pending
      await doors.closeAll()
      await app.close()
    }
  }
  const replace = sim.replaceCertificate
  if (replace !== undefined) {
    sim.replaceCertificate = (cert, key) => {
      replace(cert, key)
      running.certificate = { pem: cert, fingerprint256: fingerprintOf(cert) }
      log.info({ fingerprint256: running.certificate.fingerprint256 }, 'simulator certificate replaced')
    }
  }
  log.info({ url, nodes: doors.endpoints().map((e) => `${scheme}://${urlHost(e.host)}:${e.port}`), vms, tls: generated !== undefined }, 'simulated HyperCore cluster listening')
  return running
}
