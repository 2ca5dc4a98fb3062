import {once} from 'node:events'
import type {Writable} from 'node:stream'

/**
 * Writes each chunk to `stream` in order, waiting for 'drain' whenever `write()` says its buffer
 * is full, so a slow reader holds back the producer instead of the chunks piling up in memory.
 * Resolves once the last chunk has left the stream's buffer; rejects with the stream's error
 * (EPIPE when the reader went away, ENOSPC, …) and stops writing. The stream's 'error' events
 * are the caller's to report from the rejection, so a listener stays on a stream that failed:
 * its later errors are the same failure, not an uncaught exception.
 */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  let failure: Error | undefined
  const onError = (err: Error) => (failure ??= err)
  stream.on('error', onError)
  // A write that fails at once (a pipe or file written synchronously) marks the stream errored
  // before its 'error' event, which comes on the next tick.
  const failed = () => failure ?? stream.errored ?? undefined
  for (const chunk of chunks) {
    const room = stream.write(chunk)
    const err = failed()
    if (err) throw err
    if (!room) await once(stream, 'drain')
  }
  await new Promise<void>((resolve, reject) => stream.write('', (err) => (err ? reject(err) : resolve())))
  const err = failed()
  if (err) throw err
  stream.off('error', onError)
}
