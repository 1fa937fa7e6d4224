import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { defineTool } from './registry.js'

/** `kill_session`: logs out on the cluster and forgets the stored session. */
export default defineTool({
  name: 'kill_session',
  summary: 'Log out of the cluster',
  description: 'Logs out of the HyperCore cluster and deletes the stored session. Succeeds when there is no session too. The next run_api call logs in again.',
  tags: ['Session'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    ok: Type.Boolean({ description: 'True once no session is held.' })
  }),
  mutating: false,
  requiresCluster: true,
  async handler () {
    throw new AppError('NOT_IMPLEMENTED', 'kill_session is not implemented yet.', 501)
  }
})
