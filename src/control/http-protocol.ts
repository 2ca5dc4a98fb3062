import type {EventLog} from '../events/event-log.js'
import {HttpFaultProxy} from '../proxy/http/http-fault-proxy.js'
import {L4Proxy} from '../proxy/l4/l4-proxy.js'
import type {ToxicSpec} from '../proxy/l4/toxic.js'
import {L4_TOXICS} from '../proxy/l4/toxics/registry.js'
import {RuleSet} from '../proxy/rule-set.js'
import {isL7Toxic, L7_TOXIC_TYPES, toL7Rule} from './l7-toxics.js'
import type {EngineOptions, ProtocolSupport, ProxyEngine} from './proxy-engine.js'

/**
 * A proxy with `protocol: http`: the L4 proxy listens where the API says and carries the byte
 * toxics; behind it, on a loopback port of its own, the L7 HTTP proxy applies the
 * message toxics (drop-request, drop-reply, duplicate, delay, reset) per request.
 */
class HttpToxicEngine implements ProxyEngine {
  private readonly l4: L4Proxy
  private l7: HttpFaultProxy | undefined
  private readonly rules: RuleSet
  private upstream: string
  private readonly name: string
  private readonly events: EventLog

  constructor(options: EngineOptions) {
    this.name = options.name
    this.events = options.events
    this.upstream = options.upstream
    this.rules = new RuleSet(options.seed)
    this.l4 = new L4Proxy({...options, upstream: '127.0.0.1:0', toxicTypes: L4_TOXICS})
  }

  get listen(): string {
    return this.l4.listen
  }

  get running(): boolean {
    return this.l4.running
  }

  async start(): Promise<void> {
    const upstream = /^https?:\/\//.test(this.upstream) ? this.upstream : `http://${this.upstream}`
    const l7 = new HttpFaultProxy({upstream, name: this.name, events: this.events, rules: this.rules})
    await l7.start()
    this.l7 = l7
    this.l4.retarget(this.l4.listen, `127.0.0.1:${l7.port}`)
    try {
      await this.l4.start()
    } catch (err) {
      this.l7 = undefined
      await l7.close()
      throw err
    }
  }

  async stop(): Promise<void> {
    await this.l4.stop()
    const l7 = this.l7
    this.l7 = undefined
    await l7?.close()
  }

  retarget(listen: string, upstream: string): void {
    this.upstream = upstream
    this.l4.retarget(listen, this.l4.upstream)
  }

  addToxic(spec: ToxicSpec): void {
    if (isL7Toxic(spec.type)) this.rules.add(toL7Rule(spec))
    else this.l4.addToxic(spec)
  }

  updateToxic(spec: ToxicSpec): void {
    if (isL7Toxic(spec.type)) this.rules.add(toL7Rule(spec)) // same id: replaced
    else this.l4.updateToxic(spec)
  }

  removeToxic(name: string): void {
    if (!this.rules.remove(name)) this.l4.removeToxic(name)
  }
}

/** `protocol: http` on the control API: byte toxics and message toxics on one proxy. */
export const httpProtocol: ProtocolSupport = {
  protocol: 'http',
  createEngine: (options) => new HttpToxicEngine(options),
  toxicTypes: [...L4_TOXICS.values(), ...L7_TOXIC_TYPES],
}
