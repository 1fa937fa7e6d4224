import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorObject } from 'ajv'
import type { ErrorCode } from '../src/errors/codes.js'
import { AppError, errorBody, isAppError } from '../src/errors/app-error.js'
import { describeIssues } from '../src/gate/normalise.js'

// Fastify's own client errors, renamed to our stable codes.
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON'
}

// Other client errors (e.g. @fastify/static's 403 for a path outside its folder), by status.
const BY_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE'
}

/** One error handler and one 404 handler: every failure is answered as `{code, message, details?}`. */
export default fp(async function errorHandler (app) {
  app.setErrorHandler<FastifyError>(function handleError (err, request, reply) {
    if (err.validation) {
      const context = err.validationContext ?? 'body'
      const fields = describeIssues(err.validation as ErrorObject[]).map((f) => ({ field: f.field === '' || f.field === '(input)' ? context : `${context}.${f.field}`, message: f.message }))
      request.log.info({ fields }, 'request failed validation')
      return send(reply, new AppError('VALIDATION_ERROR', `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`, { details: { fields } }))
    }
    if (isAppError(err)) {
      if (err.statusCode === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="scale-api-helper"')
      if (err.statusCode >= 500) request.log.warn({ code: err.code }, err.message)
      else request.log.info({ code: err.code }, 'request rejected')
      return send(reply, err)
    }
    const statusCode = err.statusCode ?? 500
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type']
      return send(reply, new AppError('UNSUPPORTED_MEDIA_TYPE',
        `${type === undefined ? 'The body has no Content-Type' : `The body's Content-Type ${type.split(';')[0] ?? ''} is not accepted`}: send the tool's arguments as JSON with the header "Content-Type: application/json".`))
    }
    if (statusCode < 500) {
      const code = FASTIFY_CODES[err.code] ?? BY_STATUS[statusCode] ?? 'BAD_REQUEST'
      request.log.info({ code: err.code }, 'request rejected')
      // Fastify's status is kept where the list allows it for the code (e.g. a 400 that is not quite BAD_REQUEST's).
      return send(reply, new AppError(code, err.message, { status: statusCode }), statusCode)
    }
    request.log.error({ err }, 'request failed')
    return send(reply, new AppError('INTERNAL_ERROR', 'Internal server error; the server log has the details.'))
  })

  function send (reply: FastifyReply, err: AppError, status = err.statusCode): FastifyReply {
    return reply.code(status).send(errorBody(err))
  }

  // A tool asked for with the wrong method is a 405 naming the right one; anything else a 404.
  function answerNotFound (request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = request.url.split('?')[0] ?? ''
    const allowed = ['POST', 'GET'].filter((method) => method !== request.method && app.hasRoute({ method, url: path }))
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return send(reply, new AppError('METHOD_NOT_ALLOWED',
        `${request.method} ${path} is not served; use ${allowed.join(' or ')}${allowed.includes('POST') ? ' with a JSON body (tools are POST /<tool_name>)' : ''}.`))
    }
    return send(reply, new AppError('NOT_FOUND', `No route ${request.method} ${path}. Tools are POST /<tool_name>; see /openapi.json or /docs.`))
  }

  // Answered as soon as the route is known not to exist, before any body is read (a dripping body must not hold it).
  app.addHook('onRequest', async function notFoundEarly (request, reply) {
    if (request.is404) return await answerNotFound(request, reply)
  })

  app.setNotFoundHandler(function notFound (request, reply) {
    answerNotFound(request, reply)
  })
}, { name: 'error-handler', fastify: '5.x' })
