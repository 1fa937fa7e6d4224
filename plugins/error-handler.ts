import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import type { ErrorObject } from 'ajv'
import { isAppError } from '../src/errors.js'
import { describeIssues } from '../src/gate/normalise.js'

// Fastify's own client errors, renamed to our stable codes.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON'
}

/** One error handler and one 404 handler: every failure is answered as `{code, message, details?}`. */
export default fp(async function errorHandler (app) {
  app.setErrorHandler<FastifyError>(function handleError (err, request, reply) {
    if (err.validation) {
      const context = err.validationContext ?? 'body'
      const fields = describeIssues(err.validation as ErrorObject[]).map((f) => ({ field: f.field === '' || f.field === '(input)' ? context : `${context}.${f.field}`, message: f.message }))
      request.log.info({ fields }, 'request failed validation')
      return reply.code(400).send({ code: 'VALIDATION_ERROR', message: `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`, details: { fields } })
    }
    if (isAppError(err)) {
      if (err.statusCode === 401) reply.header('www-authenticate', 'Bearer')
      if (err.statusCode >= 500) request.log.warn({ code: err.code }, err.message)
      else request.log.info({ code: err.code }, 'request rejected')
      const body: Record<string, unknown> = { code: err.code, message: err.message }
      if (err.details !== undefined) body.details = err.details
      return reply.code(err.statusCode).send(body)
    }
    if (typeof err.code === 'string' && err.code.startsWith('FST_BEARER_AUTH')) {
      const missing = err.code === 'FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER'
      return reply.code(401)
        .header('www-authenticate', missing ? 'Bearer' : 'Bearer error="invalid_token"')
        .send({
          code: 'UNAUTHORIZED',
          message: missing
            ? 'Missing bearer token: send the header "Authorization: Bearer <token>".'
            : 'Invalid bearer token: check the token in the "Authorization: Bearer <token>" header.'
        })
    }
    const statusCode = err.statusCode ?? 500
    if (statusCode < 500) {
      const code = FASTIFY_CODES[err.code] ?? 'BAD_REQUEST'
      request.log.info({ code: err.code }, 'request rejected')
      return reply.code(statusCode).send({ code, message: err.message })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send({ code: 'INTERNAL_ERROR', message: 'Internal server error; the server log has the details.' })
  })

  app.setNotFoundHandler(function notFound (request, reply) {
    reply.code(404).send({
      code: 'NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}. Tools are POST /<tool_name>; see /openapi.json or /docs.`
    })
  })
}, { name: 'error-handler', fastify: '5.x' })
