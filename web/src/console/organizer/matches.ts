// <rsc-matches [stage]>: matches, a page at a time, filtered by stage, round and status. Editors move a match
// (kick-off, venue), postpone or cancel it; scorers (and editors) open the scoring page of a match and its
// history (the audit trail); a viewer reads the list. A match with a result is corrected on the scoring
// page, not here.

import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { atLeast } from "../core/session.js";
import { OrgPage } from "./base.js";
import { formatWhen, isoToLocal, localToIso, type Row } from "./forms.js";
import { choicesOf, listAll, listPage } from "./lookup.js";
import { CAN_VIEW, orgHref } from "./routes.js";

export const STATUSES = ["scheduled", "live", "finished", "postponed", "cancelled", "awarded"] as const;
const PAGE = 20;

/** The changes an editor may make to a match of this status (the calendar, not the protocol). */
export function matchActions(status: unknown): { move: boolean; postpone: boolean; cancel: boolean } {
  return {
    move: status === "scheduled" || status === "postponed",
    postpone: status === "scheduled",
    cancel: status === "scheduled" || status === "postponed",
  };
}

/** Whether the scoring page is worth opening: a match that is played or about to be. */
export const scorable = (status: unknown): boolean => status === "scheduled" || status === "live" || status === "finished";

export class RscMatches extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    stage: { type: Number },
    page: { state: true },
    offset: { state: true },
    round: { state: true },
    status: { state: true },
    chosenStage: { state: true },
    stages: { state: true },
    teams: { state: true },
    venues: { state: true },
    moving: { state: true },
    confirming: { state: true },
    error: { state: true },
    rowError: { state: true },
    busy: { state: true },
  };

  /** the stage whose matches are shown; unset: every stage, with a stage filter */
  declare stage: number | undefined;
  declare page: { items: Row[]; total: number } | null;
  declare offset: number;
  declare round: string;
  declare status: string;
  declare chosenStage: string;
  declare stages: [number, string][];
  declare teams: Map<number, string>;
  declare venues: [number, string][];
  declare moving: number | null;
  declare confirming: number | null;
  declare error: string;
  /** an action's failure, shown in the row of the match it was about */
  declare rowError: { id: number; text: string } | null;
  declare busy: boolean;
  private started = false;

  constructor() {
    super();
    this.page = null;
    this.offset = 0;
    this.round = "";
    this.status = "";
    this.chosenStage = "";
    this.stages = [];
    this.teams = new Map();
    this.venues = [];
    this.moving = null;
    this.confirming = null;
    this.error = "";
    this.rowError = null;
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.started || changed.has("stage") || changed.has("org")) {
      this.started = true;
      this.offset = 0;
      void this.loadNames();
      void this.load();
    }
  }

  private async loadNames(): Promise<void> {
    const failed = await this.attempt(async () => {
      const [teams, venues] = await Promise.all([choicesOf(this.client, this.org, "teams"), choicesOf(this.client, this.org, "venues")]);
      this.teams = new Map(teams);
      this.venues = venues;
      if (this.stage === undefined) {
        const [competitions, seasons, stages] = await Promise.all(
          ["competitions", "seasons", "stages"].map((r) => listAll(this.client, this.org, r)),
        );
        const named = (rows: Row[]): Map<number, Row> => new Map(rows.map((r) => [r.id, r]));
        const byComp = named(competitions);
        const bySeason = named(seasons);
        this.stages = stages.map((st): [number, string] => {
          const season = bySeason.get(Number(st.season_id));
          const comp = byComp.get(Number(season?.competition_id));
          return [st.id, [comp?.name, season?.name, st.name].filter(Boolean).map(String).join(" · ")];
        });
      }
    });
    if (failed) this.error = failed;
  }

  async load(): Promise<void> {
    const stage = this.stage ?? (this.chosenStage ? Number(this.chosenStage) : undefined);
    const failed = await this.attempt(async () => {
      this.page = await listPage(this.client, this.org, "matches", {
        stage_id: stage,
        round: this.round || undefined,
        status: this.status || undefined,
        limit: PAGE,
        offset: this.offset,
      });
    });
    this.error = failed ?? "";
  }

  private filter(key: "round" | "status" | "chosenStage", value: string): void {
    this[key] = value;
    this.offset = 0;
    void this.load();
  }

  private async change(match: Row, body: Record<string, unknown>): Promise<void> {
    this.busy = true;
    const failed = await this.attempt(() => this.client.request("PATCH", `/v1/orgs/${this.org}/matches/${match.id}`, { body }));
    this.busy = false;
    this.rowError = failed ? { id: match.id, text: failed } : null;
    if (!failed) {
      this.moving = null;
      this.confirming = null;
      await this.load();
    }
  }

  private move(event: SubmitEvent, match: Row): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const kickoff = (form.elements.namedItem("kickoff") as HTMLInputElement).value;
    const venue = (form.elements.namedItem("venue_id") as HTMLSelectElement).value;
    const body: Record<string, unknown> = { kickoff: localToIso(kickoff), venue_id: venue ? Number(venue) : null };
    if (match.status === "postponed") body.status = "scheduled";
    void this.change(match, body);
  }

  private team(id: unknown): string {
    return this.teams.get(Number(id)) ?? `#${String(id)}`;
  }

  private matchTitle(match: Row): string {
    return `${this.team(match.home_team_id)} – ${this.team(match.away_team_id)}`;
  }

  override render(): TemplateResult {
    return html`<section aria-label="Matches">
      ${this.stage === undefined ? html`<h2>Matches</h2>` : nothing}
      <div class="toolbar filters">
        ${this.stage === undefined
          ? html`<div class="field">
              <label for="m-stage">Stage</label>
              <select id="m-stage" @change=${(e: Event) => this.filter("chosenStage", (e.target as HTMLSelectElement).value)}>
                <option value="">every stage</option>
                ${this.stages.map(([id, name]) => html`<option value=${id}>${name}</option>`)}
              </select>
            </div>`
          : nothing}
        <div class="field">
          <label for="m-round">Round</label>
          <input id="m-round" class="short" type="number" min="1" inputmode="numeric" .value=${this.round} @change=${(e: Event) => this.filter("round", (e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="m-status">Status</label>
          <select id="m-status" @change=${(e: Event) => this.filter("status", (e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
          </select>
        </div>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderList()}
    </section>`;
  }

  private renderList(): TemplateResult {
    const page = this.page;
    if (page === null) return this.error ? html`` : html`<p class="muted" role="status">Loading…</p>`;
    if (page.total === 0) {
      return html`<p class="muted">No matches${this.round || this.status ? " with these filters" : " yet"}.
        ${this.stage !== undefined && this.canEdit ? html`<a href=${orgHref(this.org, "stage", this.stage, "calendar")}>Generate the calendar</a>` : nothing}</p>`;
    }
    const last = this.offset + page.items.length;
    return html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Kick-off</th>
              <th scope="col">Match</th>
              <th scope="col">Score</th>
              <th scope="col">Status</th>
              <th scope="col">Venue</th>
              <th scope="col"><span class="muted">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${page.items.map((m) => this.renderRow(m))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span class="muted">${this.offset + 1}–${last} of ${page.total}</span>
        ${this.offset > 0 ? html`<button type="button" class="secondary" @click=${() => this.goTo(this.offset - PAGE)}>Previous page</button>` : nothing}
        ${last < page.total ? html`<button type="button" class="secondary" @click=${() => this.goTo(this.offset + PAGE)}>Next page</button>` : nothing}
      </div>`;
  }

  private goTo(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.load();
  }

  private renderRow(m: Row): TemplateResult {
    const title = this.matchTitle(m);
    const can = matchActions(m.status);
    const score = m.home_score === null || m.home_score === undefined ? "" : `${String(m.home_score)}–${String(m.away_score)}`;
    const venue = this.venues.find(([id]) => id === m.venue_id)?.[1] ?? "";
    const error = this.rowError?.id === m.id ? this.rowError.text : "";
    return html`<tr data-id=${m.id} data-status=${String(m.status)}>
        <td data-label="Round">${String(m.round)}</td>
        <td data-label=${ifDefined(m.kickoff ? "Kick-off" : undefined)}>${formatWhen(m.kickoff)}</td>
        <td class="title">${title}</td>
        <td data-label=${ifDefined(score ? "Score" : undefined)}>${score}</td>
        <td data-label="Status">${String(m.status)}</td>
        <td data-label=${ifDefined(venue ? "Venue" : undefined)}>${venue}</td>
        <td class="actions">
          ${atLeast(this.orgRole, "scorer") && scorable(m.status)
            ? html`<a class="button" href=${orgHref(this.org, "score", m.id)} aria-label=${`Score ${title}`}>Score</a>`
            : nothing}
          ${CAN_VIEW.history(this.orgRole)
            ? html`<a class="button secondary" href=${orgHref(this.org, "history", m.id)} aria-label=${`History of ${title}`}>History</a>`
            : nothing}
          ${this.canEdit ? this.renderEditActions(m, title, can) : nothing}
        </td>
      </tr>
      ${this.moving === m.id ? this.renderMove(m, title) : nothing}
      ${error ? html`<tr class="bad"><td colspan="7" role="alert">${error}</td></tr>` : nothing}`;
  }

  private renderEditActions(m: Row, title: string, can: ReturnType<typeof matchActions>): TemplateResult {
    if (this.confirming === m.id) {
      return html`<span>Cancel ${title}?</span>
        <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.change(m, { status: "cancelled" })}>Yes, cancel it</button>
        <button type="button" class="secondary" @click=${() => (this.confirming = null)}>Keep it</button>`;
    }
    return html`${can.move ? html`<button type="button" class="secondary" aria-label=${`Move ${title}`} @click=${() => (this.moving = m.id)}>Move</button>` : nothing}
    ${can.postpone
      ? html`<button type="button" class="secondary" aria-label=${`Postpone ${title}`} ?disabled=${this.busy} @click=${() => void this.change(m, { status: "postponed" })}>
          Postpone
        </button>`
      : nothing}
    ${can.cancel ? html`<button type="button" class="secondary" aria-label=${`Cancel ${title}`} @click=${() => (this.confirming = m.id)}>Cancel</button>` : nothing}`;
  }

  private renderMove(m: Row, title: string): TemplateResult {
    return html`<tr class="move">
      <td colspan="7">
        <form class="edit" aria-label=${`Move ${title}`} @submit=${(e: SubmitEvent) => this.move(e, m)}>
          <div class="field">
            <label for="mv-kickoff">Kick-off</label>
            <input id="mv-kickoff" name="kickoff" type="datetime-local" required .value=${isoToLocal(m.kickoff)} />
          </div>
          <div class="field">
            <label for="mv-venue">Venue</label>
            <select id="mv-venue" name="venue_id">
              <option value="">—</option>
              ${this.venues.map(([id, name]) => html`<option value=${id} ?selected=${id === m.venue_id}>${name}</option>`)}
            </select>
          </div>
          ${m.status === "postponed" ? html`<p class="muted wide">Moving a postponed match schedules it again.</p>` : nothing}
          <div class="actions">
            <button type="submit" ?disabled=${this.busy}>Save the new date</button>
            <button type="button" class="secondary" @click=${() => (this.moving = null)}>Keep the date</button>
          </div>
        </form>
      </td>
    </tr>`;
  }
}

customElements.define("rsc-matches", RscMatches);
