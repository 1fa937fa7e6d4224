/**
 * Small pieces the benchmarks share: bounded load loops, percentiles, and child processes (the simulator, the
 * server, peers) started from the command line and stopped by their own process id. Loopback only.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The checkout's root folder (bench/ sits in it). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The value at percentile `p` (0-100) of ascending `sorted`; 0 for none. */
export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

/** The median of `values` (any order); NaN for none. */
export function median (values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Runs `total` calls of `task`, `concurrency` at a time. */
export async function pool (concurrency: number, total: number, task: () => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker))
}

/** Runs `total` calls `concurrency` at a time, adding each call's latency (ms) to `latencies`; answers the wall-clock seconds. */
export async function timed (concurrency: number, total: number, call: () => Promise<unknown>, latencies: number[]): Promise<number> {
  const started = performance.now()
  await pool(concurrency, total, async () => {
    const t0 = performance.now()
    await call()
    latencies.push(performance.now() - t0)
  })
  return (performance.now() - started) / 1000
}

/** A free TCP port on 127.0.0.1 (for a child that must be told its port before it starts). */
export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** A child process and the first match of what it printed. */
export interface Started {
  child: ChildProcess
  match: RegExpExecArray
  /** Everything it printed on stdout and stderr so far (and on, as it prints). */
  output: () => string
}

/**
 * Spawns a command and resolves once its stdout or stderr matches `ready`; rejects when it exits first or after
 * `timeoutMs`. `detached` puts it in its own process group, which `stopProcess` then stops whole (npm start, sh -c).
 */
export async function startProcess (command: string, args: string[], opts: SpawnOptions & { ready: RegExp, timeoutMs?: number }): Promise<Started> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts })
  let out = ''
  return await new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => { fail(new Error(`${command} ${args.join(' ')} printed nothing matching ${String(opts.ready)} in ${opts.timeoutMs ?? 60_000} ms: ${out.slice(-2000)}`)) }, opts.timeoutMs ?? 60_000)
    const fail = (err: Error): void => {
      clearTimeout(timer)
      stopProcess(child).finally(() => reject(err))
    }
    const onData = (chunk: Buffer): void => {
      out += String(chunk)
      const match = opts.ready.exec(out)
      if (match === null) return
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve({ child, match, output: () => out })
    }
    const onExit = (code: number | null): void => { fail(new Error(`${command} ${args.join(' ')} exited with ${String(code)}: ${out.slice(-2000)}`)) }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

/** Stops a child started here (its whole process group when detached): SIGTERM, then SIGKILL after 5 s. */
export async function stopProcess (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  const pid = child.pid
  // A detached child leads its own group; the negative id reaches it and what it started (npm's sh, then node).
  const target = isGroupLeader(pid) ? -pid : pid
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(target, name)
      return true
    } catch {
      return false
    }
  }
  signal('SIGTERM')
  const timer = setTimeout(() => { signal('SIGKILL') }, 5000)
  await exited
  // What the leader started may outlive it for a moment (a server closing); wait for the group to be gone.
  if (target < 0) {
    for (let i = 0; i < 100 && signal(0); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    signal('SIGKILL')
  }
  clearTimeout(timer)
}

/**
 * In a forked simulator child: sends the parent what it needs to reach the simulator (its URL, account and
 * certificate, plus `extra`), and ends the child when the parent goes away, normally or not.
 */
export function announceSimulator<T extends object> (sim: SimulatorLike, extra: T): void {
  process.send?.({
    url: sim.url,
    username: sim.username,
    password: sim.password,
    certificate: { pem: sim.certificate?.pem ?? '', fingerprint256: sim.certificate?.fingerprint256 ?? '' },
    ...extra
  })
  process.once('disconnect', () => {
    sim.close().finally(() => process.exit(0))
  })
}

/** What announceSimulator reads of a started simulator. */
export interface SimulatorLike {
  url: string
  username: string
  password: string
  certificate?: { pem: string, fingerprint256: string }
  close: () => Promise<void>
}

/** Stops a forked child by closing its IPC channel (it exits on 'disconnect'); SIGKILL after 5 s. */
export async function stopForked (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  if (child.connected) child.disconnect()
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

function isGroupLeader (pid: number): boolean {
  try {
    // /proc/<pid>/stat: pid (comm) state ppid pgrp ...; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pid
  } catch {
    return false
  }
}

/** Resident memory of a process in bytes, from /proc (0 when it cannot be read). */
export function rssBytes (pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}
