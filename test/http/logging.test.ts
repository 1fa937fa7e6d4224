import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, captureLogs, TOKENS } from '../helper.js'

const SECRETS = {
  token: TOKENS[0],
  wrongToken: 'wrong-token-should-not-appear-1234',
  session: 'sessionid-value-should-not-appear-5678',
  password: 'hunter2-password-should-not-appear'
}

test('no token, cookie, session ID or password reaches the log', async (t) => {
  const { logger, lines } = captureLogs('trace')
  const app = await buildTestApp(t, undefined, {}, { logger })
  await app.inject({ method: 'POST', url: '/query_api', headers: { authorization: `Bearer ${SECRETS.token}`, cookie: `sessionID=${SECRETS.session}` }, payload: { query: 'vm' } })
  await app.inject({ method: 'POST', url: '/query_api', headers: { authorization: `Bearer ${SECRETS.wrongToken}` }, payload: { query: 'vm' } })
  await app.inject({ method: 'POST', url: `/query_api?password=${SECRETS.password}&sessionID=${SECRETS.session}`, headers: { authorization: `Bearer ${SECRETS.token}` }, payload: { query: 'x', password: SECRETS.password } })
  await app.inject({ method: 'POST', url: '/run_api', headers: { authorization: `Bearer ${SECRETS.token}` }, payload: { query: '/User', method: 'POST', payload: { username: 'u', password: SECRETS.password } } })
  // What a careless future log call would write: redaction must still catch it.
  logger.info({ password: SECRETS.password, sessionId: SECRETS.session, headers: { authorization: `Bearer ${SECRETS.token}`, cookie: `sessionID=${SECRETS.session}` } }, 'careless')
  logger.info({ upstream: { password: SECRETS.password, sessionID: SECRETS.session } }, 'nested')

  const log = lines.join('')
  assert.ok(lines.length >= 6, 'requests were logged')
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.equal(log.includes(secret), false, `${name} leaked into the log`)
  }
  assert.match(log, /\[redacted\]/)
})
