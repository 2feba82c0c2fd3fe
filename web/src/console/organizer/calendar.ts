// <rsc-calendar stage>: generate a stage's calendar (round robin, knockout bracket, best-of series). The
// organizer first sees the preview (the API runs the whole generation and saves nothing), then saves
// exactly that; any change to the form throws the preview away, so what is saved is what was seen.

import { css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import { formatWhen, localToIso, type Row } from "./forms.js";
import { choicesOf, listAll, listPage } from "./lookup.js";
import { orgHref } from "./routes.js";

export type CalendarFormat = "round_robin" | "knockout" | "series";

export interface CalendarBody {
  team_ids: number[];
  format: CalendarFormat;
  first_kickoff: string;
  days_between_rounds: number;
  double?: boolean;
  legs?: number;
  best_of?: number;
  seed?: number;
  group_id?: number;
  venues?: Record<string, number>;
  preview?: boolean;
}

export interface PlannedMatch {
  id: number;
  round: number;
  home_team_id: number;
  away_team_id: number;
  venue_id: number | null;
  kickoff: string | null;
  tie_id: number | null;
  leg: number | null;
  game_no: number | null;
}

export interface Calendar {
  matches: PlannedMatch[];
  ties: number;
  rounds: number;
  preview?: boolean;
}

/** The API's body from the form's values (FormData of the calendar form). */
export function calendarBody(data: FormData): CalendarBody {
  const text = (name: string): string => String(data.get(name) ?? "").trim();
  const format = (text("format") || "round_robin") as CalendarFormat;
  const teams = data.getAll("team").map(Number);
  const body: CalendarBody = {
    team_ids: teams,
    format,
    first_kickoff: localToIso(text("first_kickoff")) ?? "",
    days_between_rounds: Number(text("days_between_rounds") || 7),
  };
  if (format === "round_robin") body.double = data.get("double") !== null;
  if (format === "knockout") body.legs = Number(text("legs") || 1);
  if (format === "series") body.best_of = Number(text("best_of") || 7);
  if (text("seed")) body.seed = Number(text("seed"));
  if (text("group_id")) body.group_id = Number(text("group_id"));
  const venues: Record<string, number> = {};
  for (const team of teams) {
    const venue = text(`venue-${team}`);
    if (venue) venues[String(team)] = Number(venue);
  }
  if (Object.keys(venues).length > 0) body.venues = venues;
  return body;
}

export class RscCalendar extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    stage: { type: Number },
    teams: { state: true },
    venues: { state: true },
    groups: { state: true },
    existing: { state: true },
    format: { state: true },
    preview: { state: true },
    saved: { state: true },
    error: { state: true },
    busy: { state: true },
    loaded: { state: true },
  };

  declare stage: number;
  declare teams: [number, string][];
  declare venues: [number, string][];
  declare groups: Row[];
  /** matches the stage has now (saving replaces the scheduled ones) */
  declare existing: number;
  declare format: CalendarFormat;
  declare preview: { body: CalendarBody; calendar: Calendar } | null;
  declare saved: Calendar | null;
  declare error: string;
  declare busy: boolean;
  /** the teams, venues and groups are read (the form offers them) */
  declare loaded: boolean;

  constructor() {
    super();
    this.teams = [];
    this.venues = [];
    this.groups = [];
    this.existing = 0;
    this.format = "round_robin";
    this.preview = null;
    this.saved = null;
    this.error = "";
    this.busy = false;
    this.loaded = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("stage") || changed.has("org")) void this.read();
  }

  private async read(): Promise<void> {
    const failed = await this.attempt(async () => {
      const [teams, venues, groups, matches] = await Promise.all([
        choicesOf(this.client, this.org, "teams"),
        choicesOf(this.client, this.org, "venues"),
        listAll(this.client, this.org, "groups", { stage_id: this.stage }),
        listPage(this.client, this.org, "matches", { stage_id: this.stage, limit: 1 }),
      ]);
      Object.assign(this, { teams, venues, groups, existing: matches.total, loaded: true });
    });
    this.error = failed ?? "";
  }

  private teamName(id: number): string {
    return this.teams.find(([key]) => key === id)?.[1] ?? `#${id}`;
  }

  private async send(body: CalendarBody): Promise<Calendar | null> {
    this.busy = true;
    let answer: Calendar | null = null;
    const failed = await this.attempt(async () => {
      answer = await this.client.request<Calendar>("POST", `/v1/orgs/${this.org}/stages/${this.stage}/calendar`, { body });
    });
    this.busy = false;
    this.error = failed ?? "";
    return answer;
  }

  private async showPreview(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const body = calendarBody(new FormData(event.target as HTMLFormElement));
    this.saved = null;
    const calendar = await this.send({ ...body, preview: true });
    this.preview = calendar ? { body, calendar } : null;
  }

  private async save(): Promise<void> {
    if (!this.preview) return;
    const calendar = await this.send(this.preview.body);
    if (calendar) {
      this.saved = calendar;
      this.preview = null;
      this.existing = calendar.matches.length;
    }
  }

  override render(): TemplateResult {
    if (!this.canEdit) return html`<p class="error" role="alert">Your role (${this.orgRole ?? "none"}) cannot generate a calendar.</p>`;
    if (!this.loaded) {
      return this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted" role="status">Loading the teams…</p>`;
    }
    return html`<form
        class="edit"
        aria-label="Calendar"
        @submit=${(e: SubmitEvent) => void this.showPreview(e)}
        @change=${() => (this.preview = null)}
      >
        ${this.renderTeams()}
        <div class="field">
          <label for="c-format">Format</label>
          <select id="c-format" name="format" @change=${(e: Event) => (this.format = (e.target as HTMLSelectElement).value as CalendarFormat)}>
            <option value="round_robin">Round robin (every team plays every other)</option>
            <option value="knockout">Knockout bracket (seeded in the order above)</option>
            <option value="series">Best-of series bracket (seeded in the order above)</option>
          </select>
        </div>
        ${this.format === "round_robin"
          ? html`<div class="field check">
                <input id="c-double" name="double" type="checkbox" checked />
                <label for="c-double">Home and away (each pair meets twice)</label>
              </div>
              <div class="field">
                <label for="c-seed">Draw number <span class="opt">(optional)</span></label>
                <input id="c-seed" name="seed" type="number" min="0" aria-describedby="c-seed-hint" />
                <small id="c-seed-hint">the same number gives the same draw; empty: the teams in this order</small>
              </div>`
          : nothing}
        ${this.format === "knockout"
          ? html`<div class="field">
              <label for="c-legs">Legs per tie</label>
              <select id="c-legs" name="legs"><option value="1">One match</option><option value="2">Home and away</option></select>
            </div>`
          : nothing}
        ${this.format === "series"
          ? html`<div class="field">
              <label for="c-best">Best of</label>
              <input id="c-best" name="best_of" type="number" min="1" step="2" value="7" required />
            </div>`
          : nothing}
        <div class="field">
          <label for="c-kickoff">First kick-off</label>
          <input id="c-kickoff" name="first_kickoff" type="datetime-local" required />
        </div>
        <div class="field">
          <label for="c-days">Days between rounds</label>
          <input id="c-days" name="days_between_rounds" type="number" min="1" max="365" value="7" required />
        </div>
        ${this.groups.length > 0
          ? html`<div class="field">
              <label for="c-group">Group</label>
              <select id="c-group" name="group_id">
                <option value="">the whole stage</option>
                ${this.groups.map((g) => html`<option value=${g.id}>${String(g.name)}</option>`)}
              </select>
            </div>`
          : nothing}
        ${this.existing > 0
          ? html`<p class="warning wide">This stage has ${this.existing} matches: saving replaces the scheduled ones (refused once a match has a result).</p>`
          : nothing}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>Preview calendar</button>
          ${this.preview ? html`<button type="button" ?disabled=${this.busy} @click=${() => void this.save()}>Save calendar</button>` : nothing}
        </div>
      </form>
      ${this.saved
        ? html`<p class="ok" role="status">
            Saved: ${this.saved.matches.length} matches in ${this.saved.rounds} rounds.
            <a href=${orgHref(this.org, "stage", this.stage, "matches")}>See the matches</a>
          </p>`
        : nothing}
      ${this.preview ? this.renderPreview(this.preview.calendar) : nothing}`;
  }

  private renderTeams(): TemplateResult {
    if (this.teams.length < 2) {
      return html`<p class="warning wide">
        A calendar needs at least two teams: <a href=${orgHref(this.org, "teams")}>add teams</a> or
        <a href=${orgHref(this.org, "import", undefined, "teams")}>import them</a>.
      </p>`;
    }
    return html`<fieldset class="wide teams">
      <legend>Teams</legend>
      ${this.teams.map(
        ([id, name]) => html`<div class="team">
          <span class="field check">
            <input id=${`c-team-${id}`} name="team" type="checkbox" value=${id} checked />
            <label for=${`c-team-${id}`}>${name}</label>
          </span>
          ${this.venues.length > 0
            ? html`<select name=${`venue-${id}`} aria-label=${`Home venue of ${name}`}>
                <option value="">no home venue</option>
                ${this.venues.map(([v, vname]) => html`<option value=${v}>${vname}</option>`)}
              </select>`
            : nothing}
        </div>`,
      )}
    </fieldset>`;
  }

  private renderPreview(calendar: Calendar): TemplateResult {
    const knockout = calendar.ties > 0;
    const venue = (id: number | null): string => this.venues.find(([v]) => v === id)?.[1] ?? "";
    return html`<section aria-label="Preview">
      <h3>Preview: ${calendar.matches.length} matches in ${calendar.rounds} rounds${knockout ? `, ${calendar.ties} ties` : ""}</h3>
      <p class="muted">Nothing is saved yet: check it, then press “Save calendar”.</p>
      <div class="scroll">
        <table class="preview">
          <thead>
            <tr>
              <th scope="col">Round</th>
              <th scope="col">Kick-off</th>
              <th scope="col">Home</th>
              <th scope="col">Away</th>
              <th scope="col">Venue</th>
              ${knockout ? html`<th scope="col">Leg / game</th>` : nothing}
            </tr>
          </thead>
          <tbody>
            ${calendar.matches.map(
              (m) => html`<tr data-round=${m.round}>
                <td>${m.round}</td>
                <td>${formatWhen(m.kickoff)}</td>
                <td>${this.teamName(m.home_team_id)}</td>
                <td>${this.teamName(m.away_team_id)}</td>
                <td>${venue(m.venue_id)}</td>
                ${knockout ? html`<td>${m.leg ? `leg ${m.leg}` : m.game_no ? `game ${m.game_no}` : ""}</td>` : nothing}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  static override styles = [
    ...OrgPage.styles,
    css`
      fieldset.teams {
        border: 1px solid #d9dde3;
        border-radius: 0.4rem;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 17rem), 1fr));
        gap: 0.4rem 1rem;
        min-width: 0;
      }
      .team {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
      }
    `,
  ];
}

customElements.define("rsc-calendar", RscCalendar);
