import type {CrashRestart} from '../../fault-spec.js'
import type {FaultExchange} from './fault-exchange.js'

/** The server answered, its reply is at the proxy: kill the server before the reply leaves. */
export async function crashBeforeReply<R>(x: FaultExchange<R>, restart?: CrashRestart): Promise<void> {
  await x.inFlight(async () => {
    if (!(await x.deliverUntilReply())) return
    // The kill goes out first (synchronously inside the hook), then the client sees its connection die.
    const crashed = x.crash('before-reply', restart)
    x.resetClient()
    await crashed
  })
}

/**
 * The client got its reply; then the server is killed, restarted, and gets the request again.
 * A server left down (`restart: never`) gets nothing more.
 */
export async function crashAfterReply<R>(x: FaultExchange<R>, restart?: CrashRestart): Promise<void> {
  await x.sendReply(await x.deliverBuffered())
  if (!(await x.crash('after-reply', restart)) || restart === 'never') return
  // The restarted server now sees the same request again, as a retry or late duplicate would.
  await x.deliverQuietly()
}
