import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/lib/paths.js'

/** Starts the real CLI on an ephemeral port and resolves with its URL and the child process. */
async function startCli (env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: projectRoot(),
    // The session and audit files go to a state folder of the test's own.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'sah-cli-')), PORT: '0', LOG_LEVEL: 'warn', ...env },
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
  const body = await health.json() as { mode: string, cluster: string }
  assert.equal(body.mode, 'simulator')
  assert.match(body.cluster, /^127\.0\.0\.1:\d+$/)
  assert.match(output(), /SIMULATED CLUSTER/)
  assert.match(output(), /user "admin", password "admin"/)
  const token = /generated for this process only:\n\s+(\S+)/.exec(output())?.[1]
  assert.ok(token, output())
  assert.match(output(), /curl -s -X POST -H "Authorization: Bearer /)
  const ok = await fetch(`${url}/query_api`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"query":"list VMs"}' })
  assert.equal(ok.status, 200)
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  assert.equal(code, 0)
})

test('SIGINT answers a call waiting on a task at once, with its taskTag and a note, then exits 0', { timeout: 60_000 }, async (t) => {
  const token = 'a-token-that-is-long-enough'
  const { child, url, output } = await startCli({ MCP_BEARER_TOKEN: token, LOG_LEVEL: 'debug' })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const call = (body: unknown) => fetch(`${url}/run_api`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const vms = await (await call({ query: '/VirDomain', fields: ['uuid'] })).json() as { data: Array<{ uuid: string }> }
  const uuid = vms.data[0]?.uuid
  assert.ok(uuid)
  // A snapshot task takes the simulator over a second; the call waits for it while the signal arrives. The signal is
  // sent once the server has logged the cluster's answer to the POST, so the call is waiting on the task by then.
  const inflight = call({ query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: uuid, label: 'before-shutdown' }, wait: 30 })
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (/"method":"POST","path":"\/VirDomainSnapshot","status":200/.test(output())) {
        child.stdout.off('data', check)
        resolve()
      }
    }
    child.stdout.on('data', check)
    check()
  })
  child.kill('SIGINT')
  const res = await inflight
  assert.equal(res.status, 200)
  const body = await res.json() as { taskTag: string, task: { state: string }, notes: string[] }
  assert.match(body.taskTag, /\S/)
  assert.notEqual(body.task.state, 'ERROR')
  assert.ok(body.notes.some((n) => n.includes('shutting down') && n.includes(body.taskTag)), JSON.stringify(body.notes))
  const [code] = await once(child, 'exit')
  assert.equal(code, 0, output())
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

test('--help and --version print and exit 0; an unknown command prints the usage and exits 2', { timeout: 60_000 }, async () => {
  const run = async (...args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: projectRoot(), env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => { out += String(chunk) })
    child.stderr.on('data', (chunk) => { err += String(chunk) })
    const [code] = await once(child, 'exit')
    return { code, out, err }
  }
  const [help, version, unknown] = await Promise.all([run('--help'), run('-v'), run('stat')])
  assert.equal(help.code, 0)
  assert.match(help.out, /Usage:[\s\S]*scale-api-helper mcp[\s\S]*docs\/configuration\.md/)
  assert.equal(version.code, 0)
  assert.match(version.out, /^\d+\.\d+\.\d+\n$/)
  assert.equal(unknown.code, 2)
  assert.match(unknown.err, /^Unknown command "stat"\.\n\nscale-api-helper .*\n\nUsage:/)
  assert.equal(unknown.out, '')
})
