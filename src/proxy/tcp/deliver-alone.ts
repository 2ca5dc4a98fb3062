import net, {type Socket} from 'node:net'
import type {Cancelable} from '../pending-sleep.js'
import {encodeFrame, FrameDecoder} from './framing.js'
import {pairingId} from './reply-pairing.js'
import type {TcpProxyEnv} from './tcp-env.js'

/**
 * Deliver one frame on a fresh upstream connection and read its reply (duplicates, late
 * copies), so that reply never reaches the client. `id`: the pairing id the reply must
 * carry; undefined takes the first reply frame. `onWritten` runs once the frame is sent.
 */
export function deliverAlone(env: TcpProxyEnv, frame: Buffer, id: string | undefined, onWritten?: (socket: Socket) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host: env.upstream.host, port: env.upstream.port, noDelay: true})
    const decoder = new FrameDecoder(env.framing)
    let settled = false
    const entry: Cancelable = {cancel: () => finish(new Error('proxy closed'))}
    env.pending.add(entry)
    const finish = (err: Error | undefined, reply?: Buffer) => {
      if (settled) return
      settled = true
      env.pending.delete(entry)
      socket.destroy()
      if (err) reject(err)
      else resolve(reply as Buffer)
    }
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const reply of decoder.push(chunk)) {
          if (id !== undefined && pairingId(JSON.parse(reply.toString('utf8')), env.replyId as string) !== id) continue
          return finish(undefined, reply)
        }
      } catch (err) {
        finish(err as Error)
      }
    })
    socket.on('error', (err) => finish(err))
    socket.once('close', () => finish(new Error('the server closed the connection before replying')))
    socket.write(encodeFrame(env.framing, frame), () => onWritten?.(socket))
  })
}
