import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRuntime } from '../../src/runtime.js'
import { captureLogs, testConfig } from '../helper.js'

/** The start banner's line about the cluster for a SCALE_HOST (nothing is asked of the cluster: the catalog is the bundled one). */
async function clusterLine (host: string, env: Record<string, string> = {}): Promise<string> {
  const runtime = await createRuntime(testConfig({ SCALE_HOST: host, SCALE_USERNAME: 'admin', SCALE_PASSWORD: 'pw', SCALE_SCHEMA: 'bundled', ...env }), captureLogs().logger)
  try {
    return runtime.banner.find((line) => line.startsWith('HyperCore cluster:')) ?? ''
  } finally {
    await runtime.close()
  }
}

test('the banner says an http:// cluster is plain HTTP and not encrypted, and names the certificate check of an https:// one', async () => {
  const plain = await clusterLine('http://127.0.0.1:9', { SCALE_TLS_FINGERPRINT: 'AB'.repeat(32) })
  assert.match(plain, /plain HTTP: not encrypted/)
  assert.doesNotMatch(plain, /certificate/, 'an http:// cluster has no certificate to check or pin')
  assert.match(await clusterLine('https://127.0.0.1:9'), /certificate verified against the system CAs/)
  assert.match(await clusterLine('https://127.0.0.1:9', { SCALE_INSECURE_TLS: 'true' }), /certificate NOT verified/)
})
