import assert from 'node:assert/strict'
import { test } from 'node:test'
import { simFetch, startTestSimulator } from '../simulator-helper.js'

test('the simulator decodes paths as our client canonicalises them: escapes of letters route, traversal is refused', async (t) => {
  const sim = await startTestSimulator(t)
  const client = await simFetch(t, sim)
  const plain = await client.call('GET', '/VirDomain')
  const encoded = await client.call('GET', '/%56irDom%61in')
  assert.equal(encoded.status, 200)
  assert.deepEqual(encoded.json, plain.json)
  for (const path of ['/VirDomain/%2e%2e', '/VirDomain%2f..%2flogin', '/VirDomain/..%20']) {
    const res = await client.call('GET', path)
    assert.equal(res.status, 400, path)
    assert.match(String((res.json as { error?: string }).error), /Invalid request path/)
  }
})

test('an absolute-form request target (RFC 9112 section 3.2.2) is served as its path', async (t) => {
  const sim = await startTestSimulator(t)
  const { request: httpsRequest } = await import('node:https')
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest({ hostname: new URL(sim.url).hostname, port: Number(new URL(sim.url).port), method: 'GET', path: `${sim.url}/rest/v1/ping`, ca: sim.certificate?.pem, servername: 'localhost' }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(status, 200)
})
