import type { ToolDefinition } from '../gate/tool.js'
import queryApi from './query-api.js'
import describeEndpoint from './describe-endpoint.js'
import runApi from './run-api.js'
import generateSession from './generate-session.js'
import getSession from './get-session.js'
import killSession from './kill-session.js'
import auditLog from './audit-log.js'

/** Every tool, in the order hosts list them. Adding a tool is adding its file and a line here. */
export const tools: ToolDefinition[] = [
  queryApi,
  describeEndpoint,
  runApi,
  generateSession,
  getSession,
  killSession,
  auditLog
]
