// <rsc-stage-form>: create or edit a stage: its name and kind, the regulation preset (its points and
// tie-breaking criteria shown, each criterion with what it compares) and the stage's overrides of it. A
// viewer reads the same settings without anything to press. Dispatches rsc-saved {detail: the stage}.

import { css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import type { Row } from "./forms.js";
import {
  effective,
  FLAG_LABELS,
  FLAGS,
  moveCriterion,
  type Params,
  POINT_LABELS,
  type Preset,
  presetsFor,
  type Regulations,
  regulationsOf,
  withOverride,
} from "./regulation.js";
import { STAGE_KINDS } from "./specs.js";

export class RscStageForm extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    season: { type: Number },
    sport: { type: String },
    stage: { attribute: false },
    regulations: { state: true },
    preset: { state: true },
    params: { state: true },
    error: { state: true },
    saved: { state: true },
    busy: { state: true },
  };

  declare season: number;
  /** the competition's sport: only its presets are offered */
  declare sport: string | undefined;
  /** the stage edited (null: a new stage) */
  declare stage: Row | null;
  declare regulations: Regulations | null;
  declare preset: string;
  declare params: Params;
  declare error: string;
  declare saved: string;
  declare busy: boolean;

  constructor() {
    super();
    this.stage = null;
    this.regulations = null;
    this.preset = "";
    this.params = {};
    this.error = "";
    this.saved = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.attempt(async () => {
      this.regulations = await regulationsOf(this.client);
      if (!this.preset) this.preset = presetsFor(this.regulations, this.sport)[0]?.name ?? "";
    }).then((failed) => (this.error = failed ?? this.error));
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("stage") && this.stage) {
      this.preset = String(this.stage.regulation ?? "");
      const params = this.stage.regulation_params;
      this.params = typeof params === "object" && params !== null ? { ...(params as Params) } : {};
    }
  }

  private get chosen(): Preset | undefined {
    return this.regulations?.presets.find((p) => p.name === this.preset);
  }

  private set(key: string, value: unknown): void {
    const preset = this.chosen;
    if (preset) this.params = withOverride(preset, this.params, key, value);
    this.saved = "";
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const body = { name: field("name"), kind: field("kind"), regulation: this.preset, regulation_params: this.params };
    this.busy = true;
    let answer: Row | null = null;
    const failed = await this.attempt(async () => {
      answer = this.stage
        ? await this.client.request<Row>("PATCH", `/v1/orgs/${this.org}/stages/${this.stage.id}`, { body })
        : await this.client.request<Row>("POST", `/v1/orgs/${this.org}/stages`, { body: { ...body, season_id: this.season } });
    });
    this.busy = false;
    this.error = failed ?? "";
    if (answer !== null) {
      this.saved = this.stage ? "Saved." : "";
      this.dispatchEvent(new CustomEvent("rsc-saved", { detail: answer, bubbles: true, composed: true }));
    }
  }

  override render(): TemplateResult {
    const creating = this.stage === null;
    const edit = this.canEdit;
    const label = creating ? "New stage" : `Stage ${String(this.stage?.name ?? "")}`;
    return html`<form class="edit" aria-label=${label} @submit=${(e: SubmitEvent) => void this.submit(e)}>
      <fieldset class="wide plain" ?disabled=${!edit}>
        <div class="row">
          <div class="field">
            <label for="s-name">Name</label>
            <input id="s-name" name="name" required maxlength="100" .value=${String(this.stage?.name ?? "")} />
          </div>
          <div class="field">
            <label for="s-kind">Kind</label>
            <select id="s-kind" name="kind">
              ${STAGE_KINDS.map(([v, l]) => html`<option value=${v} ?selected=${v === (this.stage?.kind ?? "league")}>${l}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="s-regulation">Regulation</label>
            <select
              id="s-regulation"
              name="regulation"
              @change=${(e: Event) => {
                this.preset = (e.target as HTMLSelectElement).value;
                this.params = {};
              }}
            >
              ${this.regulations
                ? presetsFor(this.regulations, this.sport).map(
                    (p) => html`<option value=${p.name} ?selected=${p.name === this.preset}>${p.name} (${p.sport}, ${p.version})</option>`,
                  )
                : html`<option value=${this.preset}>${this.preset || "Loading…"}</option>`}
            </select>
          </div>
        </div>
        ${this.chosen ? this.renderRegulation(this.chosen, edit) : nothing}
      </fieldset>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.saved ? html`<p class="ok" role="status">${this.saved}</p>` : nothing}
      ${edit
        ? html`<div class="actions">
            <button type="submit" ?disabled=${this.busy || !this.chosen}>${creating ? "Create stage" : "Save stage"}</button>
            ${creating
              ? html`<button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent("rsc-cancel", { bubbles: true, composed: true }))}>
                  Cancel
                </button>`
              : nothing}
          </div>`
        : nothing}
    </form>`;
  }

  private renderRegulation(preset: Preset, edit: boolean): TemplateResult {
    const meaning = this.regulations?.criteria ?? {};
    const criteria = effective(preset, this.params, "criteria") as string[];
    const unused = Object.keys(meaning).filter((c) => !criteria.includes(c));
    const number = (key: string, label: string): TemplateResult => html`<div class="field">
      <label for=${`s-${key}`}>${label}</label>
      <input
        id=${`s-${key}`}
        type="number"
        .value=${String(effective(preset, this.params, key))}
        @change=${(e: Event) => this.set(key, Number((e.target as HTMLInputElement).value))}
      />
    </div>`;
    const overrides = Object.keys(this.params);
    return html`<div class="regulation">
      <h4>Points</h4>
      <div class="row">${POINT_LABELS.slice(0, 3).map(([key, label]) => number(key, label))}</div>
      <details ?open=${preset.sport !== "football"}>
        <summary>Overtime, shoot-out and awarded matches</summary>
        <div class="row">
          ${POINT_LABELS.slice(3).map(([key, label]) => number(key, label))}
          ${number("awarded_score", "Score of an awarded match")}
        </div>
      </details>
      <h4>Teams level on points are ranked by, in order</h4>
      <ol class="criteria">
        ${criteria.map(
          (c, i) => html`<li data-criterion=${c}>
            <span><strong>${meaning[c] ?? c}</strong> <code>${c}</code></span>
            ${edit
              ? html`<span class="actions">
                  <button type="button" class="secondary" aria-label=${`Move ${meaning[c] ?? c} up`} ?disabled=${i === 0} @click=${() => this.set("criteria", moveCriterion(criteria, i, -1))}>↑</button>
                  <button type="button" class="secondary" aria-label=${`Move ${meaning[c] ?? c} down`} ?disabled=${i === criteria.length - 1} @click=${() => this.set("criteria", moveCriterion(criteria, i, 1))}>↓</button>
                  <button type="button" class="secondary" aria-label=${`Remove ${meaning[c] ?? c}`} @click=${() => this.set("criteria", moveCriterion(criteria, i, 0))}>✕</button>
                </span>`
              : nothing}
          </li>`,
        )}
      </ol>
      ${edit && unused.length > 0
        ? html`<div class="row">
            <div class="field">
              <label for="s-add">Add a criterion</label>
              <select id="s-add">
                ${unused.map((c) => html`<option value=${c}>${meaning[c]} (${c})</option>`)}
              </select>
            </div>
            <button
              type="button"
              class="secondary"
              @click=${() => {
                const select = this.renderRoot.querySelector<HTMLSelectElement>("#s-add");
                if (select) this.set("criteria", [...criteria, select.value]);
              }}
            >
              Add criterion
            </button>
          </div>`
        : nothing}
      ${FLAGS.map(
        (flag) => html`<div class="field check">
          <input
            id=${`s-${flag}`}
            type="checkbox"
            .checked=${effective(preset, this.params, flag) === true}
            @change=${(e: Event) => this.set(flag, (e.target as HTMLInputElement).checked)}
          />
          <label for=${`s-${flag}`}>${FLAG_LABELS[flag]}</label>
        </div>`,
      )}
      <p class="muted">
        Fair-play points per card:
        ${Object.entries(preset.fair_play)
          .map(([card, points]) => `${card.replaceAll("_", " ")} ${points}`)
          .join(", ")}.
      </p>
      <p class="overrides" data-overrides=${JSON.stringify(this.params)}>
        ${overrides.length === 0
          ? html`The preset <strong>${preset.name}</strong> as it is.`
          : html`Changed from the preset <strong>${preset.name}</strong>: ${overrides.map((k) => k.replaceAll("_", " ")).join(", ")}.
              ${edit ? html`<button type="button" class="secondary" @click=${() => (this.params = {})}>Restore the preset</button>` : nothing}`}
      </p>
    </div>`;
  }

  static override styles = [
    ...OrgPage.styles,
    css`
      fieldset.plain {
        border: 0;
        padding: 0;
        margin: 0;
        min-width: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6rem 1rem;
        align-items: end;
        margin: 0.4rem 0;
      }
      .row > .field {
        flex: 1 1 12rem;
        max-width: 24rem;
      }
      h4 {
        margin: 1rem 0 0.25rem;
        font-size: 1rem;
      }
      ol.criteria {
        padding-inline-start: 1.5rem;
        margin: 0.25rem 0;
      }
      ol.criteria li {
        padding: 0.2rem 0;
      }
      ol.criteria li > span:first-child {
        margin-inline-end: 0.5rem;
      }
      ol.criteria .actions {
        display: inline-flex;
      }
      ol.criteria button {
        min-height: 2.25rem;
        min-width: 2.5rem;
        padding: 0.1rem 0.4rem;
      }
      summary {
        cursor: pointer;
        padding: 0.4rem 0;
      }
    `,
  ];
}

customElements.define("rsc-stage-form", RscStageForm);
