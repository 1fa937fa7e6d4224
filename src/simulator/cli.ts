import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { LOG_LEVELS, loggerOptions } from '../observe/logger.js'
import { DEFAULT_CREDENTIALS, DEFAULT_SEED, DEFAULT_VMS, startSimulator, type RunningSimulator } from './index.js'
import { DEFAULT_ICOS_VERSION } from './seed.js'
import { startSimulatedFleet, type SimulatedFleet } from './fleet.js'
import { writeFileSync } from 'node:fs'

/** Help text of `scale-api-helper simulate`. */
export const SIMULATE_HELP = `Usage: scale-api-helper simulate [options]

Runs a simulated HyperCore 9.4 cluster on its own, until Ctrl+C.

Options:
  --port N             port to listen on (default 0: any free port)
  --host H             address to listen on (default 127.0.0.1); on a 127.x address the three nodes listen
                       on it and the two after it (127.0.0.1-3), which GET /Node reports as lanIP
  --vms N              number of VMs to seed (default ${DEFAULT_VMS})
  --seed N             seed of the generated data (default ${DEFAULT_SEED})
  --http               serve plain HTTP instead of HTTPS
  --username U         account to accept (default ${DEFAULT_CREDENTIALS.username})
  --password P         its password (default ${DEFAULT_CREDENTIALS.password})
  --task-ms N          how long each task takes, in milliseconds (default 1500)
  --node-addresses A   serve each node on its own address, comma-separated (e.g. 127.0.0.1,127.0.0.2,127.0.0.3);
                       GET /Node reports them as lanIP, and one node can be taken down (no virtual IP)
  --icos-version V     the HyperCore version GET /Cluster reports (default ${DEFAULT_ICOS_VERSION}); 9.7.1+ adds /rest/v2/openAPI.json
  --clusters N         serve a simulated fleet of N clusters (2-1000): store-01, store-02, ..., each on its own
                       port of 127.0.0.1 with its own nodes, VMs and seed; a few degraded on purpose (a failed
                       drive, a stopped VM, an update in progress, one unreachable)
  --fleet-manager      with --clusters: also serve a simulated SC//Fleet Manager API v2 over them
  --clusters-file F    with --clusters: write a SCALE_CLUSTERS_FILE for them to F (password from SIM_PASSWORD)
  --log-level L        fatal, error, warn, info, debug, trace or silent (default warn)
  -h, --help           show this help
`

/** Where the command writes, and how it waits for a stop signal (replaceable in tests). */
export interface SimulateIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Resolves when the process is asked to stop (SIGINT or SIGTERM by default). */
  stopSignal: () => Promise<string>
  /** Called once the simulator listens. */
  onStarted?: (sim: RunningSimulator) => void
}

function waitForSignal (): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

const defaultIo: SimulateIo = {
  stdout: (text) => { process.stdout.write(text) },
  stderr: (text) => { process.stderr.write(text) },
  stopSignal: waitForSignal
}

function integer (name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`)
  return n
}

/** Shell-quotes a value for the printed environment line when it needs it. */
function shellValue (value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`
}

