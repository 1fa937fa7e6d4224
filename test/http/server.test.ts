import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { projectRoot } from '../../src/paths.js'

/** Starts the real CLI on an ephemeral port and resolves with its URL and the child process. */
async function startCli (env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stderr.on('data', (chunk) => { out += String(chunk) })
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += String(chunk)
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)))
  })
  return { child, url, output: () => out }
}

test('the CLI starts, prints a generated token with a curl line, and exits 0 on SIGTERM', { timeout: 60_000 }, async (t) => {
  const { child, url, output } = await startCli({})
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const health = await fetch(`${url}/health`)
  assert.equal(health.status, 200)
  const token = /generated for this process only:\n\s+(\S+)/.exec(output())?.[1]
  assert.ok(token, output())
  assert.match(output(), /curl -s -X POST -H "Authorization: Bearer /)
  const ok = await fetch(`${url}/query_api`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"query":"list VMs"}' })
  assert.equal(ok.status, 200)
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  assert.equal(code, 0)
})

test('a bad variable stops the start with a message naming it', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', MCP_BEARER_TOKEN: ' ' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let err = ''
  child.stderr.on('data', (chunk) => { err += String(chunk) })
  const [code] = await once(child, 'exit')
  assert.equal(code, 1)
  assert.match(err, /MCP_BEARER_TOKEN/)
})
