import fp from 'fastify-plugin'
import { AppError } from '../src/errors/app-error.js'

/**
 * What tool bodies may arrive as: JSON, an empty body (taken as `{}`), or JSON sent as text/plain or as curl's
 * default form encoding (`curl -d '{...}'` without a Content-Type). Anything else is a 415 that says to send JSON.
 * Safe to be lenient: every tool route needs an Authorization header, which no cross-site form can add.
 */
export default fp(async function bodyParsers (app) {
  const json = app.getDefaultJsonParser('error', 'ignore')
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseJson (request, body, done) {
    if ((body as string).trim() === '') {
      done(null, {})
      return
    }
    json(request, body as string, done)
  })
  app.addContentTypeParser(['text/plain', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, function parseJsonText (request, body, done) {
    const text = (body as string).trim()
    if (text === '') {
      done(null, {})
      return
    }
    if (!text.startsWith('{')) {
      done(notJson(String(request.headers['content-type'])), undefined)
      return
    }
    json(request, text, done)
  })
}, { name: 'body-parsers', fastify: '5.x' })

function notJson (type: string): AppError {
  return new AppError('UNSUPPORTED_MEDIA_TYPE', `The body was sent as ${type.split(';')[0] ?? type} and is not a JSON object. Send the tool's arguments as JSON with the header "Content-Type: application/json".`)
}