/** The lines printed once the simulator listens: where it is, how to log in, and how to point the server at it. */
export function startBanner (sim: RunningSimulator, vms: number): string {
  const env = [
    `SCALE_HOST=${sim.url}`,
    `SCALE_USERNAME=${shellValue(sim.username)}`,
    `SCALE_PASSWORD=${shellValue(sim.password)}`,
    ...(sim.certificate === undefined ? [] : [`SCALE_TLS_FINGERPRINT=${sim.certificate.fingerprint256}`])
  ].join(' ')
  const curlTls = sim.certificate === undefined ? '' : ' -k'
  const basic = `curl${curlTls} -u ${shellValue(`${sim.username}:${sim.password}`)}`
  const nodes = sim.nodes.list()
  const scheme = new URL(sim.url).protocol
  return [
    'Simulated HyperCore 9.4 cluster (not a real cluster; data lives in memory only)',
    `  API:         ${sim.url}/rest/v1`,
    ...(nodes.length > 1 ? [`  nodes:       ${nodes.map((n) => `${scheme}//${n.host}:${n.port}`).join(', ')} (no virtual IP: each node serves the API)`] : []),
    `  username:    ${sim.username}`,
    `  password:    ${sim.password}`,
    ...(sim.certificate === undefined ? ['  TLS:         off (plain HTTP)'] : [`  certificate: self-signed, SHA-256 fingerprint ${sim.certificate.fingerprint256}`]),
    `  VMs:         ${vms}`,
    '',
    'Point scale-api-helper (or any HyperCore client) at it:',
    `  ${env} scale-api-helper start`,
    '',
    'Switch faults on and off while it runs (HTTP Basic with the credentials above):',
    `  ${basic} -H 'content-type: application/json' -d '{"errorRate":0.2,"latencyMs":300}' ${sim.url}/__simulator/faults`,
    `  ${basic} -X DELETE ${sim.url}/__simulator/faults`,
    `  ${basic} -X POST ${sim.url}/__simulator/expire-sessions`,
    'Run a firmware update (the API hangs, nodes reboot, then 502s) and watch it:',
    `  ${basic} -X POST ${sim.url}/__simulator/update`,
    `  curl${curlTls} ${sim.url}/update/update_status.json`,
    ...(nodes.length > 1 ? ['Take a node off the network and bring it back:', `  ${basic} -X POST ${sim.url}/__simulator/nodes/${nodes[1]?.host ?? ''}/down`, `  ${basic} -X POST ${sim.url}/__simulator/nodes/${nodes[1]?.host ?? ''}/up`] : []),
    '',
    'Press Ctrl+C to stop.',
    ''
  ].join('\n')
}

/** `scale-api-helper simulate`: runs the simulator until a stop signal; returns the exit code. */
export async function runSimulate (argv: string[], io: SimulateIo = defaultIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        vms: { type: 'string' },
        seed: { type: 'string' },
        http: { type: 'boolean' },
        username: { type: 'string' },
        password: { type: 'string' },
        'task-ms': { type: 'string' },
        'node-addresses': { type: 'string' },
        'icos-version': { type: 'string' },
        'log-level': { type: 'string' },
        clusters: { type: 'string' },
        'fleet-manager': { type: 'boolean' },
        'clusters-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    }).values
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${SIMULATE_HELP}`)
    return 2
  }
  if (values.help === true) {
    io.stdout(SIMULATE_HELP)
    return 0
  }
  if (values.clusters !== undefined) return await runFleet(values, io)
  if (values['fleet-manager'] === true || values['clusters-file'] !== undefined) {
    io.stderr(`--fleet-manager and --clusters-file go with --clusters.\n\n${SIMULATE_HELP}`)
    return 2
  }
  let sim: RunningSimulator
  let vms: number
  try {
    const level = (values['log-level'] as string | undefined) ?? 'warn'
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`)
    const port = integer('port', values.port as string | undefined, 0, 65535)
    vms = integer('vms', values.vms as string | undefined, 0, 100_000) ?? DEFAULT_VMS
    const seed = integer('seed', values.seed as string | undefined, 0, 0xffffffff)
    const taskDurationMs = integer('task-ms', values['task-ms'] as string | undefined, 0, 3_600_000)
    const username = values.username as string | undefined
    const password = values.password as string | undefined
    if (username === '' || password === '') throw new Error('--username and --password must not be empty')
    const addresses = values['node-addresses'] as string | undefined
    const nodeAddresses = addresses === undefined ? undefined : addresses.split(',').map((a) => a.trim())
    if (nodeAddresses !== undefined && values.host !== undefined) throw new Error('--host and --node-addresses do not go together: each node listens on its own address')
    const icosVersion = values['icos-version'] as string | undefined
    const logger = pino(loggerOptions(level), pino.destination(2))
    sim = await startSimulator({
      host: (values.host as string | undefined) ?? '127.0.0.1',
      ...(port === undefined ? {} : { port }),
      vms,
      ...(seed === undefined ? {} : { seed }),
      ...(taskDurationMs === undefined ? {} : { taskDurationMs }),
      tls: values.http !== true,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(nodeAddresses === undefined ? {} : { nodeAddresses }),
      ...(icosVersion === undefined ? {} : { icosVersion }),
      logger
    })
  } catch (err) {
    io.stderr(`Cannot start the simulator: ${(err as Error).message}\n`)
    return 1
  }
  io.stdout(startBanner(sim, vms))
  const outside = sim.nodes.list().map((n) => n.host).filter((h) => !['::1', 'localhost'].includes(h) && !h.startsWith('127.'))
  if (outside.length > 0) {
    io.stderr(`Warning: listening on ${outside.join(', ')}, beyond this machine, with the credentials above; anyone who can reach it can log in and switch faults.\n`)
  }
  io.onStarted?.(sim)
  const signal = await io.stopSignal()
  io.stderr(`Received ${signal}; stopping the simulator.\n`)
  await sim.close()
  return 0
}

// `simulate --clusters N`: a simulated fleet on loopback, until a stop signal.
async function runFleet (values: Record<string, string | boolean | undefined>, io: SimulateIo): Promise<number> {
  let fleet: SimulatedFleet
  let vms: number
  try {
    for (const alone of ['host', 'port', 'node-addresses', 'http', 'username', 'password', 'icos-version']) {
      if (values[alone] !== undefined) throw new Error(`--${alone} does not go with --clusters (each cluster gets its own port on 127.0.0.1 and the default account)`)
    }
    const count = integer('clusters', values.clusters as string | undefined, 2, 1000) ?? 2
    vms = integer('vms', values.vms as string | undefined, 0, 10_000) ?? DEFAULT_VMS
    const seed = integer('seed', values.seed as string | undefined, 0, 0xffffffff)
    const taskDurationMs = integer('task-ms', values['task-ms'] as string | undefined, 0, 3_600_000)
    const level = (values['log-level'] as string | undefined) ?? 'warn'
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`)
    fleet = await startSimulatedFleet({ count, vms, ...(seed === undefined ? {} : { seed }), ...(taskDurationMs === undefined ? {} : { taskDurationMs }), fleetManager: values['fleet-manager'] === true, logger: pino(loggerOptions(level), pino.destination(2)) })
  } catch (err) {
    io.stderr(`Cannot start the simulated fleet: ${(err as Error).message}\n`)
    return 1
  }
  const file = values['clusters-file'] as string | undefined
  try {
    if (file !== undefined) writeFileSync(file, clustersFileFor(fleet))
  } catch (err) {
    io.stderr(`Cannot write ${file ?? ''}: ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`)
    await fleet.close()
    return 1
  }
  io.stdout(fleetBanner(fleet, vms, file))
  const signal = await io.stopSignal()
  io.stderr(`Received ${signal}; stopping the simulated fleet.\n`)
  await fleet.close()
  return 0
}

/** SCALE_CLUSTERS_FILE for a simulated fleet: each cluster pinned by its certificate, the password from SIM_PASSWORD. */
export function clustersFileFor (fleet: SimulatedFleet): string {
  return [
    '# A simulated fleet (scale-api-helper simulate --clusters). Run the server with SIM_PASSWORD=admin.',
    'defaults: { username: admin, passwordEnv: SIM_PASSWORD }',
    'clusters:',
    ...fleet.clusters.map((c) => `  - { name: ${c.name}, host: "${c.sim.url}", tlsFingerprint: "${c.sim.certificate?.fingerprint256 ?? ''}", tags: [${c.tags.join(', ')}] }`),
    ''
  ].join('\n')
}

function fleetBanner (fleet: SimulatedFleet, vms: number, file: string | undefined): string {
  const shown = fleet.clusters.slice(0, 10)
  return [
    `Simulated HyperCore fleet: ${fleet.clusters.length} clusters of ${vms} VMs each (not real clusters; data lives in memory only)`,
    ...shown.map((c) => `  ${c.name.padEnd(10)} ${c.sim.url}/rest/v1  [${c.tags.join(', ')}]${c.degraded === '' ? '' : `  degraded: ${c.degraded}`}`),
    ...(fleet.clusters.length > shown.length ? [`  ... and ${fleet.clusters.length - shown.length} more`] : []),
    '  account:    admin / admin on every cluster',
    ...(fleet.fleetManager === undefined ? [] : [`  Fleet Manager API v2: ${fleet.fleetManager.url}/api/v2 (header api-key: ${fleet.fleetManager.apiKey})`]),
    '',
    file === undefined
      ? 'Write a SCALE_CLUSTERS_FILE for the server with --clusters-file FILE.'
      : `Point scale-api-helper at it:\n  SIM_PASSWORD=admin SCALE_CLUSTERS_FILE=${shellValue(file)} scale-api-helper start`,
    '',
    'Press Ctrl+C to stop.',
    ''
  ].join('\n')
}
