import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { defineTool } from './registry.js'

/** `generate_session`: logs in to the cluster now, replacing any session. */
export default defineTool({
  name: 'generate_session',
  summary: 'Log in to the cluster now',
  description: 'Logs in to the HyperCore cluster with the configured credentials and keeps the new session, replacing any earlier one. ' +
    'Rarely needed: run_api logs in by itself. Use it to check credentials or to start over after kill_session.',
  tags: ['Session'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({
    ok: Type.Boolean({ description: 'True when the login succeeded.' }),
    cluster: Type.String({ description: 'The cluster\'s address (host only).' }),
    createdAt: Type.String({ description: 'When the session was created (ISO 8601).' })
  }),
  mutating: false,
  requiresCluster: true,
  async handler () {
    throw new AppError('NOT_IMPLEMENTED', 'generate_session is not implemented yet.', 501)
  }
})
