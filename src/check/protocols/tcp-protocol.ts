import {selectJson} from '../../jsonpath.js'
import type {ClientPolicy, Scenario, TcpRequestTemplate, TcpTarget} from '../../scenario/types.js'
import {FramedConnection} from '../../proxy/tcp/framed-client.js'
import {MARKER_FIELD} from '../../proxy/tcp/request-frame.js'
import {parseTcpAddress, TCP_REPLY_STATUS} from '../../proxy/tcp/tcp-env.js'
import {TcpFaultProxy} from '../../proxy/tcp/tcp-fault-proxy.js'
import type {ProtocolAdapter, Transport, TransportReply} from '../protocol.js'

function tcpOptions(scenario: Scenario): TcpTarget {
  if (!scenario.target.tcp) throw new Error('a tcp target needs its framing options') // set by the loader
  return scenario.target.tcp
}

/**
 * How one reply frame ends an operation: `failed` when the declared error field holds a value,
 * unless client.failoverOn lists that value (replicated targets): then it is retried on the next replica.
 */
export function classifyTcpReply(reply: unknown, options: TcpTarget, policy: ClientPolicy): Pick<TransportReply, 'status' | 'classification' | 'failover'> {
  if (options.errorField === undefined) return {status: TCP_REPLY_STATUS, classification: 'ok'}
  const found = selectJson(reply, options.errorField)
  if (!found.found || found.value === null || found.value === undefined) return {status: TCP_REPLY_STATUS, classification: 'ok'}
  const status = typeof found.value === 'string' || typeof found.value === 'number' ? found.value : 'error'
  if (policy.failoverOn?.includes(status)) return {status, classification: 'retry', failover: String(status)}
  return {status, classification: 'failed'}
}

/**
 * faultline's client for framed TCP: a pool of connections, one request in flight on each.
 * A connection whose attempt timed out or failed is closed, never reused, so a late reply
 * can never be taken for the next request's.
 */
function tcpTransport(url: string, options: TcpTarget): Transport {
  const {host, port} = parseTcpAddress(url)
  const idle: FramedConnection[] = []
  const all = new Set<FramedConnection>()
  return {
    async send(request, markers, policy, signal) {
      const template = request as TcpRequestTemplate
      const frame = markers ? {...template.frame, [MARKER_FIELD]: {trial: markers.trial, attempt: markers.attempt}} : template.frame
      let conn = idle.pop()
      while (conn && !conn.usable) {
        conn.close()
        all.delete(conn)
        conn = idle.pop()
      }
      if (!conn) {
        conn = await FramedConnection.open(host, port, options.framing, signal)
        all.add(conn)
      }
      let replyFrame: Buffer
      try {
        replyFrame = await conn.request(Buffer.from(JSON.stringify(frame)), signal)
      } catch (err) {
        conn.close()
        all.delete(conn)
        throw err
      }
      let reply: unknown
      try {
        reply = JSON.parse(replyFrame.toString('utf8'))
      } catch {
        conn.close()
        all.delete(conn)
        throw new Error(`the reply frame is not JSON: ${replyFrame.subarray(0, 80).toString('utf8')}`)
      }
      if (options.replyId !== undefined) {
        const sent = selectJson(template.frame, options.replyId)
        const got = selectJson(reply, options.replyId)
        if (sent.found && JSON.stringify(sent.value) !== JSON.stringify(got.value)) {
          conn.close()
          all.delete(conn)
          throw new Error(`the reply's id ${JSON.stringify(got.value)} does not match the request's ${JSON.stringify(sent.value)}`)
        }
      }
      if (conn.usable) idle.push(conn)
      else {
        conn.close()
        all.delete(conn)
      }
      return {...classifyTcpReply(reply, options, policy), body: reply, notFound: false}
    },
    async close() {
      for (const conn of all) conn.close()
      all.clear()
      idle.length = 0
    },
  }
}

/** JSON frames over TCP: the framed TCP fault proxy, a framed client for attempts and probes. */
export const tcpProtocol: ProtocolAdapter = {
  protocol: 'tcp',
  async startProxy(options) {
    const tcp = tcpOptions(options.scenario)
    const proxy = new TcpFaultProxy({
      upstream: options.upstream,
      events: options.events,
      rules: options.rules,
      hooks: options.hooks,
      captureBytes: options.captureBytes,
      owner: options.owner,
      tracker: options.tracker,
      framing: tcp.framing,
      replyId: tcp.replyId,
      requestId: tcp.requestId,
    })
    await proxy.start()
    return {url: proxy.url, tracker: proxy.tracker, close: () => proxy.close()}
  },
  createClient: (proxyUrl, scenario) => tcpTransport(proxyUrl, tcpOptions(scenario)),
  createProbeClient: (targetUrl, scenario) => tcpTransport(targetUrl, tcpOptions(scenario)),
}
