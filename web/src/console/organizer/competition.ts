// A competition's page (its seasons) and a season's page (its stages, the teams' rosters, suspensions): the
// way down from a competition to the stage where the calendar and the standings are.

import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import type { Row } from "./forms.js";
import { choicesOf, listAll } from "./lookup.js";
import "./resource.js";
import { orgHref } from "./routes.js";
import { rosterEntries, seasons, STAGE_KINDS, suspensions } from "./specs.js";
import "./stage-form.js";

const kindName = (kind: unknown): string => STAGE_KINDS.find(([k]) => k === kind)?.[1] ?? String(kind);

/** A page about one row (`item`): read it and what it hangs from when `item` changes. */
abstract class DetailPage extends OrgPage {
  static override properties = { ...OrgPage.properties, item: { type: Number }, error: { state: true } };

  declare item: number;
  declare error: string;

  constructor() {
    super();
    this.error = "";
  }

  protected abstract read(): Promise<void>;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("item") || changed.has("org")) {
      void this.attempt(() => this.read()).then((failed) => (this.error = failed ?? ""));
    }
  }

  protected get(resource: string, id: unknown): Promise<Row> {
    return this.client.request<Row>("GET", `/v1/orgs/${this.org}/${resource}/${String(id)}`);
  }

  protected failure(): TemplateResult | typeof nothing {
    return this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing;
  }
}

export class RscCompetition extends DetailPage {
  static override properties = { ...DetailPage.properties, competition: { state: true } };
  declare competition: Row | null;

  protected async read(): Promise<void> {
    this.competition = null;
    this.competition = await this.get("competitions", this.item);
  }

  override render(): TemplateResult {
    const c = this.competition;
    return html`<nav class="crumbs" aria-label="Breadcrumbs"><a href=${orgHref(this.org, "competitions")}>Competitions</a> ›</nav>
      ${this.failure()}
      ${c
        ? html`<h2>${String(c.name)} <span class="muted">${String(c.sport)}</span></h2>
            <rsc-resource .client=${this.client} org=${this.org} .orgRole=${this.orgRole} .spec=${seasons} .fixed=${{ competition_id: this.item }}></rsc-resource>`
        : nothing}`;
  }
}

export class RscSeason extends DetailPage {
  static override properties = {
    ...DetailPage.properties,
    season: { state: true },
    competition: { state: true },
    stages: { state: true },
    creating: { state: true },
    team: { state: true },
    teams: { state: true },
  };

  declare season: Row | null;
  declare competition: Row | null;
  declare stages: Row[];
  declare creating: boolean;
  /** the team whose roster is shown (0: every team's) */
  declare team: number;
  declare teams: [number, string][];

  constructor() {
    super();
    this.season = null;
    this.competition = null;
    this.stages = [];
    this.creating = false;
    this.team = 0;
    this.teams = [];
  }

  protected async read(): Promise<void> {
    this.season = null;
    const season = await this.get("seasons", this.item);
    const [competition, stages, teams] = await Promise.all([
      this.get("competitions", season.competition_id),
      listAll(this.client, this.org, "stages", { season_id: this.item }),
      choicesOf(this.client, this.org, "teams"),
    ]);
    Object.assign(this, { season, competition, stages, teams });
  }

  private created(event: CustomEvent<Row>): void {
    location.hash = orgHref(this.org, "stage", event.detail.id, "calendar");
  }

  override render(): TemplateResult {
    const s = this.season;
    const c = this.competition;
    if (!s || !c) return html`${this.failure()}`;
    return html`<nav class="crumbs" aria-label="Breadcrumbs">
        <a href=${orgHref(this.org, "competitions")}>Competitions</a> ›
        <a href=${orgHref(this.org, "competition", c.id)}>${String(c.name)}</a> ›
      </nav>
      <h2>${String(c.name)} ${String(s.name)}</h2>
      ${this.failure()}
      <section aria-label="Stages">
        <div class="toolbar">
          <h3>Stages</h3>
          ${this.canEdit && !this.creating ? html`<button type="button" @click=${() => (this.creating = true)}>New stage</button>` : nothing}
        </div>
        ${this.creating
          ? html`<rsc-stage-form
              .client=${this.client}
              org=${this.org}
              .orgRole=${this.orgRole}
              season=${this.item}
              sport=${String(c.sport)}
              @rsc-saved=${(e: CustomEvent<Row>) => this.created(e)}
              @rsc-cancel=${() => (this.creating = false)}
            ></rsc-stage-form>`
          : nothing}
        ${this.stages.length === 0
          ? html`<p class="muted">No stages yet${this.canEdit ? ": a league needs one, with its regulation." : "."}</p>`
          : html`<div class="scroll">
              <table>
                <thead>
                  <tr><th scope="col">Stage</th><th scope="col">Kind</th><th scope="col">Regulation</th></tr>
                </thead>
                <tbody>
                  ${this.stages.map(
                    (st) => html`<tr data-id=${st.id}>
                      <td><a href=${orgHref(this.org, "stage", st.id)}>${String(st.name)}</a></td>
                      <td>${kindName(st.kind)}</td>
                      <td>${String(st.regulation)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`}
      </section>
      <section aria-label="Rosters">
        <div class="field narrow">
          <label for="roster-team">Roster of</label>
          <select id="roster-team" @change=${(e: Event) => (this.team = Number((e.target as HTMLSelectElement).value))}>
            <option value="0">every team</option>
            ${this.teams.map(([id, name]) => html`<option value=${id} ?selected=${id === this.team}>${name}</option>`)}
          </select>
        </div>
        <rsc-resource
          .client=${this.client}
          org=${this.org}
          .orgRole=${this.orgRole}
          .spec=${rosterEntries}
          .fixed=${this.team ? { season_id: this.item, team_id: this.team } : { season_id: this.item }}
        ></rsc-resource>
      </section>
      <rsc-resource .client=${this.client} org=${this.org} .orgRole=${this.orgRole} .spec=${suspensions} .fixed=${{ season_id: this.item }}></rsc-resource>`;
  }
}

customElements.define("rsc-competition", RscCompetition);
customElements.define("rsc-season", RscSeason);
