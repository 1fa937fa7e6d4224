import { Type } from '@sinclair/typebox'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES } from './support/cluster-records.js'

/** `generate_session`: logs in to the cluster now, replacing any session. */
export default defineTool({
  name: 'generate_session',
  summary: 'Log in to the cluster now',
  description: 'Logs in to the HyperCore cluster with the configured credentials and keeps the new session, replacing any earlier one (which is logged out). ' +
    'Rarely needed: run_api logs in by itself. Use it to check the credentials or to start over after kill_session. ' +
    'Wrong credentials fail with SCALE_AUTH_FAILED; the password is never shown.',
  tags: ['Session'],
  example: {},
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    ok: Type.Boolean({ description: 'True when the login succeeded.' }),
    cluster: Type.String({ description: 'The cluster\'s address (host only).' }),
    createdAt: Type.String({ description: 'When the session was created (ISO 8601).' })
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // The session is every caller's: replacing or ending it is an operator's call, not a reader's.
  roles: CHANGE_ROLES,
  requiresCluster: true,
  async plan () {
    return { calls: [], session: 'login', prepared: undefined }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const session = await cluster.login()
    return { ok: true, cluster: session.cluster, createdAt: (session.createdAt ?? new Date()).toISOString() }
  }
})
