/** What one error code means: its HTTP status (or statuses) and a line for the table in docs/errors.md. */
export interface ErrorCodeInfo {
  /** The status it is answered with. */
  status: number
  /** Other statuses the code may carry (e.g. SCALE_API_ERROR passes a cluster's 4xx on). */
  alsoStatus?: readonly number[]
  /** One line saying what happened and what to do. */
  meaning: string
}

// Every 4xx status, for codes that pass a peer's own 4xx on.
const CLIENT_ERRORS: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i)

/**
 * Every error code this server answers with, in one place (as undici keeps its codes in one module). The table in docs/errors.md
 * error table is checked against this list by a test, and AppError takes its status from here.
 */
export const ERROR_CODES = {
  // The caller and the request
  INVALID_TOKEN: { status: 403, meaning: '`/mcp` on a server without OAuth sign-in: the bearer token is not one it knows. 403 rather than 401, so that MCP clients that would start an OAuth sign-in on a 401 (mcp-remote) say the token is wrong instead.' },
  SIGN_IN_FAILED: { status: 400, meaning: 'The approval page\'s sign-in with the identity provider did not complete (too slow, another browser, refused); open the approval link again.' },
  INSUFFICIENT_SCOPE: { status: 403, meaning: 'The access token lacks a scope OAUTH_REQUIRED_SCOPES names (`WWW-Authenticate: Bearer error="insufficient_scope"` with the scope).' },
  UNAUTHORIZED: { status: 401, meaning: 'Missing or wrong bearer token (with `WWW-Authenticate: Bearer`).' },
  FORBIDDEN: { status: 403, meaning: 'The caller\'s role does not allow this tool or this call (e.g. a `reader` asking for a change).' },
  RATE_LIMITED: { status: 429, meaning: 'Too many calls from this caller in a minute (`RATE_LIMIT_PER_MINUTE`); `Retry-After` says when to try again.' },
  VALIDATION_ERROR: { status: 400, meaning: 'The tool\'s input is wrong; `details.fields` names each field and what it accepts.' },
  INVALID_JSON: { status: 400, meaning: 'The request body is not valid JSON.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The body is neither JSON nor a JSON object sent as text: send the arguments with `Content-Type: application/json`.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is over 10 MiB.' },
  PAYLOAD_TOO_DEEP: { status: 400, meaning: 'The input is nested deeper than 400 levels; nothing was sent.' },
  BAD_REQUEST: { status: 400, meaning: 'The HTTP request itself is malformed.' },
  HEADERS_TOO_LARGE: { status: 431, meaning: 'Request Header Fields Too Large.' },
  REQUEST_TIMEOUT: { status: 408, meaning: 'Request Timeout: the request was not received completely in time.' },
  NOT_FOUND: { status: 404, meaning: 'No such route here (tools are `POST /<tool_name>`).' },
  METHOD_NOT_ALLOWED: { status: 405, alsoStatus: [400], meaning: 'Wrong HTTP method for the route (405, with `Allow`), or a HyperCore method `run_api` does not send (400).' },

  // run_api's checks before anything is sent
  PATH_NOT_ALLOWED: { status: 400, meaning: '`run_api` refused the path (outside `/rest/v1`, encoded `/`, dot segments, control characters); nothing was sent.' },
  SESSION_ENDPOINT: { status: 400, meaning: '`/login` and `/logout` belong to the session tools.' },
  PAYLOAD_INVALID: { status: 400, meaning: 'The payload does not fit the endpoint; `details.errors` names each field. Nothing was sent.' },
  PAYLOAD_NOT_ALLOWED: { status: 400, meaning: 'A GET takes no payload.' },
  UPLOAD_NOT_SUPPORTED: { status: 400, meaning: 'The endpoint takes raw bytes; `run_api` sends JSON only.' },
  QUERY_EMPTY: { status: 400, meaning: '`query_api` got a blank query.' },
  ENDPOINT_NOT_FOUND: { status: 404, meaning: '`describe_endpoint` does not know the endpoint; `details.suggestions` lists the nearest.' },

  // The typed tools' checks before anything is sent
  NAME_NOT_FOUND: { status: 404, meaning: 'No VM, snapshot or node has that name or UUID; `details.candidates` lists the closest names first.' },
  NAME_AMBIGUOUS: { status: 409, meaning: 'More than one VM (or snapshot) has that name; `details.candidates` lists them with their UUIDs: call again with one.' },
  CLUSTER_REQUIRED: { status: 400, meaning: 'This server fronts several clusters and the call did not say which: give `cluster` (one of `details.candidates`, or `list_clusters`).' },
  ACTION_NOT_ALLOWED: { status: 409, meaning: 'The VM\'s power state does not allow the action (e.g. PAUSE a stopped VM); nothing was sent.' },

  // The safety gate
  READ_ONLY: { status: 403, meaning: '`SCALE_MODE=read-only`: only reads reach the cluster.' },
  POLICY_DENIED: { status: 403, meaning: 'A `deny` rule of `SCALE_POLICY_FILE` (or a missing `allow`) refuses the call.' },
  DESTRUCTIVE_DENIED: { status: 403, meaning: '`CONFIRM_VIA=deny`: destructive calls are refused outright.' },
  CONFIRMATION_REQUIRED: { status: 409, meaning: 'A destructive call in `confirm` mode: read `details.preview`, then repeat the same call with `confirm` set to `details.confirmToken`.' },
  CONFIRMATION_INVALID: { status: 409, meaning: 'The `confirm` token is expired, used already, or was issued for another call, caller or payload.' },
  AWAITING_APPROVAL: { status: 409, meaning: '`CONFIRM_VIA=approval`: a person has not approved the call yet at `details.approveUrl`.' },
  CONFIRMATION_DECLINED: { status: 403, meaning: 'The person asked in the MCP client declined (or dismissed) the destructive call.' },
  APPROVAL_DECIDED: { status: 409, meaning: 'The approval was already approved or rejected.' },
  SELF_APPROVAL: { status: 403, meaning: 'The caller who asked for a call cannot approve it: another admin or approver must (`APPROVAL_ALLOW_SELF=true` allows it).' },
  APPROVAL_REJECTED: { status: 403, meaning: 'A person rejected the call on the approval page.' },
  OAUTH_UNAVAILABLE: { status: 503, meaning: 'The identity provider (OAUTH_ISSUER) or its keys cannot be read, so an access token cannot be checked now (fail closed); bearer tokens of AUTH_FILE still work.' },
  STORE_UNAVAILABLE: { status: 503, meaning: 'The shared store (`STORE_URL`, Valkey/Redis) cannot be reached, so a call that needs a confirmation or an approval was not made (fail closed); other calls go on.' },
  AUDIT_UNAVAILABLE: { status: 503, meaning: 'The audit log cannot be written, so the call was not made (fail closed).' },
  AUDIT_NOT_READABLE: { status: 409, meaning: '`audit_log` cannot read the audit when it goes to standard output (`SCALE_AUDIT_FILE=-`).' },
  PLAN_VIOLATION: { status: 500, meaning: 'A tool tried a cluster call it had not planned; refused (a bug: please report it).' },

  // The MCP endpoint
  HOST_NOT_ALLOWED: { status: 403, meaning: '`/mcp` refused the `Host` header (DNS-rebinding protection); add the name to `ALLOWED_HOSTS`.' },
  ORIGIN_NOT_ALLOWED: { status: 403, meaning: '`/mcp` refused the browser `Origin`: only loopback names, `ALLOWED_HOSTS` and `CORS_ORIGINS` are accepted.' },
  MCP_SESSION_REQUIRED: { status: 400, meaning: 'A 2025-11-25 `GET` or `DELETE /mcp` without an `Mcp-Session-Id` header.' },
  MCP_SESSION_NOT_FOUND: { status: 404, meaning: 'The `Mcp-Session-Id` is unknown, ended (DELETE, idle too long) or another caller\'s; connect again.' },
  MCP_SESSION_LIMIT: { status: 503, meaning: '`MCP_MAX_SESSIONS` 2025-11-25 sessions (or the caller\'s `MCP_MAX_SESSIONS_PER_CALLER`) are open, each with a live connection; try again later.' },
  SHUTTING_DOWN: { status: 503, meaning: 'The server is shutting down and takes no new requests (tools or `/mcp`); try again in a moment.' },

  // The cluster
  SCALE_API_ERROR: { status: 502, alsoStatus: CLIENT_ERRORS, meaning: 'HyperCore refused the call: its 4xx is passed on, a 5xx becomes 502; its body is in `details.body`.' },
  SCALE_AUTH_FAILED: { status: 502, meaning: 'The cluster rejected the configured username/password.' },
  SCALE_SESSION_ENDED: { status: 409, meaning: '`kill_session` ended the session while this call was logging in; call again.' },
  SCALE_TLS_UNTRUSTED: { status: 502, meaning: 'The cluster\'s certificate is not trusted; the message shows its fingerprint and the variable to set.' },
  SCALE_UNREACHABLE: { status: 502, meaning: 'The cluster could not be reached.' },
  SCALE_CONNECTION_RESET: { status: 502, meaning: 'The cluster closed the connection mid-call.' },
  SCALE_BAD_RESPONSE: { status: 502, meaning: 'The cluster answered something unusable (not the JSON the endpoint promises).' },
  SCALE_RESPONSE_TOO_LARGE: { status: 502, meaning: 'The cluster\'s answer is larger than this server accepts.' },
  SCALE_TIMEOUT: { status: 504, meaning: 'No complete answer within `SCALE_TIMEOUT_MS`.' },
  SCALE_BUSY: { status: 503, meaning: 'Too many large cluster answers are in memory at once; try again in a few seconds.' },
  CANCELLED: { status: 499, meaning: 'The caller went away before the answer (nginx\'s "client closed request"); a change may still have happened.' },
  SCALE_CLIENT_CLOSED: { status: 503, meaning: 'The server is shutting down.' },
  CLUSTER_UPDATING: { status: 503, meaning: 'The cluster is applying an update; calls resume when it is done (`details` has the percent and target version).' },
  NOT_READY: { status: 503, meaning: '`/health/ready`: the cluster has not answered recently and does not answer a `/ping` now.' },
  NO_CLUSTER: { status: 503, meaning: 'No cluster is available.' },
  NO_CREDENTIALS: { status: 503, meaning: 'The server knows the cluster (e.g. from Fleet Manager) but holds no credentials for it; add a rule for it to `SCALE_CLUSTERS_FILE`.' },
  FLEET_MANAGER_ERROR: { status: 502, meaning: 'SC//Fleet Manager could not be read (unreachable, the API key refused, or an answer that is not a page); the message says which.' },
  SCHEMA_FILE_INVALID: { status: 500, meaning: 'The file `SCALE_SCHEMA` (or `SCALE_SCHEMA_FILE`) names is not a usable OpenAPI document (stops the start).' },

  // The local LLM behind `ask`
  LLM_NOT_CONFIGURED: { status: 503, meaning: '`ask` needs `LLM_BASE_URL` and `LLM_MODEL`.' },
  LLM_UNREACHABLE: { status: 502, meaning: 'The LLM server could not be reached.' },
  LLM_TIMEOUT: { status: 504, meaning: 'The LLM did not answer within `LLM_TIMEOUT_MS`.' },
  LLM_CANCELLED: { status: 499, meaning: 'The caller went away before the LLM answered (nginx\'s "client closed request").' },
  LLM_BAD_RESPONSE: { status: 502, meaning: 'The LLM server answered an error, nothing, or something unusable.' },

  // The simulator's own control routes
  SIMULATOR_FAULT_INVALID: { status: 400, meaning: 'The simulator\'s fault settings are invalid.' },
  SIMULATOR_OPTIONS_INVALID: { status: 400, meaning: 'The simulator\'s options are invalid.' },

  INTERNAL_ERROR: { status: 500, meaning: 'A bug; the server log has the details.' }
} as const satisfies Record<string, ErrorCodeInfo>

/** One of our stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES
