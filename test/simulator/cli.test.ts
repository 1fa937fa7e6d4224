import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runSimulate, type SimulateIo } from '../../src/simulator/cli.js'
import type { RunningSimulator } from '../../src/simulator/index.js'
import { createSimClient } from '../simulator-helper.js'
import { request } from 'undici'
import { loadConfig } from '../../src/config/config.js'
import { scratchFile } from '../helper.js'

function memoryIo (): SimulateIo & { out: string[], err: string[], stop: () => void, started: Promise<RunningSimulator> } {
  let stop: () => void = () => {}
  let started: (sim: RunningSimulator) => void = () => {}
  const io = {
    out: [] as string[],
    err: [] as string[],
    stdout: (text: string) => { io.out.push(text) },
    stderr: (text: string) => { io.err.push(text) },
    stopSignal: async () => await new Promise<string>((resolve) => { stop = () => resolve('SIGTERM') }),
    stop: () => stop(),
    started: new Promise<RunningSimulator>((resolve) => { started = resolve }),
    onStarted: (sim: RunningSimulator) => started(sim)
  }
  return io
}

test('simulate --help prints the options, and bad options exit 2', async () => {
  const help = memoryIo()
  assert.equal(await runSimulate(['--help'], help), 0)
  assert.match(help.out.join(''), /--vms N/)
  for (const args of [['--port', 'abc'], ['--vms', '-3'], ['--bogus'], ['extra']]) {
    const io = memoryIo()
    const code = await runSimulate(args, io)
    assert.ok(code === 1 || code === 2, args.join(' '))
    assert.ok(io.err.join('').length > 0)
  }
})

test('simulate prints the URL, credentials, fingerprint and the SCALE_* line, serves, and stops on request', async (t) => {
  const io = memoryIo()
  const exit = runSimulate(['--vms', '5', '--username', 'ops', '--password', 'pa ss', '--log-level', 'silent'], io)
  const sim = await io.started
  const banner = io.out.join('')
  assert.ok(banner.includes(`${sim.url}/rest/v1`))
  assert.match(banner, /not a real cluster/)
  assert.match(banner, /username: +ops/)
  assert.ok(sim.certificate)
  assert.ok(banner.includes(`SCALE_HOST=${sim.url} SCALE_USERNAME=ops SCALE_PASSWORD='pa ss' SCALE_TLS_FINGERPRINT=${sim.certificate.fingerprint256}`))
  assert.match(banner, /__simulator\/faults/)
  const client = createSimClient(t, sim)
  assert.equal((await client.login('ops', 'pa ss')).status, 200)
  assert.equal(((await client.call('GET', '/VirDomain')).json as unknown[]).length, 5)
  io.stop()
  assert.equal(await exit, 0)
  await assert.rejects(client.call('GET', '/ping'))
})

test('simulate --http serves plain HTTP and prints no fingerprint', async () => {
  const io = memoryIo()
  const exit = runSimulate(['--http', '--port', '0', '--log-level', 'silent'], io)
  const sim = await io.started
  assert.match(sim.url, /^http:\/\//)
  assert.doesNotMatch(io.out.join(''), /SCALE_TLS_FINGERPRINT/)
  io.stop()
  assert.equal(await exit, 0)
})

test('scale-api-helper simulate stops cleanly on SIGTERM', async () => {
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'simulate', '--vms', '2', '--http'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  try {
    for (let i = 0; i < 300 && !out.includes('Press Ctrl+C'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const url = /API: +(http:\/\/\S+)\/rest\/v1/.exec(out)?.[1]
    assert.ok(url, `banner printed: ${out}${err}`)
    const ping = await fetch(`${url}/rest/v1/ping`)
    assert.equal(ping.status, 200)
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = await exited
    assert.equal(code, 0, err)
    assert.match(err, /SIGTERM/)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})

test('simulate --node-addresses serves every node on its own address and prints them; --icos-version sets the version', async (t) => {
  const io = memoryIo()
  const exit = runSimulate(['--node-addresses', '127.0.0.1,127.0.0.2,127.0.0.3', '--icos-version', '9.7.4.225310', '--vms', '2', '--log-level', 'silent'], io)
  const sim = await io.started
  const banner = io.out.join('')
  const nodes = sim.nodes.list()
  assert.equal(nodes.length, 3)
  for (const node of nodes) assert.ok(banner.includes(`https://${node.host}:${node.port}`), node.host)
  assert.match(banner, /__simulator\/nodes\/127\.0\.0\.2\/down/)
  assert.match(banner, /__simulator\/update/)
  assert.equal(sim.state.cluster().icosVersion, '9.7.4.225310')
  const client = createSimClient(t, sim)
  assert.equal((await client.raw('GET', '/rest/v1/ping', undefined, {}, `https://127.0.0.3:${String(nodes[2]?.port)}`)).status, 200)
  io.stop()
  assert.equal(await exit, 0)
})

test('simulate refuses --host together with --node-addresses, and bad addresses or versions', async () => {
  for (const args of [['--host', '127.0.0.1', '--node-addresses', '127.0.0.2'], ['--node-addresses', '127.0.0.2,127.0.0.2'], ['--icos-version', '9.x']]) {
    const io = memoryIo()
    assert.equal(await runSimulate([...args, '--log-level', 'silent'], io), 1, args.join(' '))
    assert.match(io.err.join(''), /Cannot start the simulator/)
  }
})

test('simulate --clusters 3 --fleet-manager --clusters-file F: a fleet on loopback, a Fleet Manager over it, and a clusters file the server reads', async () => {
  const file = scratchFile('simulated-fleet.yaml')
  let out = ''
  let checked = false
  const code = await runSimulate(['--clusters', '3', '--fleet-manager', '--clusters-file', file, '--vms', '2'], {
    stdout: (text) => { out += text },
    stderr: () => {},
    stopSignal: async () => {
      const config = loadConfig({ SCALE_CLUSTERS_FILE: file, SIM_PASSWORD: 'admin', MCP_BEARER_TOKEN: 'a-token-that-is-long-enough' })
      assert.deepEqual(config.clusters?.map((c) => [c.name, new URL(c.connection.url).hostname]), [['store-01', '127.0.0.1'], ['store-02', '127.0.0.1'], ['store-03', '127.0.0.1']])
      const fm = /Fleet Manager API v2: (http:\/\/127\.0\.0\.1:\d+)\/api\/v2 \(header api-key: (\S+)\)/.exec(out)
      assert.ok(fm !== null, out)
      const page = await (await request(`${fm[1] ?? ''}/api/v2/clusters`, { headers: { 'api-key': fm[2] ?? '' } })).body.json() as { meta: { total: number } }
      assert.equal(page.meta.total, 3)
      assert.match(out, /store-03 .* degraded: a failed drive/)
      checked = true
      return 'SIGTERM'
    }
  })
  assert.equal(code, 0)
  assert.ok(checked)
  assert.equal(await runSimulate(['--clusters', '3', '--http'], { stdout: () => {}, stderr: () => {}, stopSignal: async () => 'SIGTERM' }), 1)
})
