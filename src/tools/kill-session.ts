import { Type } from '@sinclair/typebox'
import { defineTool, requireCluster } from '../gate/tool.js'
import { CHANGE_ROLES } from './support/cluster-records.js'

/** `kill_session`: logs out on the cluster and forgets the stored session. */
export default defineTool({
  name: 'kill_session',
  summary: 'Log out of the cluster',
  description: 'Logs out of the HyperCore cluster (POST /logout) and deletes the stored session. Succeeds when there is no session too. ' +
    'If the cluster cannot be reached the session is still forgotten here and a note says so. The next run_api call logs in again.',
  tags: ['Session'],
  example: {},
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    ok: Type.Boolean({ description: 'True once no session is held.' }),
    note: Type.Optional(Type.String({ description: 'Set when the cluster could not be told to end the session.' }))
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  // The session is every caller's: replacing or ending it is an operator's call, not a reader's.
  roles: CHANGE_ROLES,
  requiresCluster: true,
  async plan () {
    return { calls: [], session: 'logout', prepared: undefined }
  },
  async handler (_input, ctx) {
    const cluster = requireCluster(ctx)
    const { note } = await cluster.logout()
    return note === undefined ? { ok: true } : { ok: true, note }
  }
})
