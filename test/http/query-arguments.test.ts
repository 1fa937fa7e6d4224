import assert from 'node:assert/strict'
import { test } from 'node:test'
import { queryParameters } from '../../routes/query-arguments.js'
import { buildGate } from '../../src/faces/gate.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { testCatalog, testConfig } from '../helper.js'
import { mcpSetup, TOKEN } from '../mcp/mcp-helper.js'

const bearer = { authorization: `Bearer ${TOKEN.admin}` }

test('a tool that needs nothing takes its arguments from the query string, each read as its type, as it takes them from a body', async (t) => {
  const s = await mcpSetup(t)
  const call = async (url: string, payload?: object): Promise<any> => {
    const res = await s.app.inject({ method: 'POST', url, headers: bearer, ...(payload === undefined ? {} : { payload }) })
    assert.equal(res.statusCode, 200, `${url} ${JSON.stringify(payload)}: ${res.body.slice(0, 300)}`)
    return res.json()
  }
  const all = await call('/list_vms')
  assert.ok(all.total > 2)
  const byQuery = await call('/list_vms?limit=2&state=running')
  assert.deepEqual(byQuery, await call('/list_vms', { limit: 2, state: 'RUNNING' }))
  assert.equal(byQuery.returned, 2)
  assert.ok(byQuery.vms.every((vm: any) => vm.state === 'RUNNING'))
  // Open WebUI sends the query with the body {} (aiohttp's json={}), and writes booleans as Python does.
  assert.deepEqual(await s.app.inject({ method: 'POST', url: '/list_vms?limit=2&state=running', headers: bearer, payload: {} }).then((r) => r.json()), byQuery)
  for (const yes of ['true', 'True', 'TRUE']) assert.equal((await call(`/get_session?verify=${yes}`)).verified, true, yes)
  assert.equal((await call('/get_session?verify=False')).verified, undefined)
  const name = all.vms[0].name as string
  assert.deepEqual((await call(`/list_vms?name=${encodeURIComponent(name)}`)).vms.map((vm: any) => vm.name), [name])
  // null as JSON and Python print it, and an empty number, mean not given.
  assert.deepEqual(await call('/list_vms?name=null&state=None&limit='), all)
})

test('a query value of the wrong form, or one the gate refuses, is a 400 VALIDATION_ERROR naming the field, and nothing reaches the cluster', async (t) => {
  const s = await mcpSetup(t)
  const sent = t.mock.method(HyperCoreClient.prototype, 'call')
  const cases: Array<[string, string, RegExp]> = [
    ['/list_vms?limit=abc', 'limit', /whole number.*"abc".*query string/],
    ['/list_vms?limit=1.5', 'limit', /whole number/],
    ['/list_vms?limit=99999999999999999', 'limit', /whole number/],
    ['/list_vms?limit=1&limit=2', 'limit', /once/],
    ['/get_session?verify=yes', 'verify', /true or false.*"yes"/],
    ['/get_session?verify=1', 'verify', /true or false/],
    // Bounds, enums and unknown names are the gate's, judged as in a body.
    ['/list_vms?limit=0', 'limit', /must be >= 1/],
    ['/list_vms?state=asleep', 'state', /one of RUNNING/],
    ['/list_vms?name=' + 'x'.repeat(300), 'name', /at most 256/],
    ['/audit_log?since=yesterday', 'since', /date-time/],
    ['/list_vms?colour=red', 'colour', /not a known field/],
    ['/list_vms?__proto__=1', '__proto__', /not a known field/],
    ['/cluster_health?verbose=true', 'verbose', /not a known field/]
  ]
  for (const [url, field, message] of cases) {
    const res = await s.app.inject({ method: 'POST', url, headers: bearer })
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`)
    const body = res.json()
    assert.equal(body.code, 'VALIDATION_ERROR', url)
    assert.equal(body.details.fields[0].field, field, `${url}: ${res.body}`)
    assert.match(body.message, message, url)
  }
  assert.equal(sent.mock.callCount(), 0)
})

test('arguments in both the query string and the body are a 400, and a tool whose arguments are a body refuses a query string', async (t) => {
  const s = await mcpSetup(t)
  const both = await s.app.inject({ method: 'POST', url: '/list_vms?limit=1', headers: bearer, payload: { name: 'x' } })
  assert.equal(both.statusCode, 400, both.body)
  assert.equal(both.json().code, 'VALIDATION_ERROR')
  assert.match(both.json().message, /query string or in the JSON body, not both/)

  const body = await s.app.inject({ method: 'POST', url: '/get_vm?vm=x', headers: bearer, payload: { vm: 'y' } })
  assert.equal(body.statusCode, 400, body.body)
  assert.equal(body.json().code, 'VALIDATION_ERROR')
  assert.deepEqual(body.json().details.fields, [{ field: 'vm', message: 'belongs in the JSON body, not in the query string' }])
  // The refusal names the field, never its value (a query string may carry anything).
  const secret = await s.app.inject({ method: 'POST', url: '/query_api?password=hunter2-should-not-echo', headers: bearer, payload: { query: 'vm' } })
  assert.equal(secret.statusCode, 400)
  assert.doesNotMatch(secret.body, /hunter2/)
})

test('/openapi.json publishes a tool that needs nothing with query parameters and no body, and the others with a body', async (t) => {
  const s = await mcpSetup(t)
  const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json', headers: bearer })).json()
  const gate = buildGate(testConfig(), { catalog: await testCatalog() }, undefined)
  t.after(() => gate.close())
  const tools = new Map(gate.published('admin').map((tool) => [tool.name, tool]))
  for (const name of ['list_vms', 'get_session', 'audit_log', 'list_snapshots']) {
    const op = doc.paths[`/${name}`].post
    assert.equal(op.requestBody, undefined, name)
    const input = tools.get(name)?.input
    assert.ok(input !== undefined)
    // What documentFor puts in another role's view is what @fastify/swagger makes of the route.
    assert.deepEqual(op.parameters, queryParameters(input), name)
    assert.deepEqual(op.parameters.map((p: any) => p.name).sort(), Object.keys(input.properties).sort())
  }
  for (const name of ['cluster_health', 'generate_session', 'kill_session']) {
    assert.equal(doc.paths[`/${name}`].post.requestBody, undefined, name)
    assert.equal(doc.paths[`/${name}`].post.parameters, undefined, name)
  }
  const getVm = doc.paths['/get_vm'].post
  assert.ok(getVm.requestBody.content['application/json'].schema.properties.vm)
  assert.equal(getVm.parameters, undefined)
})
