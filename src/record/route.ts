/** A path segment that names one record rather than a kind of thing: a number, a UUID, a long hex id. */
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i

/** `POST /users/42/orders?x=1` → `POST /users/{id}/orders`: routes count requests, not records. */
export function httpRoute(method: string, url: string): string {
  const path = url.split('?')[0] ?? '/'
  const collapsed = path
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? '{id}' : segment))
    .join('/')
  return `${method} ${collapsed}`
}
