import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/config.js'
import { scratchFile } from '../helper.js'

const PIN = 'AB:'.repeat(31) + 'AB'

function clustersFile (text: string): string {
  const file = scratchFile('clusters.yaml')
  writeFileSync(file, text)
  return file
}

test('SCALE_CLUSTERS_FILE: defaults, passwords from a file or the environment, TLS, tags and site become one connection each', () => {
  const secret = scratchFile('store-2.password')
  writeFileSync(secret, 'from a file\n')
  const file = clustersFile([
    'defaults:',
    '  username: admin',
    '  passwordEnv: FLEET_PASSWORD',
    `  tlsFingerprint: "${PIN}"`,
    'clusters:',
    '  - name: store-01',
    '    host: 127.0.0.1:8443',
    '    nodes: [127.0.0.2, 127.0.0.3]',
    '    tags: [east, pos]',
    '    site: Boston',
    '  - name: Store-02',
    '    host: https://127.0.0.4',
    `    passwordFile: ${secret}`,
    '    maxConnections: 2',
    '    timeoutMs: 2000',
    ''
  ].join('\n'))
  const config = loadConfig({ SCALE_CLUSTERS_FILE: file, FLEET_PASSWORD: 'from the environment', MCP_BEARER_TOKEN: 'a-token-that-is-long-enough', DEFAULT_CLUSTER: 'store-02' })
  assert.equal(config.cluster, undefined)
  const [one, two] = config.clusters ?? []
  assert.equal(one?.name, 'store-01')
  assert.deepEqual(one?.tags, ['east', 'pos'])
  assert.equal(one?.site, 'Boston')
  assert.equal(one?.connection.url, 'https://127.0.0.1:8443')
  assert.deepEqual(one?.connection.nodes, ['https://127.0.0.2:8443', 'https://127.0.0.3:8443'])
  assert.equal(one?.connection.password, 'from the environment')
  assert.equal(one?.connection.tlsFingerprint, PIN)
  assert.match(one?.connection.sessionFile ?? '', /session-store-01\.json$/)
  assert.equal(two?.connection.password, 'from a file')
  assert.equal(two?.connection.maxConnections, 2)
  assert.equal(two?.connection.timeoutMs, 2000)
  assert.equal(config.fleet.defaultCluster, 'store-02')
})

test('a bad SCALE_CLUSTERS_FILE stops the start naming its line', () => {
  const env = { MCP_BEARER_TOKEN: 'a-token-that-is-long-enough', SET_PASSWORD: 'x' }
  const cases: Array<[string, RegExp]> = [
    ['clusters:\n  - name: a\n    host: 127.0.0.1\n    username: u\n    password: inline\n', /line 5: a password written in the file is refused/],
    ['clusters:\n  - name: a\n    host: 127.0.0.1\n    username: u\n    passwordEnv: UNSET_PASSWORD\n', /line 5: the environment variable UNSET_PASSWORD .* is not set/],
    ['clusters:\n  - name: a\n    host: 127.0.0.1\n    username: u\n    passwordEnv: SET_PASSWORD\n  - name: A\n    host: 127.0.0.2\n    username: u\n    passwordEnv: SET_PASSWORD\n', /line 6: the name "A" is used twice/],
    ['clusters:\n  - name: a\n    host: ftp://127.0.0.1\n    username: u\n    passwordEnv: SET_PASSWORD\n', /line 3: must use https:\/\//],
    ['clusters:\n  - name: a\n    host: 127.0.0.1\n    username: u\n    passwordEnv: SET_PASSWORD\n    insecureTls: true\n    caFile: /x\n', /line 2: choose one of tlsFingerprint, caFile or insecureTls/],
    ['clusters:\n  - name: a\n    hots: 127.0.0.1\n', /line 3: unknown key "hots"/],
    ['clusters:\n  - name: "no spaces"\n', /line 2: name must be/],
    ['clusters: []\n', /line 1: lists no cluster/]
  ]
  for (const [text, expected] of cases) {
    assert.throws(() => loadConfig({ ...env, SCALE_CLUSTERS_FILE: clustersFile(text) }), (err: Error) => {
      assert.match(err.message, /^SCALE_CLUSTERS_FILE: /)
      assert.match(err.message, expected)
      // A password never shows in the message.
      assert.doesNotMatch(err.message, /inline/)
      return true
    }, text)
  }
  assert.throws(() => loadConfig({ ...env, SCALE_CLUSTERS_FILE: clustersFile('clusters:\n  - { name: a, host: 127.0.0.1, username: u, passwordEnv: SET_PASSWORD }\n'), SCALE_HOST: '127.0.0.1' }), /SCALE_CLUSTERS_FILE: cannot be used with SCALE_HOST/)
  assert.throws(() => loadConfig({ ...env, SCALE_CLUSTERS_FILE: clustersFile('clusters:\n  - { name: a, host: 127.0.0.1, username: u, passwordEnv: SET_PASSWORD }\n'), DEFAULT_CLUSTER: 'b' }), /DEFAULT_CLUSTER: "b" is not a cluster/)
})
