import { Type } from '@sinclair/typebox'
import { AppError } from '../errors/app-error.js'
import { defineTool } from '../gate/tool.js'
import { StringEnum } from '../schemas.js'

const DECISIONS = ['allowed', 'denied', 'confirmation-required', 'awaiting-approval', 'approved', 'confirmed', 'declined', 'cancelled'] as const

const EntrySchema = Type.Object({
  id: Type.String({ description: 'The call\'s ID (its decision and result lines share it).' }),
  time: Type.String({ description: 'When the call was decided (ISO 8601).' }),
  caller: Type.String({ description: 'The caller\'s name (never its token).' }),
  role: Type.String({ description: 'The caller\'s role: reader, operator, admin or approver.' }),
  transport: Type.String({ description: 'How the call came: http, mcp or stdio.' }),
  tool: Type.String({ description: 'The tool called.' }),
  decision: StringEnum(DECISIONS, { description: `What the gate decided: ${DECISIONS.join(', ')}.` }),
  calls: Type.Array(Type.Object({
    method: Type.String({ description: 'HTTP method.' }),
    path: Type.String({ description: 'Canonical path under /rest/v1.' }),
    destructive: Type.Optional(Type.Boolean({ description: 'True when the call counts as destructive.' }))
  }), { description: 'The cluster calls the decision covered.' }),
  payload: Type.Optional(Type.Unknown({ description: 'The request body, secrets masked.' })),
  code: Type.Optional(Type.String({ description: 'Why it was refused or how it failed.' })),
  message: Type.Optional(Type.String({ description: 'The refusal or failure message.' })),
  status: Type.Optional(Type.Integer({ description: 'HTTP status the cluster answered.' })),
  taskTag: Type.Optional(Type.String({ description: 'The task the call started.' })),
  durationMs: Type.Optional(Type.Number({ description: 'How long the call took, in ms.' }))
})

/** `audit_log`: recent audited calls (changes and refusals), for admins. */
export default defineTool({
  name: 'audit_log',
  summary: 'Read the audit log (admins only)',
  description: 'Recent audited calls, newest first: every change or attempted change, every refusal and every approval, ' +
    'with caller, tool, method, path, masked payload, decision, the cluster\'s status, taskTag and duration. Filter by caller and since. Admins only.',
  tags: ['Safety'],
  example: { limit: 20 },
  input: Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Most entries to return (1-500, default 50).' })),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'Only entries at or after this time (ISO 8601, e.g. 2026-11-25T09:00:00Z).' })),
    caller: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only this caller\'s entries.' }))
  }, { additionalProperties: false }),
  output: Type.Object({
    entries: Type.Array(EntrySchema, { description: 'Audited calls, newest first.' }),
    count: Type.Integer({ description: 'How many entries are returned.' })
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  requiresCluster: false,
  roles: ['admin'],
  async handler (input, ctx) {
    if (ctx.audit === undefined) throw new AppError('AUDIT_NOT_READABLE', 'No audit log is available to this call.')
    const entries = await ctx.audit.read({ limit: input.limit ?? 50, since: input.since, caller: input.caller })
    return { entries, count: entries.length }
  }
})
