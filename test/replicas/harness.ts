import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { projectRoot } from '../../src/lib/paths.js'
import { scratchFile } from '../helper.js'
import { watchOutput } from '../process-helper.js'

/** One server process of the harness. */
export interface Replica {
  name: string
  url: string
  audit: string
  child: ChildProcess
  /** Resolves when the replica's output matches (what it has printed so far counts). */
  output: (pattern: RegExp) => Promise<RegExpExecArray>
  kill: () => Promise<void>
}

/** Starts one replica (`node src/cli.ts start`) with these settings, on a port of its own; killed when the test ends. */
export async function startReplica (t: TestContext, name: string, env: Record<string, string>): Promise<Replica> {
  const dir = scratchFile(`replica-${name}`)
  mkdirSync(dir, { recursive: true })
  const audit = join(dir, 'audit.jsonl')
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_STATE_HOME: dir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SCALE_AUDIT_FILE: audit, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const { output, exited } = watchOutput(child)
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  t.after(kill)
  const url = (await output(/listening on (http:\/\/\S+)/))[1] ?? ''
  return { name, url, audit, child, output, kill }
}

/** HAProxy (Debian's) in front of the replicas: round robin, 2025-11-25 MCP sessions kept on the replica that made them. */
export interface Balancer {
  url: string
  stop: () => Promise<void>
}

/**
 * Starts HAProxy on a free loopback port. Each answer says which replica gave it (`x-replica`), so a test can show
 * that a token issued by one was used on another. The configuration is the one docs/team.md shows.
 */
export async function startBalancer (t: TestContext, replicas: readonly Replica[], port: number): Promise<Balancer> {
  const file = scratchFile('haproxy.cfg')
  writeFileSync(file, haproxyConfig(`127.0.0.1:${port}`, replicas.map((r) => ({ name: r.name, address: new URL(r.url).host }))))
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (chunk) => { err += String(chunk) })
  const exited = once(child, 'exit')
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  t.after(stop)
  // HAProxy prints nothing once it listens: its port taking a connection is the event.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${err}`)
    if (await accepts(port)) break
    if (attempt > 500) throw new Error(`haproxy did not listen on ${port}: ${err}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { url: `http://127.0.0.1:${port}`, stop }
}

async function accepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(false) })
  })
}

/** The HAProxy configuration of several replicas (shown in docs/team.md; a test keeps the two the same). */
export function haproxyConfig (bind: string, servers: ReadonlyArray<{ name: string, address: string }>): string {
  return [
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  # A request that could not reach a replica (never one that did) is sent to another.',
    '  retries 2',
    '  option redispatch 1',
    'frontend scale_api_helper',
    `  bind ${bind}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  # 2025-11-25 MCP sessions live in the replica that opened them: later requests of a session go there.',
    '  stick-table type string len 128 size 100k expire 30m',
    '  stick match req.hdr(mcp-session-id)',
    '  stick store-response res.hdr(mcp-session-id)',
    '  http-response set-header x-replica %s',
    '  # Liveness, not readiness: a replica whose cluster is down still answers query_api and the approval page.',
    '  option httpchk GET /health',
    '  # Start even while a replica\'s name does not resolve yet (containers start in any order).',
    '  default-server init-addr libc,none',
    ...servers.map((s) => `  server ${s.name} ${s.address} check inter 2s`),
    ''
  ].join('\n')
}
