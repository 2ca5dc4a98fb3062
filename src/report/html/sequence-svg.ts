import {clip, escapeHtml} from './escape.js'
import type {Lane, SequenceLayout, Step} from './sequence-layout.js'

const TIME_COLUMN = 78
const LANE_GAP = 280
const FIRST_LANE = TIME_COLUMN + 90
const HEAD = 44
const ROW = 30
const NOTE_WIDTH = 262
const CHAR = 6.4 // average width of one 12 px character, to fit labels

/**
 * A sequence diagram as inline SVG: one named lane per participant, one row per step with its
 * time on the left. Arrows carry attempts, deliveries and replies; notes carry results, probe
 * readings and faults. Faults, the crash and the restart carry `data-mark` so tests and readers
 * can find them; every label is escaped and its full text is kept in a <title>.
 */
export function renderSequenceSvg(layout: SequenceLayout, title: string): string {
  const x = (lane: Lane) => FIRST_LANE + layout.lanes.indexOf(lane) * LANE_GAP
  const width = x(layout.lanes.at(-1) as Lane) + NOTE_WIDTH + 20
  const height = HEAD + (layout.steps.length + 1) * ROW
  const lanes = layout.lanes.map(
    (lane) =>
      `<g class="lane" data-lane="${lane}"><text class="lane-name" x="${x(lane)}" y="22" text-anchor="middle">${lane}</text>` +
      `<line class="lane-line" x1="${x(lane)}" y1="30" x2="${x(lane)}" y2="${height - 6}"/></g>`,
  )
  const rows = layout.steps.map((step, i) => renderStep(step, HEAD + (i + 0.5) * ROW, x))
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" role="img" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" data-lanes="${layout.lanes.join(' ')}"><title>${escapeHtml(title)}</title>` +
    `${lanes.join('')}${rows.join('')}</svg>`
  )
}

function renderStep(step: Step, y: number, x: (lane: Lane) => number): string {
  const time = `<text class="time" x="${TIME_COLUMN - 8}" y="${y + 4}" text-anchor="end">+${step.at.toFixed(1)} ms</text>`
  const body = step.to !== undefined ? arrow(step, y, x(step.from), x(step.to)) : note(step, y, x(step.from))
  const mark = MARKS[step.kind]
  return (
    `<g class="step tone-${step.tone}" data-kind="${step.kind}"${mark ? ` data-mark="${mark}"` : ''}>` +
    `<title>${escapeHtml(step.label)}</title>${time}${body}</g>`
  )
}

const MARKS: Partial<Record<Step['kind'], string>> = {fault: 'fault', crash: 'crash', restart: 'restart'}

function arrow(step: Step, y: number, from: number, to: number): string {
  const dir = to > from ? 1 : -1
  const tip = to - dir * 2
  const head = `${tip},${y} ${tip - dir * 9},${y - 5} ${tip - dir * 9},${y + 5}`
  const room = Math.floor((Math.abs(to - from) - 12) / CHAR)
  const crash = step.kind === 'crash' ? crossAt(to, y, 'crash-cross') : ''
  return (
    `<line class="arrow" x1="${from}" y1="${y}" x2="${tip - dir * 8}" y2="${y}"/><polygon class="arrowhead" points="${head}"/>` +
    `<text class="label" x="${(from + to) / 2}" y="${y - 6}" text-anchor="middle">${escapeHtml(clip(step.label, room))}</text>${crash}`
  )
}

function note(step: Step, y: number, lane: number): string {
  const room = Math.floor((NOTE_WIDTH - 24) / CHAR)
  const symbol =
    step.kind === 'fault'
      ? crossAt(lane, y, 'fault-cross')
      : `<circle class="dot" cx="${lane}" cy="${y}" r="4"/>`
  return (
    `${symbol}<rect class="note" x="${lane + 12}" y="${y - 11}" width="${NOTE_WIDTH - 12}" height="22" rx="4"/>` +
    `<text class="label" x="${lane + 18}" y="${y + 4}">${escapeHtml(clip(step.label, room))}</text>`
  )
}

/** A bold ✕ centred on a lane: where a fault fired, or where the server was killed. */
function crossAt(cx: number, cy: number, cls: string): string {
  const r = 7
  return `<path class="${cls}" d="M${cx - r},${cy - r} L${cx + r},${cy + r} M${cx + r},${cy - r} L${cx - r},${cy + r}"/>`
}
