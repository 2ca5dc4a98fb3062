import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {connect, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** A shell command line running one of the throwaway servers with this very node. */
export function serverCommand(script: string, ...args: Array<string | number>): string {
  const path = fileURLToPath(new URL(`./servers/${script}`, import.meta.url))
  return [process.execPath, path, ...args.map(String)].map((part) => JSON.stringify(part)).join(' ')
}

export const driverScript = fileURLToPath(new URL('./servers/driver.mjs', import.meta.url))

/** A python3 server whose main thread exits while a worker thread serves (see the file). */
export const zombieLeaderScript = fileURLToPath(new URL('./servers/zombie-leader.py', import.meta.url))

/**
 * Dead, checked independently of the code under test: kill(pid, 0) fails with
 * ESRCH, or /proc says zombie — exited, holding nothing, waiting for PID 1 to reap
 * it (this machine's init does not reap orphans).
 */
export function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

/** True when a new listener can bind 127.0.0.1:port, i.e. nobody holds it. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    )
    server.listen({port, host: '127.0.0.1', exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/**
 * True when something accepts a connection on 127.0.0.1:port. A connect, never a bind: a bind
 * could take the port from a server that is about to listen on it again.
 */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({port, host: '127.0.0.1'})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** GET a JSON document over a fresh connection. */
export function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T)
        } catch (error) {
          reject(error)
        }
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** GET and drop the body; resolves with the status. */
export function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false}, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A fresh temporary directory and a cleanup for it. */
export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-supervisor-'))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export interface ServedBy {
  pid: number
  ppid: number
  port: number
}

/**
 * Pids of the live (non-zombie) processes in process group `pgid`, read from /proc
 * by the test itself.
 */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry))
  }
  return members
}

/** Poll `condition` (a check or a probe) until true; fail after `timeoutMs`. For states that emit no event. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
