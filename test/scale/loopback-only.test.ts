import assert from 'node:assert/strict'
import { channel } from 'node:diagnostics_channel'
import { readdirSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { seedState } from '../../src/simulator/seed.js'
import { captureLogs, testClient } from '../helper.js'
import { isLoopback, isWildcard } from '../loopback-guard.js'
import { simAgent, startTestSimulator } from '../simulator-helper.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// The test suite, the benchmarks and the simulator: everything here that configures, serves or reports an address.
const SCANNED = ['test', 'bench', 'src/simulator']

// Where a value is an address something may dial: configuration, node records, listeners, clients' origins.
const ADDRESS_KEYS = 'SCALE_HOST|SCALE_NODES|[A-Z_]*BASE_URL|lanIP|nodeLANIP|backplaneIP|serverIPs|remoteNodeIPs|ipv4Addresses|nodeAddresses|nodes|host|url|cluster|ip'
const KEYED = new RegExp(`(?<![\\w.])(${ADDRESS_KEYS})['"]?\\s*[:=]\\s*(\\[[^\\]]*\\]|'[^']*'|"[^"]*"|\`[^\`]*\`)`, 'g')
// Keys whose host names are dialled too (elsewhere a name is a Host or Origin header, a record, or prose).
const NAMED_KEYS = /^(SCALE_HOST|SCALE_NODES|[A-Z_]*BASE_URL|lanIP|nodeAddresses)$/
// Any http(s) or ws(s) URL with an IP literal as its host, whatever it is for.
const URL_WITH_IP = /\b(?:https?|wss?):\/\/(\[[0-9A-Fa-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/g

// Addresses that appear on purpose and are never dialled (the dial guard in test/helper.ts would fail the test if they were).
const ALLOWED: ReadonlyArray<{ file: string, address: string, why: string }> = [
  { file: 'test/scale/hostile-paths.ts', address: '169.254.169.254', why: 'an absolute URL passed as a path, which the client must refuse without dialling' }
]

// This file, whose examples show what the scan catches.
const SELF = 'test/scale/loopback-only.test.ts'

function files (dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path)
    return /\.(ts|json|jsonl|txt|ya?ml)$/.test(entry.name) ? [path] : []
  })
}

// The host a configured value names: a URL's, an address with or without a port, or undefined for anything else.
function hostOf (value: string): string | undefined {
  const literal = value.split('${')[0]?.trim() ?? ''
  if (literal === '' || literal !== value.trim()) {
    // A template: only a host written out before the first ${...} is known.
    const written = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]+\]|[^/:$]+)[:/]/i.exec(literal)
    return written?.[1]
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(literal)) {
    try {
      return new URL(literal).hostname
    } catch {
      return undefined
    }
  }
  if (isIP(literal) !== 0) return literal
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(literal)
  if (bracketed !== null) return bracketed[1]
  const withPort = /^([^:]+):\d+$/.exec(literal)
  return withPort?.[1] ?? literal
}

/** Every address in the scanned sources that is outside 127.0.0.0/8 and ::1, as `file:line address (key)`. */
function strayAddresses (): string[] {
  const stray: string[] = []
  for (const file of SCANNED.flatMap(files).filter((f) => f !== SELF)) {
    const allowed = new Set(ALLOWED.filter((a) => a.file === file).map((a) => a.address))
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
    lines.forEach((line, index) => {
      const flag = (host: string, key: string): void => {
        const bare = host.replace(/^\[|\]$/g, '')
        if (allowed.has(bare) || isLoopback(bare) || isWildcard(bare)) return
        stray.push(`${relative(ROOT, join(ROOT, file))}:${index + 1} ${bare} (${key})`)
      }
      for (const [, key = '', raw = ''] of line.matchAll(KEYED)) {
        const items = raw.startsWith('[') ? [...raw.matchAll(/'([^']*)'|"([^"]*)"|`([^`]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '') : [raw.slice(1, -1)]
        for (const item of items.flatMap((i) => i.split(','))) {
          const host = hostOf(item)
          if (host === undefined || host === '') continue
          const ip = isIP(host.replace(/^\[|\]$/g, '')) !== 0
          // A host name counts only where names are dialled; junk that is no host at all is what parsers must ignore.
          if (ip || (NAMED_KEYS.test(key) && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(host) && /[A-Za-z]/.test(host))) flag(host, key)
        }
      }
      for (const [, host = ''] of line.matchAll(URL_WITH_IP)) {
        if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) flag(host, 'URL')
      }
    })
  }
  return stray
}

