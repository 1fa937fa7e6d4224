import { Type } from '@sinclair/typebox'
import { defineTool, requireCluster } from '../gate/tool.js'

/** `get_session`: reports the current login session without revealing its ID. */
export default defineTool({
  name: 'get_session',
  summary: 'Show the current cluster session',
  description: 'Reports whether a HyperCore login session is held, for which cluster, how old it is and when it was last used. Never logs in. ' +
    'The session ID is shown by its last 4 characters only. With verify=true it makes one cheap authenticated call (GET /Cluster) to prove the session still works; ' +
    'a session the cluster no longer accepts is then forgotten (active=false, verified=false) and the next run_api call logs in again.',
  tags: ['Session'],
  example: { verify: true },
  input: Type.Object({
    verify: Type.Optional(Type.Boolean({ description: 'Make one authenticated call to check the session still works.', default: false }))
  }, { additionalProperties: false }),
  output: Type.Object({
    active: Type.Boolean({ description: 'True when a session is held.' }),
    cluster: Type.String({ description: 'The cluster\'s address (host only).' }),
    ageSeconds: Type.Optional(Type.Integer({ description: 'Seconds since the session was created.' })),
    createdAt: Type.Optional(Type.String({ description: 'When the session was created (ISO 8601).' })),
    lastUsedAt: Type.Optional(Type.String({ description: 'When the session was last used for a successful call (ISO 8601).' })),
    node: Type.Optional(Type.String({ description: 'The node calls go to now (host and port): another node than cluster after a failover.' })),
    sessionId: Type.Optional(Type.String({ description: 'The last 4 characters of the session ID, e.g. "…a1b2"; never the whole ID.' })),
    verified: Type.Optional(Type.Boolean({ description: 'With verify=true and a session held: whether the cluster still accepts it.' }))
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  async handler (input, ctx) {
    const cluster = requireCluster(ctx)
    const verified = input.verify === true ? await cluster.verify() : undefined
    const session = await cluster.session()
    if (!session.active || session.createdAt === undefined) {
      return { active: false, cluster: session.cluster, node: session.node, ...(verified === undefined ? {} : { verified }) }
    }
    return {
      active: true,
      cluster: session.cluster,
      node: session.node,
      ageSeconds: Math.max(0, Math.floor((Date.now() - session.createdAt.getTime()) / 1000)),
      createdAt: session.createdAt.toISOString(),
      ...(session.lastUsedAt === undefined ? {} : { lastUsedAt: session.lastUsedAt.toISOString() }),
      ...(session.idHint === undefined ? {} : { sessionId: session.idHint }),
      ...(verified === undefined ? {} : { verified })
    }
  }
})
