import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { test } from 'node:test'
import type { SimRecord } from '../../src/simulator/index.js'
import { basicAuth, createSimClient, simFetch, startTestSimulator } from '../simulator-helper.js'

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3']

test('every node serves the API on its own address, GET /Node reports those as lanIP, and all share one state', async (t) => {
  const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES })
  const nodes = sim.nodes.list()
  assert.deepEqual(nodes.map((n) => n.host), ADDRESSES)
  assert.ok(nodes.every((n) => n.up))
  assert.equal(new Set(nodes.map((n) => n.port)).size, 1, 'the same port on every address')
  assert.equal(sim.url, `https://127.0.0.1:${String(nodes[0]?.port)}`)
  const origins = nodes.map((n) => `https://${n.host}:${n.port}`)

  const client = await simFetch(t, sim)
  const records = (await client.call('GET', '/Node')).json as SimRecord[]
  assert.deepEqual(records.map((r) => r.lanIP), ADDRESSES)
  assert.deepEqual(nodes.map((n) => n.nodeUUID), records.map((r) => r.uuid))

  // A write through one node is visible through the others; a session from one node works on the others.
  const cookie = { cookie: `sessionID=${String(client.sessionID)}` }
  const created = await client.raw('POST', '/rest/v1/User', { username: 'via-node-2', password: 'Node2-pw' }, cookie, origins[1])
  assert.equal(created.status, 200, created.text)
  const uuid = (created.json as { createdUUID: string }).createdUUID
  const read = await client.raw('GET', `/rest/v1/User/${uuid}`, undefined, cookie, origins[2])
  assert.equal((read.json as SimRecord[])[0]?.username, 'via-node-2')
  // The certificate names every node's address, so a client that verifies it can fail over to any of them.
  assert.equal((await client.raw('GET', '/rest/v1/ping', undefined, {}, origins[2])).status, 200)
})

test('a node taken down refuses connections while the others answer and report it offline; it comes back', async (t) => {
  const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES })
  const [one, two] = sim.nodes.list()
  assert.ok(one !== undefined && two !== undefined)
  const originOf = (n: { host: string, port: number }): string => `https://${n.host}:${n.port}`
  const down = await sim.nodes.down(two.lanIP)
  assert.equal(down.up, false)
  await assert.rejects(createSimClient(t, sim).raw('GET', '/rest/v1/ping', undefined, {}, originOf(two)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ECONNREFUSED')
    return true
  })
  const fromOne = await createSimClient(t, sim).raw('GET', '/rest/v1/Node', undefined, basicAuth(sim), originOf(one))
  const record = (fromOne.json as SimRecord[]).find((n) => n.uuid === two.nodeUUID) as SimRecord
  assert.equal(record.networkStatus, 'OFFLINE')
  assert.equal(record.virtualizationOnline, false)

  const up = await sim.nodes.up(String(two.peerID))
  assert.equal(up.up, true)
  assert.equal(up.port, two.port, 'back on the same address and port')
  assert.equal((await createSimClient(t, sim).raw('GET', '/rest/v1/ping', undefined, {}, originOf(two))).status, 200)
  const after = (await createSimClient(t, sim).raw('GET', `/rest/v1/Node/${two.nodeUUID}`, undefined, basicAuth(sim), originOf(two))).json as SimRecord[]
  assert.equal(after[0]?.networkStatus, 'ONLINE')
})

test('the control API takes a node down and brings it back; unknown nodes are 404', async (t) => {
  const sim = await startTestSimulator(t, { nodeAddresses: ADDRESSES })
  const [one, , three] = sim.nodes.list()
  assert.ok(one !== undefined && three !== undefined)
  const control = createSimClient(t, sim)
  const listed = await control.raw('GET', '/__simulator/nodes', undefined, basicAuth(sim))
  assert.deepEqual((listed.json as Array<{ lanIP: string }>).map((n) => n.lanIP), ADDRESSES)
  // Asked through node 3 itself: the answer arrives, then the node goes.
  const res = await control.raw('POST', `/__simulator/nodes/${three.nodeUUID}/down`, undefined, basicAuth(sim), `https://${three.host}:${three.port}`)
  assert.equal(res.status, 200)
  assert.equal((res.json as { up: boolean }).up, false)
  await sim.whenStable()
  assert.equal(sim.nodes.list()[2]?.up, false)
  const back = await control.raw('POST', '/__simulator/nodes/127.0.0.3/up', undefined, basicAuth(sim))
  assert.equal((back.json as { up: boolean }).up, true)
  assert.equal((await control.raw('POST', '/__simulator/nodes/127.0.0.99/down', undefined, basicAuth(sim))).status, 404)
})

test('by default the three nodes listen on 127.0.0.1-3 on one port; one whose address is taken on that port reports the first', async (t) => {
  const plain = await startTestSimulator(t)
  const port = new URL(plain.url).port
  assert.deepEqual(plain.nodes.list().map((n) => `${n.host}:${n.port}`), ADDRESSES.map((a) => `${a}:${port}`))
  assert.deepEqual([...plain.state.nodes.values()].map((n) => n.lanIP), ADDRESSES)

  // Something else holds 127.0.0.2 on the port asked for: node 2 is served, and reports itself, through node 1's listener.
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.2', resolve))
  t.after(() => new Promise((resolve) => squatter.close(resolve)))
  const taken = (squatter.address() as AddressInfo).port
  const sim = await startTestSimulator(t, { port: taken })
  assert.deepEqual(sim.nodes.list().map((n) => `${n.host}:${n.port}:${String(n.up)}`), [`127.0.0.1:${taken}:true`, `127.0.0.3:${taken}:true`])
  assert.deepEqual([...sim.state.nodes.values()].map((n) => n.lanIP), ['127.0.0.1', '127.0.0.1', '127.0.0.3'])

  // A host outside 127/8 (here a name): one listener, and every node reports it.
  const named = await startTestSimulator(t, { host: 'localhost', tls: false })
  assert.equal(named.nodes.list().length, 1)
  assert.deepEqual([...named.state.nodes.values()].map((n) => n.lanIP), ['localhost', 'localhost', 'localhost'])
})

test('bad node address lists are refused', async (t) => {
  await assert.rejects(startTestSimulator(t, { nodeAddresses: [] }), /nodeAddresses/)
  await assert.rejects(startTestSimulator(t, { nodeAddresses: ['127.0.0.1', '127.0.0.1'] }), /repeat/)
})
