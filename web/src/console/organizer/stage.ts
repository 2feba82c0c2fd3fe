// <rsc-stage item tab base>: one stage, by tabs: its matches, calendar generation, standings and leaders
// (the public widgets), point adjustments, and its settings (regulation, groups, deletion).

import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import "./calendar.js";
import type { Row } from "./forms.js";
import "./matches.js";
import "./resource.js";
import type { ResourceSpec } from "./resource.js";
import { orgHref, STAGE_TABS, type StageTab } from "./routes.js";
import { pointAdjustments } from "./specs.js";
import "./stage-form.js";
import "./standings.js";

const TAB_LABELS: Record<StageTab, string> = {
  matches: "Matches",
  calendar: "Calendar",
  standings: "Standings",
  points: "Point adjustments",
  settings: "Regulation",
};

const groups: ResourceSpec = {
  path: "groups",
  title: "Groups",
  noun: "group",
  fields: [
    { name: "stage_id", label: "Stage", kind: "number", required: true },
    { name: "name", label: "Name", kind: "text", required: true, hint: "A, B, …" },
  ],
  name: (row) => `group ${String(row.name)}`,
};

/** The tabs a role sees: generating a calendar is for editors. */
export const stageTabs = (canEdit: boolean): StageTab[] => STAGE_TABS.filter((t) => canEdit || t !== "calendar");

export class RscStage extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    item: { type: Number },
    tab: { type: String },
    base: { type: String },
    stage: { state: true },
    season: { state: true },
    competition: { state: true },
    error: { state: true },
    confirming: { state: true },
  };

  declare item: number;
  declare tab: string | undefined;
  declare base: string;
  declare stage: Row | null;
  declare season: Row | null;
  declare competition: Row | null;
  declare error: string;
  declare confirming: boolean;

  constructor() {
    super();
    this.stage = null;
    this.season = null;
    this.competition = null;
    this.error = "";
    this.confirming = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("item") || changed.has("org")) void this.read();
  }

  private async read(): Promise<void> {
    const get = (resource: string, id: unknown): Promise<Row> =>
      this.client.request<Row>("GET", `/v1/orgs/${this.org}/${resource}/${String(id)}`);
    const failed = await this.attempt(async () => {
      const stage = await get("stages", this.item);
      const season = await get("seasons", stage.season_id);
      const competition = await get("competitions", season.competition_id);
      Object.assign(this, { stage, season, competition });
    });
    this.error = failed ?? "";
  }

  private async deleteStage(): Promise<void> {
    const failed = await this.attempt(() => this.client.request("DELETE", `/v1/orgs/${this.org}/stages/${this.item}`));
    this.confirming = false;
    this.error = failed ?? "";
    if (!failed && this.season) location.hash = orgHref(this.org, "season", this.season.id);
  }

  override render(): TemplateResult {
    const { stage, season, competition } = this;
    if (!stage || !season || !competition) {
      return this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted" role="status">Loading…</p>`;
    }
    const tabs = stageTabs(this.canEdit);
    const tab: StageTab = (tabs as string[]).includes(this.tab ?? "") ? (this.tab as StageTab) : "matches";
    return html`<nav class="crumbs" aria-label="Breadcrumbs">
        <a href=${orgHref(this.org, "competitions")}>Competitions</a> ›
        <a href=${orgHref(this.org, "competition", competition.id)}>${String(competition.name)}</a> ›
        <a href=${orgHref(this.org, "season", season.id)}>${String(season.name)}</a> ›
      </nav>
      <h2>${String(stage.name)}</h2>
      <nav class="tabs" aria-label="Stage">
        ${tabs.map(
          (t) => html`<a href=${orgHref(this.org, "stage", this.item, t)} aria-current=${t === tab ? "page" : "false"}>${TAB_LABELS[t]}</a>`,
        )}
      </nav>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderTab(tab, stage, season, competition)}`;
  }

  private renderTab(tab: StageTab, stage: Row, season: Row, competition: Row): TemplateResult {
    const common = { client: this.client, org: this.org, role: this.orgRole };
    switch (tab) {
      case "matches":
        return html`<rsc-matches .client=${common.client} org=${this.org} .orgRole=${common.role} stage=${this.item}></rsc-matches>`;
      case "calendar":
        return html`<rsc-calendar .client=${common.client} org=${this.org} .orgRole=${common.role} stage=${this.item}></rsc-calendar>`;
      case "standings":
        return html`<rsc-standings .client=${common.client} org=${this.org} .orgRole=${common.role} stage=${this.item} season=${season.id} base=${this.base}></rsc-standings>`;
      case "points":
        return html`<rsc-resource .client=${common.client} org=${this.org} .orgRole=${common.role} .spec=${pointAdjustments} .fixed=${{ stage_id: this.item }}></rsc-resource>`;
      case "settings":
        return html`<rsc-stage-form
            .client=${common.client}
            org=${this.org}
            .orgRole=${common.role}
            season=${season.id}
            sport=${String(competition.sport)}
            .stage=${stage}
            @rsc-saved=${(e: CustomEvent<Row>) => (this.stage = e.detail)}
          ></rsc-stage-form>
          ${stage.kind === "groups"
            ? html`<rsc-resource .client=${common.client} org=${this.org} .orgRole=${common.role} .spec=${groups} .fixed=${{ stage_id: this.item }}></rsc-resource>`
            : nothing}
          ${this.canEdit ? this.renderDelete(stage) : nothing}`;
    }
  }

  private renderDelete(stage: Row): TemplateResult {
    return html`<h3>Delete the stage</h3>
      ${this.confirming
        ? html`<p class="warning">Delete ${String(stage.name)} with all its matches and their protocols?</p>
            <div class="actions">
              <button type="button" class="danger" @click=${() => void this.deleteStage()}>Yes, delete the stage</button>
              <button type="button" class="secondary" @click=${() => (this.confirming = false)}>Keep it</button>
            </div>`
        : html`<button type="button" class="secondary" @click=${() => (this.confirming = true)}>Delete this stage</button>`}`;
  }
}

customElements.define("rsc-stage", RscStage);
