import {now} from '../events/event-log.js'
import {Exchange} from '../proxy/http/exchange.js'
import type {HttpRequestInterceptor} from '../proxy/http/interceptor.js'
import {hasRequestBody, readAll} from '../proxy/http/request-body.js'
import type {AuditObserver} from './observer.js'
import {keyFromHeaders} from './request-key.js'
import {bodyHash, httpMethodUnsafe, routeOf} from './route.js'

/**
 * The audit's way into the HTTP proxy: every request is read in full (its body hash groups
 * retries that carry no key), shown to the observer, then run as the proxy's ordinary
 * exchange with the fault the observer chose.
 */
export function httpIntake(observer: AuditObserver): HttpRequestInterceptor {
  return ({env, req, res, ids}) => {
    const time = now()
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    env.events.record({type: 'request', proxy: env.name, ...ids, method, path: target, time})
    const hasBody = hasRequestBody(req.headers)
    if (!hasBody) req.resume()
    const body = hasBody ? readAll(req) : Promise.resolve(null)
    void body.then(
      (bytes) => {
        const action = observer.observe({
          request: ids.request,
          time,
          method,
          target: target.split('?')[0] ?? target,
          route: routeOf(method, target),
          bodyHash: bodyHash(bytes),
          key: keyFromHeaders(req.headers, 'header'),
          unsafe: httpMethodUnsafe(method),
        })
        return new Exchange(env, req, res, ids, action, {body: bytes && bytes.length > 0 ? bytes : null}).run()
      },
      (err: Error) => {
        env.events.record({type: 'error', proxy: env.name, ...ids, detail: {message: `request body not received: ${err.message}`, phase: 'request'}})
        res.destroy()
      },
    )
    return true
  }
}
