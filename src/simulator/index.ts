import { pino, type Logger } from 'pino'
import { Catalog } from '../catalog/catalog.js'
import type { ClusterConfig } from '../config.js'
import { AppError } from '../errors.js'
import { fingerprintOf, generateCertificate } from './certificate.js'
import type { SimContext } from './context.js'
import { Faults, type FaultControl } from './faults.js'
import { createRng } from './prng.js'
import { seedState } from './seed.js'
import { buildSimulatorServer } from './server.js'
import { SessionStore } from './sessions.js'
import type { SimulatorState } from './state.js'
import { TaskEngine } from './tasks.js'

export type { FaultControl, FaultSettings } from './faults.js'
export type { SimulatorState } from './state.js'
export type { TaskTagStatus } from './tasks.js'
export type { BlockDeviceRecord, NetDeviceRecord, SimRecord, SnapshotRecord, VmRecord, VmState } from './types.js'

/** How to start a simulated HyperCore 9.4 cluster; every field is optional. */
export interface SimulatorOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  /** Port to listen on (default 0: any free port). */
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
}

/** A started simulator. */
export interface RunningSimulator {
  /** Origin, e.g. `https://127.0.0.1:43211`; the API is under `/rest/v1`. */
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

/** Starts a simulated HyperCore 9.4 cluster on its own HTTP(S) server. */
export async function startSimulator (opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = opts.host ?? '127.0.0.1'
  const username = opts.username ?? DEFAULT_CREDENTIALS.username
  const password = opts.password ?? DEFAULT_CREDENTIALS.password
  const vms = opts.vms ?? DEFAULT_VMS
  if (!Number.isInteger(vms) || vms < 0 || vms > MAX_VMS) throw new AppError('SIMULATOR_OPTIONS_INVALID', `vms must be a whole number from 0 to ${MAX_VMS}`, 500)
  if (username === '' || password === '') throw new AppError('SIMULATOR_OPTIONS_INVALID', 'username and password must not be empty', 500)
  const log = opts.logger ?? pino({ level: 'silent' })

  const catalog = opts.catalog ?? await Catalog.load()
  const seed = opts.seed ?? DEFAULT_SEED
  const state = seedState({ seed, vms, username })
  const tasks = new TaskEngine({ durationMs: opts.taskDurationMs ?? 1500, log })
  const sessions = new SessionStore(opts.sessionIdleMs ?? 12 * 3600 * 1000)
  const faults = new Faults(createRng(seed ^ 0x5eed), () => { sessions.expireAll() })
  const generated = opts.tls === false ? undefined : await generateCertificate(host)
  const sim: SimContext = { state, tasks, log }

  const app = await buildSimulatorServer({
    sim,
    sessions,
    faults,
    catalog,
    credentials: { username, password },
    ...(generated === undefined ? {} : { tls: { key: generated.key, cert: generated.pem } }),
    logger: log
  })
  try {
    await app.listen({ host, port: opts.port ?? 0 })
  } catch (err) {
    tasks.close()
    throw err
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : opts.port ?? 0
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host
  const url = `${generated === undefined ? 'http' : 'https'}://${urlHost}:${port}`

  const running: RunningSimulator = {
    url,
    username,
    password,
    ...(generated === undefined ? {} : { certificate: { pem: generated.pem, fingerprint256: generated.fingerprint256 } }),
    faults,
    state,
    tasks,
    async close () {
      tasks.close()
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
  log.info({ url, vms, tls: generated !== undefined }, 'simulated HyperCore cluster listening')
  return running
}
