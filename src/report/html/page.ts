import {createHash} from 'node:crypto'
import {COPY_SCRIPT} from './copy-script.js'
import {escapeHtml} from './escape.js'
import {PAGE_STYLE} from './page-style.js'

export interface PageParts {
  title: string
  /** HTML of the header's lines, already escaped. */
  header: string
  /** HTML of the main content, already escaped. */
  main: string
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * The self-contained page around a report: its stylesheet and script inline, and a content
 * security policy that lets the page load nothing else (no network, no fonts, no images), so
 * it opens from disk and shows the same everywhere.
 */
export function renderPage(parts: PageParts): string {
  const policy = `default-src 'none'; style-src ${hash(PAGE_STYLE)}; script-src ${hash(COPY_SCRIPT)}; base-uri 'none'; form-action 'none'`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>${escapeHtml(parts.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>${parts.header}</header>
<main>
${parts.main}
</main>
<p id="copy-status" class="status" role="status" aria-live="polite"></p>
<script>${COPY_SCRIPT}</script>
</body>
</html>
`
}
