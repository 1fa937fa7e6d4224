import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { projectRoot } from '../../src/lib/paths.js'

// `npm start` builds first when a source is newer than dist/ (tsc takes a while on a busy machine).
test('SIGTERM to `npm start` stops the server it started and frees the port', { timeout: 240_000, skip: process.platform === 'win32' ? 'no SIGTERM on Windows' : false }, async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'sah-npm-'))
  const npm = spawn('npm', ['start'], {
    cwd: projectRoot(),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? state,
      XDG_STATE_HOME: state,
      PORT: '0',
      LOG_LEVEL: 'info',
      MCP_BEARER_TOKEN: 'a-token-that-is-long-enough',
      // npm must not look for a newer npm on the network.
      npm_config_update_notifier: 'false'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  npm.stdout.on('data', (chunk) => { out += String(chunk) })
  npm.stderr.on('data', (chunk) => { out += String(chunk) })
  // 'close' comes once npm has exited and every process holding its output (the server included) has too.
  const closed = once(npm, 'close')
  let serverPid: number | undefined
  t.after(() => {
    // A server left behind by a failure must not outlive the test.
    if (serverPid !== undefined) try { process.kill(serverPid, 'SIGKILL') } catch {}
    if (npm.exitCode === null) npm.kill('SIGKILL')
  })

  const port = await new Promise<number>((resolve, reject) => {
    const look = (): void => {
      const listening = /listening on http:\/\/[^\s:]+:(\d+)/.exec(out)
      // pino stamps every line with the process ID: the server's own, not npm's.
      const pid = /"pid":(\d+)/.exec(out)
      if (listening?.[1] !== undefined && pid?.[1] !== undefined) {
        npm.stdout.off('data', look)
        serverPid = Number(pid[1])
        resolve(Number(listening[1]))
      }
    }
    npm.stdout.on('data', look)
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code} before the server was up:\n${out}`)))
  })
  assert.notEqual(serverPid, npm.pid, 'the server runs in a process of its own under npm')

  npm.kill('SIGTERM')
  await closed
  assert.match(out, /shutting down/, out)
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  })
  assert.equal(refused, 'ECONNREFUSED', 'nothing listens on the port any more')
})
