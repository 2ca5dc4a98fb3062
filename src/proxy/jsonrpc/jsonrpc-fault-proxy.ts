import {HttpFaultProxy, type HttpFaultProxyOptions} from '../http/http-fault-proxy.js'
import type {HttpRequestInterceptor} from '../http/interceptor.js'
import {handleJsonRpcRequest, type JsonRpcProxyOptions} from './jsonrpc-exchange.js'

export interface JsonRpcFaultProxyOptions extends Omit<HttpFaultProxyOptions, 'intercept'> {
  /** How POST bodies are read as JSON-RPC 2.0: rules see each call, batch calls can be hit one by one. */
  jsonrpc: JsonRpcProxyOptions
}

/** Takes over every POST as a JSON-RPC request; other methods stay plain HTTP. */
export function jsonRpcInterceptor(options: JsonRpcProxyOptions): HttpRequestInterceptor {
  return ({env, rules, req, res, ids, owner}) => {
    if (req.method !== 'POST') return false
    const {operation: headerOperation, ...rest} = ids
    void handleJsonRpcRequest({env, rules, options, req, res, ids: rest, headerOperation, owner})
    return true
  }
}

/** The L7 HTTP proxy with JSON-RPC composed over it. */
export function createJsonRpcFaultProxy({jsonrpc, ...http}: JsonRpcFaultProxyOptions): HttpFaultProxy {
  return new HttpFaultProxy({...http, intercept: jsonRpcInterceptor(jsonrpc)})
}