test('the address scan: loopback passes; other IPs and dialled names are caught, in configuration, records and URLs', () => {
  for (const host of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) assert.ok(isLoopback(host), host)
  for (const host of ['10.100.20.11', '128.0.0.1', '::ffff:10.0.0.5', 'fe80::7', 'hc3.example', '0.0.0.0', '']) assert.ok(!isLoopback(host), host)
  assert.equal(hostOf('https://10.0.0.5:8443'), '10.0.0.5')
  assert.equal(hostOf('10.0.0.7:9443'), '10.0.0.7')
  assert.equal(hostOf('[fe80::1]:8443'), 'fe80::1')
  assert.equal(hostOf('https://[fe80::1]:8443'), '[fe80::1]')
  // Template literals as the scan reads them from source text.
  const [port, host] = ['port', 'host'].map((name) => `$\{${name}}`) as [string, string]
  assert.equal(hostOf(`https://127.0.0.1:${port}`), '127.0.0.1')
  assert.equal(hostOf(`https://${host}:${port}`), undefined)
  const probe = (line: string): string[] => [...line.matchAll(KEYED)].map((m) => `${m[1] ?? ''}=${m[2] ?? ''}`)
  assert.deepEqual(probe("{ SCALE_HOST: '10.0.0.5', lanIP: \"10.0.0.6\", serverIPs: ['1.1.1.1', '127.0.0.53'] }"),
    ["SCALE_HOST='10.0.0.5'", 'lanIP="10.0.0.6"', "serverIPs=['1.1.1.1', '127.0.0.53']"])
  assert.deepEqual([...'x https://169.254.169.254/latest and http://127.0.0.1:80'.matchAll(URL_WITH_IP)].map((m) => m[1]), ['169.254.169.254', '127.0.0.1'])
  assert.deepEqual(probe("toVersion: '9.5.1.1', icosVersion: '9.4.30.217736'"), [], 'a version is no address')
})

test('no configured, served or reported address in the tests, benchmarks or simulator is outside 127.0.0.0/8 or ::1', () => {
  const stray = strayAddresses()
  assert.deepEqual(stray, [], `use 127.x addresses (or ::1, localhost) instead:\n${stray.join('\n')}`)
})

test('every address in a seeded cluster is on this machine: nodes, backplane, DNS, syslog, guests, the DR cluster', () => {
  const found: string[] = []
  const seen = new Set<object>()
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (isIP(value) !== 0 && !isLoopback(value)) found.push(`${path} = ${value}`)
      for (const [, host = ''] of value.matchAll(URL_WITH_IP)) if (!isLoopback(host)) found.push(`${path} = ${value}`)
    } else if (value === null || typeof value !== 'object' || seen.has(value)) {
      // A number, or an object already walked (records share block devices, NICs and snapshots).
    } else if (Array.isArray(value)) {
      seen.add(value)
      value.forEach((v, i) => { walk(v, `${path}[${i}]`) })
    } else {
      seen.add(value)
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`)
    }
  }
  const state = seedState({ seed: 7, vms: 300, username: 'admin' })
  for (const [name, records] of state.collections) {
    for (const [uuid, record] of records) walk(record, `${name}/${uuid}`)
  }
  assert.deepEqual(found, [])
})

test('the simulator reports as lanIP the loopback addresses it serves, and the client learns only those', async (t) => {
  const sim = await startTestSimulator(t)
  const { logger } = captureLogs()
  const client = testClient(t, clusterConfigFor(sim, { timeoutMs: 10_000 }), { log: logger, discoverNodes: true })
  const learned = await client.discoverNodes()
  const port = new URL(sim.url).port
  assert.deepEqual(learned, ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((a) => `${a}:${port}`))
  for (const node of learned) assert.ok(isLoopback(new URL(`https://${node}`).hostname), node)
  // Each learned address is one the simulator really serves: a failover lands on it.
  const agent = simAgent(sim)
  t.after(() => agent.close())
  for (const node of learned) {
    const res = await request(`https://${node}/rest/v1/ping`, { dispatcher: agent })
    assert.equal(res.statusCode, 200, node)
    await res.body.dump()
  }
  const first = sim.nodes.list()[0]
  assert.ok(first !== undefined)
  await sim.nodes.down(first.nodeUUID)
  assert.equal((await client.call('GET', '/Cluster')).node, `127.0.0.2:${port}`)
})

test('the dial guard is on in every test process that loads the helpers', () => {
  assert.ok(channel('undici:client:beforeConnect').hasSubscribers)
  assert.ok(channel('net.client.socket').hasSubscribers)
})
