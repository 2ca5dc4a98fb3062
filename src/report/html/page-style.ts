/**
 * The report's stylesheet. Colours are CSS variables with a dark set for
 * `prefers-color-scheme: dark`; sizes are in rem so the page reflows at 200 % zoom, where
 * the matrix wraps and a wide diagram scrolls inside its own frame instead of the page.
 */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1a1a1a; --muted: #4d5560; --line: #b9c0c8; --note-bg: #f2f4f7;
  --good: #116329; --good-bg: #dcf5e3; --bad: #a40e26; --bad-bg: #fde4e7;
  --unknown: #6b4a00; --unknown-bg: #fff3cd; --link: #0b57d0; --focus: #0b57d0;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --fg: #e8eaed; --muted: #b0b8c2; --line: #59616b; --note-bg: #1d2229;
    --good: #7ee2a0; --good-bg: #133b22; --bad: #ff9b93; --bad-bg: #4a161b;
    --unknown: #f5cf6b; --unknown-bg: #3d300b; --link: #9cc2ff; --focus: #9cc2ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; background: var(--bg); color: var(--fg);
  font: 0.95rem/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main, header { max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; overflow-wrap: anywhere; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.sub { display: block; color: var(--muted); font-size: .85em; font-weight: normal; }
.summary { color: var(--muted); margin: 0; }
.alert { color: var(--bad); background: var(--bad-bg); padding: .5rem .75rem; border-radius: .25rem; }
.matrix-wrap { max-width: 100%; }
.matrix { width: 100%; table-layout: fixed; border-collapse: collapse; }
.matrix caption { text-align: left; color: var(--muted); padding-bottom: .4rem; }
.matrix th, .matrix td { border: 1px solid var(--line); padding: .35rem .45rem; vertical-align: top;
  text-align: left; overflow-wrap: anywhere; hyphens: auto; }
.matrix thead th { font-size: .85em; }
.matrix th.endpoint { width: 18%; }
.matrix td.expectation { width: 15%; }
.met, .state-holds { color: var(--good); background: var(--good-bg); }
.unmet, .state-broken, .state-aborted { color: var(--bad); background: var(--bad-bg); }
.state-unknown { color: var(--unknown); background: var(--unknown-bg); }
.state a { color: inherit; font-weight: 600; }
@media (max-width: 48rem) {
  /* Narrow windows and high zoom: each endpoint becomes a block of labelled contract rows. */
  .matrix, .matrix caption, .matrix tbody, .matrix tr, .matrix th, .matrix td { display: block; width: auto; }
  .matrix thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .matrix tr { margin-bottom: .75rem; border: 1px solid var(--line); }
  .matrix th.endpoint, .matrix td.expectation { width: auto; }
  .matrix th, .matrix td { border-width: 0 0 1px 0; }
  .matrix td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  .matrix td .expected, .matrix td .sub { display: inline; margin-left: .4rem; }
}
.wanted { font-weight: 600; box-shadow: inset 0 0 0 2px currentColor; }
.expected { display: block; font-size: .8em; font-weight: 600; }
figure.evidence { margin: 1rem 0 1.5rem; padding: .75rem; border: 1px solid var(--line); border-radius: .35rem; }
figure.evidence figcaption { font-weight: 600; margin-bottom: .5rem; overflow-wrap: anywhere; }
.kind-breach figcaption { color: var(--bad); }
.kind-inconclusive figcaption { color: var(--unknown); }
.diagram { overflow-x: auto; max-width: 100%; border-radius: .25rem; }
.notes { color: var(--muted); padding-left: 1.2rem; }
details { margin-top: .5rem; }
.timeline { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; overflow-wrap: anywhere; }
.time { color: var(--muted); }
.replay { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin-top: .6rem; }
.replay code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: var(--note-bg);
  padding: .2rem .4rem; border-radius: .2rem; overflow-wrap: anywhere; max-width: 100%; }
button.copy { font: inherit; color: var(--fg); background: var(--note-bg); border: 1px solid var(--line);
  border-radius: .25rem; padding: .15rem .7rem; cursor: pointer; }
.status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
svg.sequence { font: 12px system-ui, sans-serif; display: block; }
svg.sequence text { fill: var(--fg); }
svg.sequence .lane-name { font-weight: 600; font-size: 13px; }
svg.sequence .lane-line { stroke: var(--line); stroke-width: 2; stroke-dasharray: 6 4; }
svg.sequence .time { fill: var(--muted); }
svg.sequence .arrow { stroke: var(--fg); stroke-width: 1.5; }
svg.sequence .arrowhead, svg.sequence .dot { fill: var(--fg); stroke: none; }
svg.sequence .note { fill: var(--note-bg); stroke: var(--line); }
svg.sequence .tone-bad .arrow { stroke: var(--bad); }
svg.sequence .tone-bad .arrowhead, svg.sequence .tone-bad .dot { fill: var(--bad); }
svg.sequence .tone-bad .note { fill: var(--bad-bg); stroke: var(--bad); }
svg.sequence .tone-good .note { fill: var(--good-bg); stroke: var(--good); }
svg.sequence .fault-cross, svg.sequence .crash-cross { stroke: var(--bad); stroke-width: 3.5; stroke-linecap: round; fill: none; }
`
