import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { defineTool } from './registry.js'

/** `get_session`: reports the current login session without revealing its ID. */
export default defineTool({
  name: 'get_session',
  summary: 'Show the current cluster session',
  description: 'Reports whether a HyperCore login session is held, for which cluster, how old it is and when it was last used. ' +
    'The session ID is shown by its last 4 characters only. With verify=true it makes one cheap authenticated call to prove the session still works.',
  tags: ['Session'],
  input: Type.Object({
    verify: Type.Optional(Type.Boolean({ description: 'Make one authenticated call to check the session still works.', default: false }))
  }, { additionalProperties: false }),
  output: Type.Object({
    active: Type.Boolean({ description: 'True when a session is held.' }),
    cluster: Type.String({ description: 'The cluster\'s address (host only).' })
  }),
  mutating: false,
  requiresCluster: true,
  async handler () {
    throw new AppError('NOT_IMPLEMENTED', 'get_session is not implemented yet.', 501)
  }
})
