import {readFile} from 'node:fs/promises'
import {UsageError} from '../errors.js'
import {ApiError} from './api-error.js'
import {parseProxyInput, type ProxyInput} from './proxy-input.js'

/**
 * Read a proxies config in Toxiproxy's format: a JSON array of
 * `{"name","listen","upstream","enabled"?,"protocol"?}`. Any problem is one UsageError
 * naming the file (exit 2).
 */
export async function loadProxyConfig(file: string): Promise<ProxyInput[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UsageError(`${file}: cannot read the proxies config (${code ?? (err as Error).message})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(data))
    throw new UsageError(
      `${file}: expected a JSON array of proxies like [{"name":"db","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379"}]`,
    )
  const names = new Set<string>()
  return data.map((entry, i) => {
    try {
      const input = parseProxyInput(entry)
      if (names.has(input.name))
        throw new UsageError(`${file}: proxy ${i + 1}: the name "${input.name}" is used twice`)
      names.add(input.name)
      return input
    } catch (err) {
      if (err instanceof ApiError) throw new UsageError(`${file}: proxy ${i + 1}: ${err.message}`)
      throw err
    }
  })
}
