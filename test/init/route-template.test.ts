import {describe, expect, it} from 'vitest'
import {looksLikeId, routeTemplate} from '../../src/init/route-template.js'

describe('route templates', () => {
  it('takes ids for parameters and keeps the route words', () => {
    expect(routeTemplate('/orders/8f3a21c4b7d9').template).toBe('/orders/{id}')
    expect(routeTemplate('/orders/91bc0d2e-0f1a-4c3b-9d8e-7f6a5b4c3d2e/items/42').template).toBe('/orders/{id}/items/{id2}')
    expect(routeTemplate('/naive/counters/fl-926ad80a-0-11/increment').template).toBe('/naive/counters/{id}/increment')
    expect(routeTemplate('/v1/users/me').template).toBe('/v1/users/me')
  })

  it('tells ids from words', () => {
    for (const id of ['12', '8f3a21c4', 'ord_8F3a21x', 'cus_8f3a21', '91bc0d2e-0f1a-4c3b-9d8e-7f6a5b4c3d2e']) expect(looksLikeId(id), id).toBe(true)
    for (const word of ['orders', 'increment', 'v2', 'health', 'kv', 'api']) expect(looksLikeId(word), word).toBe(false)
  })

  it('gives two recorded ids of one route the same template', () => {
    expect(routeTemplate('/orders/8f3a21c4b7d9').template).toBe(routeTemplate('/orders/91bc0d2e11aa').template)
  })
})
