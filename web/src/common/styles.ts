import { css } from "lit";

/**
 * Shared look of every R-Stat widget. Theme them from the page with CSS custom properties, on the
 * element or any ancestor:
 *
 *   --rstat-font      font family                      (default: inherit the page's)
 *   --rstat-size      base font size                   (default: 0.95rem)
 *   --rstat-bg        widget background                (default: Canvas / white)
 *   --rstat-fg        text colour                      (default: CanvasText / #111)
 *   --rstat-muted     secondary text colour            (default: #666)
 *   --rstat-accent    headings, leaders, links, focus  (default: #0b5cad)
 *   --rstat-border    rules and borders                (default: #d8d8d8)
 *   --rstat-stripe    every other table row            (default: rgba(0,0,0,.03))
 *   --rstat-live      live badge and live scores       (default: #c62828)
 *   --rstat-live-fg   text on the live badge           (default: #fff)
 *   --rstat-error     error box accent                 (default: #b00020)
 *   --rstat-radius    corner radius                    (default: 6px)
 *   --rstat-pad       inner spacing                    (default: 0.5rem)
 *
 * Parts for ::part() styling: box, caption, table, row, badge, score, status, events, lineups, error, note.
 * Secondary columns (class "sec") hide below 30rem of widget width (container query, media query fallback);
 * tables scroll inside the widget, never the page.
 */
export const baseStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    font-family: var(--rstat-font, inherit);
    font-size: var(--rstat-size, 0.95rem);
    color: var(--rstat-fg, CanvasText);
    max-width: 100%;
    min-width: 0;
  }
  :host([hidden]) {
    display: none;
  }
  .box {
    background: var(--rstat-bg, Canvas);
    border: 1px solid var(--rstat-border, #d8d8d8);
    border-radius: var(--rstat-radius, 6px);
    padding: var(--rstat-pad, 0.5rem);
    box-sizing: border-box;
    max-width: 100%;
    overflow: hidden;
  }
  .scroll {
    overflow-x: auto;
    max-width: 100%;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  caption,
  h2,
  h3 {
    text-align: start;
    font-weight: 600;
    color: var(--rstat-accent, #0b5cad);
    margin: 0 0 0.4em;
    font-size: 1.05em;
  }
  h3 {
    font-size: 0.95em;
    margin-top: 0.6em;
  }
  th,
  td {
    padding: 0.3em 0.4em;
    text-align: end;
    border-bottom: 1px solid var(--rstat-border, #d8d8d8);
    white-space: nowrap;
  }
  thead th {
    color: var(--rstat-muted, #666);
    font-weight: 600;
    font-size: 0.85em;
  }
  tbody th {
    font-weight: 500;
  }
  abbr[title] {
    text-decoration: none;
    cursor: help;
  }
  .name {
    text-align: start;
    white-space: normal;
    width: 100%;
  }
  tbody tr:nth-child(even) {
    background: var(--rstat-stripe, rgba(0, 0, 0, 0.03));
  }
  tr:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--rstat-accent, #0b5cad);
    outline-offset: -2px;
  }
  .muted,
  .note {
    color: var(--rstat-muted, #666);
    font-size: 0.85em;
  }
  .live {
    color: var(--rstat-live, #c62828);
  }
  .badge {
    display: inline-block;
    padding: 0 0.4em;
    border-radius: 0.6em;
    font-size: 0.75em;
    font-weight: 700;
    letter-spacing: 0.03em;
    text-transform: uppercase;
    background: var(--rstat-live, #c62828);
    color: var(--rstat-live-fg, #fff);
    vertical-align: middle;
  }
  .badge.off {
    background: var(--rstat-border, #d8d8d8);
    color: var(--rstat-fg, CanvasText);
  }
  .error {
    border-inline-start: 4px solid var(--rstat-error, #b00020);
    padding: 0.4em 0.6em;
    margin: 0.2em 0;
  }
  .vh {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  @container (max-width: 30rem) {
    .sec {
      display: none;
    }
  }
  @supports not (container-type: inline-size) {
    @media (max-width: 30rem) {
      .sec {
        display: none;
      }
    }
  }
`;
