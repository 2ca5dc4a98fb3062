/**
 * The report's only script: a replay command's Copy button copies it. Buttons are native, so
 * Enter and Space work. Where the clipboard is refused (some browsers, for files opened from
 * disk), the command is selected instead and the status line says to press Ctrl+C.
 */
export const COPY_SCRIPT = `
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null
  if (!button) return
  const text = button.getAttribute('data-copy') || ''
  const status = document.getElementById('copy-status')
  let message = 'Copied: ' + text
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    const code = document.getElementById(button.getAttribute('aria-controls') || '')
    if (code) window.getSelection().selectAllChildren(code)
    message = 'Selected the command: press Ctrl+C to copy it'
  }
  button.textContent = message.startsWith('Copied') ? 'Copied' : 'Selected'
  if (status) status.textContent = message
})
`
