import { setMaxListeners } from 'node:events'

/**
 * An AbortController for something that outlives calls (a face's shutdown, a client's close): every call in flight
 * listens to it, and removes its listener when it ends. Node's leak warning counts listeners, not leaks, so it is
 * turned off for this one signal; a warning would say nothing true.
 */
export function sharedAbortController (): AbortController {
  const controller = new AbortController()
  setMaxListeners(0, controller.signal)
  return controller
}
