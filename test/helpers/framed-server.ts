import {once} from 'node:events'
import net, {type AddressInfo} from 'node:net'
import {encodeFrame, FrameDecoder, type Framing} from '../../src/proxy/tcp/framing.js'

/** Answer one request frame: a reply frame's payload, or undefined for no reply. */
export type FrameAnswer = (frame: Buffer) => {reply: Buffer; delayMs?: number} | undefined

export interface FramedServer {
  port: number
  /** Stop listening and destroy every open connection. */
  close(): Promise<void>
}

/**
 * A framed TCP server on 127.0.0.1 and a random port: it decodes each request frame with
 * `framing` and writes back what `answer` returns (after `delayMs`, unless the socket is gone by
 * then). A frame it cannot decode or answer closes that connection.
 */
export async function startFramedServer(framing: Framing, answer: FrameAnswer): Promise<FramedServer> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    const decoder = new FrameDecoder(framing)
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          const out = answer(frame)
          if (!out) continue
          const reply = encodeFrame(framing, out.reply)
          if ((out.delayMs ?? 0) > 0) setTimeout(() => !socket.destroyed && socket.write(reply), out.delayMs)
          else socket.write(reply)
        }
      } catch {
        socket.destroy()
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}

/** A JSON frame payload. */
export function jsonFrame(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}
