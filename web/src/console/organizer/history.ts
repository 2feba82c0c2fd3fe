// <rsc-history match>: a match's history from the audit trail, newest first: every change of the match and
// of its events and line-ups, with when, who (a user's email, a crawler, "by hand in SQL" for a change made
// without attribution), through what (the admin API, a crawler), what happened, and each changed field as
// before → after. Scorers, editors and owners read it (the API refuses viewers). The admin app asks the
// audit writer (`rstat audit`) for it: when that is not running the API answers 503, and the page says so.
//
// API: GET /v1/orgs/{org}/matches/{id}/history?limit&offset (api/admin/history.py).

import { css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { ApiError } from "../core/api.js";
import { atLeast } from "../core/session.js";
import { OrgPage, sessionEnded } from "./base.js";
import { errorText, isSessionEnd, type Row } from "./forms.js";
import { choicesOf, type Page } from "./lookup.js";
import { orgHref } from "./routes.js";
import { pageStyles } from "./styles.js";

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface HistoryEntry {
  table: string;
  id: number | null;
  /** c created, u updated, d deleted, r present when the audit began */
  op: string;
  /** the commit time (UTC, ISO 8601) */
  at: string;
  /** who, in words: an email, "crawler: nhl", "command line (root)", "by hand in SQL" */
  actor: string;
  /** who, as recorded: user:7, crawler:nhl, or empty */
  actor_id: string;
  /** through what: admin-api, crawler:nhl, or empty */
  source: string;
  request_id: string;
  changes: FieldChange[];
}

export const HISTORY_PAGE = 50;

/** What the page says when the audit writer does not answer (the API's 503). */
export const AUDIT_DOWN = "The audit trail is not running: start `rstat audit` (it is part of `rstat up`), then try again.";

/** Through what a change was made, in words. */
export function sourceText(entry: Pick<HistoryEntry, "source" | "actor_id">): string {
  const source = entry.source;
  if (!source) return entry.actor_id ? "unknown" : "by hand in SQL";
  if (source === "admin-api") return "admin API";
  const [kind, name] = [source.slice(0, source.indexOf(":")), source.slice(source.indexOf(":") + 1)];
  if (source.includes(":") && kind === "crawler") return `crawler: ${name}`;
  return source;
}

const TABLES: Record<string, string> = { matches: "the match", match_events: "event", lineups: "line-up entry" };
const OPS: Record<string, string> = { c: "created", u: "changed", d: "deleted", r: "present when the audit began" };

/** What happened, in words: "the match changed", "event 12 (goal) deleted". */
export function whatText(entry: HistoryEntry): string {
  const table = TABLES[entry.table] ?? entry.table;
  const kind = entry.changes.find((c) => c.field === "kind");
  const detail = kind ? (kind.to ?? kind.from) : null;
  const row = entry.table === "matches" ? table : `${table}${entry.id !== null ? ` ${entry.id}` : ""}${typeof detail === "string" ? ` (${detail})` : ""}`;
  return `${row} ${OPS[entry.op] ?? entry.op}`;
}

/** A field's value for people: empty as "—", text as it is, anything else as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A commit time with its seconds, in the browser's time zone. */
export function atText(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

/** Why the history cannot be shown, in words (the audit writer away is a 503). */
export function historyError(error: unknown): string {
  if (error instanceof ApiError && error.status === 503) return AUDIT_DOWN;
  return errorText(error);
}

export class RscHistory extends OrgPage {
  static override styles = [
    pageStyles,
    css`
      ul.changes {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      ul.changes li {
        overflow-wrap: anywhere;
      }
      .before {
        color: #8a1c12;
      }
      .after {
        color: #1d5b2c;
      }
      td.when {
        white-space: nowrap;
      }
    `,
  ];

  static override properties = {
    ...OrgPage.properties,
    match: { type: Number },
    matchName: { state: true },
    page: { state: true },
    offset: { state: true },
    error: { state: true },
  };

  declare match: number;
  /** the match in words: "Lions – Tigers, round 3" (its number until read) */
  declare matchName: string;
  declare page: Page<HistoryEntry> | null;
  declare offset: number;
  declare error: string;
  private loadedKey = "";

  constructor() {
    super();
    this.match = 0;
    this.matchName = "";
    this.page = null;
    this.offset = 0;
    this.error = "";
  }

  protected override willUpdate(changed: PropertyValues): void {
    const key = `${this.org}/${this.match}`;
    if (this.client && this.match && key !== this.loadedKey) {
      this.loadedKey = key;
      this.offset = 0;
      this.page = null;
      this.matchName = "";
      void this.loadTitle();
      void this.load();
    }
    super.willUpdate(changed);
  }

  /** The match's teams for the heading; without them (a deleted match) the heading names its number. */
  private async loadTitle(): Promise<void> {
    await this.attempt(async () => {
      const [match, teams] = await Promise.all([
        this.client.request<Row>("GET", `/v1/orgs/${this.org}/matches/${this.match}`),
        choicesOf(this.client, this.org, "teams"),
      ]);
      const name = (id: unknown): string => teams.find(([key]) => key === id)?.[1] ?? `#${String(id)}`;
      this.matchName = `${name(match.home_team_id)} – ${name(match.away_team_id)}${match.round ? `, round ${String(match.round)}` : ""}`;
    });
  }

  async load(): Promise<void> {
    const offset = this.offset;
    try {
      const page = await this.client.request<Page<HistoryEntry>>("GET", `/v1/orgs/${this.org}/matches/${this.match}/history`, {
        query: { limit: HISTORY_PAGE, offset },
      });
      if (offset === this.offset) this.page = page;
      this.error = "";
    } catch (error) {
      // a 401 goes to the shell as on every page; the rest (503 above all) is said here
      if (isSessionEnd(error)) sessionEnded(this, errorText(error));
      this.error = historyError(error);
    }
  }

  private go(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.load();
  }

  override render(): TemplateResult {
    const canScore = atLeast(this.orgRole, "scorer");
    return html`<section aria-label="History">
      <p class="crumbs">
        <a href=${orgHref(this.org, "matches")}>← Matches</a>
        ${canScore ? html` · <a href=${orgHref(this.org, "score", this.match)}>Scoring page</a>` : nothing}
      </p>
      <h2>History of the match ${this.matchName || `#${this.match}`}</h2>
      <p class="muted">Every change of the match, its events and its line-ups, newest first, from the audit trail.</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderEntries()}
    </section>`;
  }

  private renderEntries(): TemplateResult {
    const page = this.page;
    if (page === null) return this.error ? html`` : html`<p class="muted" role="status">Loading…</p>`;
    if (page.total === 0) {
      return html`<p class="muted">No changes recorded yet (the audit trail shows a change a few seconds after it is made).</p>`;
    }
    const last = this.offset + page.items.length;
    return html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Through</th>
              <th scope="col">What</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            ${page.items.map((entry) => this.renderEntry(entry))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span class="muted">${this.offset + 1}–${last} of ${page.total}</span>
        ${this.offset > 0 ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset - HISTORY_PAGE)}>Newer changes</button>` : nothing}
        ${last < page.total ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset + HISTORY_PAGE)}>Older changes</button>` : nothing}
      </div>`;
  }

  private renderEntry(entry: HistoryEntry): TemplateResult {
    return html`<tr data-table=${entry.table} data-op=${entry.op}>
      <td class="when" data-label="When"><time datetime=${entry.at}>${atText(entry.at)}</time></td>
      <td class="who" data-label="Who">${entry.actor}</td>
      <td class="source" data-label="Through">${sourceText(entry)}</td>
      <td class="what" data-label="What">${whatText(entry)}</td>
      <td class="changes" data-label="Changes">
        <ul class="changes">
          ${entry.changes.map(
            (c) =>
              html`<li data-field=${c.field}>
                <code>${c.field}</code>: <span class="before">${valueText(c.from)}</span> → <span class="after">${valueText(c.to)}</span>
              </li>`,
          )}
        </ul>
      </td>
    </tr>`;
  }
}

customElements.define("rsc-history", RscHistory);
