import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { projectRoot } from '../../src/lib/paths.js'
import { AuditLog, reopenAuditFiles, type AuditEntry } from '../../src/gate/audit.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { buildTestApp, captureLogs, rejection, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { watchOutput } from '../process-helper.js'

const ADMIN = 'admin-token-0123456789abcdef'

function entry (id: string): AuditEntry {
  return { id, time: '2026-11-25T12:00:00.000Z', phase: 'decision', caller: 'ada', role: 'admin', transport: 'http', tool: 'run_api', decision: 'allowed', calls: [{ method: 'POST', path: '/VirDomainSnapshot' }] }
}

/** A fresh folder with an audit log in it, closed when the test ends. */
function setup (t: TestContext): { dir: string, file: string, audit: AuditLog, ids: (file: string) => string[] } {
  const dir = scratchFile('audit-dir')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'audit.jsonl')
  const audit = AuditLog.open(file, captureLogs().logger)
  t.after(() => audit.close())
  const ids = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as AuditEntry).id)
  return { dir, file, audit, ids }
}

test('after the audit file is moved away, the next line goes to a new 0600 file at the path and read() shows it', async (t) => {
  const { file, audit, ids } = setup(t)
  await audit.write(entry('before'))
  renameSync(file, `${file}.1`)
  await audit.write(entry('after'))
  assert.deepEqual(ids(file), ['after'])
  assert.deepEqual(ids(`${file}.1`), ['before'], 'the rotated file keeps what it had and gets nothing more')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.deepEqual((await audit.read()).map((e) => e.id), ['after'])
})

test('after the audit file is deleted, the next line recreates it', async (t) => {
  const { file, audit, ids } = setup(t)
  await audit.write(entry('one'))
  rmSync(file)
  await audit.write(entry('two'))
  await audit.write(entry('three'))
  assert.deepEqual(ids(file), ['two', 'three'])
  assert.deepEqual((await audit.read()).map((e) => e.id), ['three', 'two'])
})

test('reopen (SIGHUP) starts a new file at the path at once; the same file is appended to, not truncated; a closed log is left alone', async (t) => {
  const { file, audit, ids } = setup(t)
  await audit.write(entry('one'))
  await audit.reopen()
  await audit.write(entry('two'))
  assert.deepEqual(ids(file), ['one', 'two'])
  renameSync(file, `${file}.1`)
  await reopenAuditFiles()
  assert.equal(readFileSync(file, 'utf8'), '', 'the new file exists before the next line')
  await audit.write(entry('three'))
  assert.deepEqual(ids(file), ['three'])
  assert.deepEqual(ids(`${file}.1`), ['one', 'two'])
  await audit.close()
  rmSync(file)
  await reopenAuditFiles()
  assert.equal(existsSync(file), false, 'a closed audit log is not reopened')
})

test('when the path cannot be opened again (folder removed, or a file in its place) the write fails closed, and recovers once it can', async (t) => {
  const { dir, file, audit, ids } = setup(t)
  await audit.write(entry('one'))
  rmSync(dir, { recursive: true })
  const gone = await rejection(audit.write(entry('two')))
  assert.equal(gone.code, 'AUDIT_UNAVAILABLE')
  assert.equal(gone.statusCode, 503)
  assert.equal(existsSync(dir), false, 'a folder that disappeared is not made again')
  writeFileSync(dir, 'not a folder')
  assert.equal((await rejection(audit.write(entry('three')))).code, 'AUDIT_UNAVAILABLE')
  await audit.reopen()
  assert.equal((await rejection(audit.write(entry('four')))).code, 'AUDIT_UNAVAILABLE', 'a failed reopen leaves the audit failing closed')
  rmSync(dir)
  mkdirSync(dir)
  await audit.write(entry('five'))
  assert.deepEqual(ids(file), ['five'])
})

