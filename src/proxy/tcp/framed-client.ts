import net, {type Socket} from 'node:net'
import {encodeFrame, FrameDecoder, type Framing} from './framing.js'

/**
 * A client connection that speaks frames: one request at a time, the next frame that comes
 * back is its reply. Used by faultline's built-in client and probes for `tcp` targets.
 */
export class FramedConnection {
  private readonly decoder: FrameDecoder
  private readonly frames: Buffer[] = []
  private waiter?: {resolve(frame: Buffer): void; reject(err: Error): void}
  private failure?: Error

  private constructor(
    readonly socket: Socket,
    framing: Framing,
    private readonly encode: (payload: Buffer) => Buffer,
  ) {
    this.decoder = new FrameDecoder(framing)
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.decoder.push(chunk)) this.frames.push(frame)
      } catch (err) {
        this.fail(err as Error)
        socket.destroy()
        return
      }
      this.wake()
    })
    socket.on('error', (err) => this.fail(err))
    socket.once('close', () => this.fail(new Error('the connection closed before a reply arrived')))
  }

  /** Connect; rejects on connection errors or when `signal` aborts. */
  static open(host: string, port: number, framing: Framing, signal?: AbortSignal): Promise<FramedConnection> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const socket = net.connect({host, port, noDelay: true})
      const onAbort = () => {
        socket.destroy()
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, {once: true})
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort)
        socket.off('error', reject)
        resolve(new FramedConnection(socket, framing, (payload) => encodeFrame(framing, payload)))
      })
      socket.once('error', reject)
    })
  }

  get usable(): boolean {
    return !this.failure && !this.socket.destroyed && this.frames.length === 0 && this.decoder.buffered === 0
  }

  /** Send one frame and resolve with the next frame that arrives. Aborting closes the connection. */
  request(payload: Buffer, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure)
      if (signal?.aborted) {
        this.socket.destroy()
        return reject(signal.reason)
      }
      const onAbort = () => {
        this.waiter = undefined
        this.socket.destroy()
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, {once: true})
      this.waiter = {
        resolve: (frame) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(frame)
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
      }
      this.socket.write(this.encode(payload))
      this.wake()
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiter = this.waiter
    if (!waiter) return
    const frame = this.frames.shift()
    if (frame) {
      this.waiter = undefined
      waiter.resolve(frame)
    } else if (this.failure) {
      this.waiter = undefined
      waiter.reject(this.failure)
    }
  }

  private fail(err: Error): void {
    this.failure ??= err
    this.wake()
  }
}
