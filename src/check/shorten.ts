/** `text` cut to at most `max` characters, ending in `...` when it was longer (for messages). */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}