test('through the gate: audit_log shows calls made after a rotation, and a change fails closed with 503 when the folder is gone', async (t) => {
  const sim = await startTestSimulator(t)
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), { taskPollDelaysMs: [10, 20, 50] })
  t.after(() => client.close())
  const dir = scratchFile('audit-dir')
  const file = join(dir, 'audit.jsonl')
  const authFile = scratchFile('auth.yaml')
  writeFileSync(authFile, `callers:\n  - { name: ada, role: admin, token: ${ADMIN} }\n`)
  const app = await buildTestApp(t, testConfig({ AUTH_FILE: authFile, SCALE_AUDIT_FILE: file, SCALE_MODE: 'full' }), { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } })
  const call = async (tool: string, body: Record<string, unknown>): Promise<{ statusCode: number, body: string, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${ADMIN}` }, payload: body })
  const snapshot = async (label: string): Promise<{ statusCode: number, body: string, json: () => any }> => {
    const vms = await call('run_api', { query: '/VirDomain', fields: ['uuid'] })
    return await call('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vms.json().data[0].uuid, label } })
  }

  assert.equal((await snapshot('before')).statusCode, 200)
  renameSync(file, `${file}.1`)
  const after = await snapshot('after')
  assert.equal(after.statusCode, 200, after.body)
  const read = await call('audit_log', {})
  assert.equal(read.statusCode, 200, read.body)
  assert.deepEqual(read.json().entries.map((e: { payload?: { label?: string } }) => e.payload?.label), ['after'])

  await sim.tasks.drain()
  const count = sim.state.collection('VirDomainSnapshot').size
  rmSync(dir, { recursive: true })
  const refused = await snapshot('never')
  assert.equal(refused.statusCode, 503, refused.body)
  assert.equal(refused.json().code, 'AUDIT_UNAVAILABLE')
  await sim.tasks.drain()
  assert.equal(sim.state.collection('VirDomainSnapshot').size, count, 'the cluster was not touched')
})

test('the server reopens the audit file on SIGHUP and keeps running', { timeout: 60_000 }, async (t) => {
  const dir = scratchFile('audit-dir')
  const file = join(dir, 'audit.jsonl')
  const token = 'a-token-that-is-long-enough'
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_STATE_HOME: dir, PORT: '0', LOG_LEVEL: 'info', MCP_BEARER_TOKEN: token, SCALE_AUDIT_FILE: file, SCALE_MODE: 'full' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const { output: awaitOutput, exited } = watchOutput(child)
  const url = (await awaitOutput(/listening on (http:\/\/\S+)/))[1] ?? ''
  const snapshot = async (label: string): Promise<number> => {
    const call = async (body: unknown): Promise<Response> => await fetch(`${url}/run_api`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const vms = await (await call({ query: '/VirDomain', fields: ['uuid'] })).json() as { data: Array<{ uuid: string }> }
    return (await call({ query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vms.data[0]?.uuid, label } })).status
  }
  // Each call's label, from its decision line; its result line (no payload) must sit in the same file.
  const labels = (path: string): string[] => {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry & { payload?: { label?: string } })
    const ids = new Set(lines.map((l) => l.id))
    assert.equal(ids.size * 2, lines.length, 'a decision and a result line per call')
    return lines.flatMap((l) => l.phase === 'decision' ? [l.payload?.label ?? ''] : [])
  }

  assert.equal(await snapshot('before'), 200)
  renameSync(file, `${file}.1`)
  child.kill('SIGHUP')
  await awaitOutput(/audit file reopened/)
  assert.equal(child.exitCode, null, 'SIGHUP does not stop the server')
  assert.equal(readFileSync(file, 'utf8'), '')
  assert.equal(await snapshot('after'), 200)
  assert.deepEqual(labels(file), ['after'])
  assert.deepEqual(labels(`${file}.1`), ['before'])
  child.kill('SIGTERM')
  assert.equal((await exited)[0], 0)
})
