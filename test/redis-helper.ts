import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { TestContext } from 'node:test'
import { watchOutput } from './process-helper.js'

/** Whether a Debian binary is here; in CI a missing one is a failure, not a skip (CI installs it). */
export function needBinary (name: string): string | false {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0
  if (found) return false
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') throw new Error(`${name} is not installed; .ci/run installs it`)
  return `${name} is not installed (apt-get install ${name === 'redis-server' ? 'redis-server' : name})`
}

/** A free TCP port on 127.0.0.1 (for servers such as redis-server that cannot be told port 0). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  server.close()
  await once(server, 'close')
  return port
}

/** A redis-server of the test's own: no persistence, loopback only; restartable on the same port. */
export interface TestRedis {
  url: string
  port: number
  /** Kills the server (SIGKILL) and waits until it is gone. */
  kill: () => Promise<void>
  /** Starts it again on the same port (empty: nothing was persisted). */
  start: () => Promise<void>
}

/** Starts redis-server on a free loopback port, stopped when the test ends. */
export async function startTestRedis (t: TestContext): Promise<TestRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    await watchOutput(proc).output(/Ready to accept connections/)
  }
  const kill = async (): Promise<void> => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null) return
    const gone = once(proc, 'exit')
    proc.kill('SIGKILL')
    await gone
  }
  await start()
  t.after(kill)
  return { url: `redis://127.0.0.1:${port}`, port, kill, start }
}
