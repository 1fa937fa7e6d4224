import fp from 'fastify-plugin'
import cors from '@fastify/cors'

/** Options of the CORS plugin. */
export interface CorsOptions {
  /** Origins allowed to call us from a browser; empty allows none. */
  origins: string[]
}

/**
 * Lets the configured browser origins (e.g. Open WebUI's per-user tool connections) call the tools; preflights need no token.
 * @see {@link https://github.com/fastify/fastify-cors}
 */
export default fp<CorsOptions>(async function corsPlugin (app, opts) {
  await app.register(cors, {
    origin: opts.origins.length === 0 ? false : opts.origins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600
  })
}, { name: 'cors', fastify: '5.x' })
