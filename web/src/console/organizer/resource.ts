// <rsc-resource>: one resource of the admin API as a paged table with its create, edit and delete, driven by
// a ResourceSpec (specs.ts). `fixed` narrows the list to a parent (a season's roster: {season_id: 3}) and
// is part of every row created. Buttons that change something appear for editors and owners only.

import { html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { OrgPage } from "./base.js";
import { createBody, formatWhen, renderField, updateBody, type Body, type FieldSpec, type RefKind, type Row } from "./forms.js";
import { choicesOf, forget, listPage } from "./lookup.js";

export interface ResourceSpec {
  /** the API's resource name: /v1/orgs/{org}/<path> */
  path: string;
  title: string;
  /** one row, in words: "team" */
  noun: string;
  fields: readonly FieldSpec[];
  /** how a row is named for people ("Lions"); `ref` names a row it points to */
  name(row: Row, ref: (kind: RefKind, id: unknown) => string): string;
  /** the row's own page, when it has one */
  link?(org: number, row: Row): string;
  /** the cached list of this kind to read again after a change (a select elsewhere offers these rows) */
  changes?: RefKind;
}

export const PAGE_SIZE = 20;

export class RscResource extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    spec: { attribute: false },
    fixed: { attribute: false },
    heading: { type: String },
    pageSize: { type: Number },
    page: { state: true },
    offset: { state: true },
    editing: { state: true },
    confirming: { state: true },
    error: { state: true },
    formError: { state: true },
    busy: { state: true },
    choices: { state: true },
  };

  declare spec: ResourceSpec;
  /** the parent's ids: filters of the list, and fields of every row created */
  declare fixed: Record<string, number>;
  declare heading: "h2" | "h3";
  declare pageSize: number;
  declare page: { items: Row[]; total: number } | null;
  declare offset: number;
  /** the row in the form: "new", a row being edited, or null (no form) */
  declare editing: Row | "new" | null;
  declare confirming: number | null;
  declare error: string;
  declare formError: string;
  declare busy: boolean;
  declare choices: Map<RefKind, [number, string][]>;
  private loadedKey = "";

  constructor() {
    super();
    this.fixed = {};
    this.heading = "h3";
    this.pageSize = PAGE_SIZE;
    this.page = null;
    this.offset = 0;
    this.editing = null;
    this.confirming = null;
    this.error = "";
    this.formError = "";
    this.busy = false;
    this.choices = new Map();
  }

  private get key(): string {
    return `${this.org}|${this.spec.path}|${JSON.stringify(this.fixed)}`;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.client && this.spec && this.key !== this.loadedKey) {
      this.loadedKey = this.key;
      this.offset = 0;
      this.editing = null;
      void this.load();
      void this.loadChoices();
    }
    super.willUpdate(changed);
  }

  /** Read the current page again. */
  async load(): Promise<void> {
    const key = this.key;
    const failed = await this.attempt(async () => {
      const page = await listPage(this.client, this.org, this.spec.path, { ...this.fixed, limit: this.pageSize, offset: this.offset });
      if (key === this.key) this.page = page;
    });
    this.error = failed ?? "";
  }

  private async loadChoices(): Promise<void> {
    const kinds = [...new Set(this.spec.fields.flatMap((f) => (f.ref ? [f.ref] : [])))];
    const failed = await this.attempt(async () => {
      const found = await Promise.all(kinds.map((kind) => choicesOf(this.client, this.org, kind)));
      this.choices = new Map(kinds.map((kind, i) => [kind, found[i]]));
    });
    if (failed) this.error = failed;
  }

  private go(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.load();
  }

  /** the fields a form shows: the parent's ids are fixed, not asked */
  private get formFields(): FieldSpec[] {
    return this.spec.fields.filter((f) => !(f.name in this.fixed));
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const editing = this.editing;
    if (editing === null) return;
    this.busy = true;
    const base = `/v1/orgs/${this.org}/${this.spec.path}`;
    const failed = await this.attempt(async () => {
      if (editing === "new") {
        const body: Body = { ...createBody(this.formFields, form), ...this.fixed };
        await this.client.request("POST", base, { body });
      } else {
        const body = updateBody(this.formFields, form, editing);
        if (Object.keys(body).length > 0) await this.client.request("PATCH", `${base}/${editing.id}`, { body });
      }
    });
    this.busy = false;
    this.formError = failed ?? "";
    if (failed === null) {
      this.changed();
      this.editing = null;
      await this.load();
    }
  }

  private async removeRow(row: Row): Promise<void> {
    this.busy = true;
    const failed = await this.attempt(() => this.client.request("DELETE", `/v1/orgs/${this.org}/${this.spec.path}/${row.id}`));
    this.busy = false;
    this.confirming = null;
    this.error = failed ?? "";
    if (failed === null) {
      this.changed();
      // the last row of the last page gone: show the page before it
      if (this.page && this.page.items.length === 1 && this.offset > 0) this.offset -= this.pageSize;
      await this.load();
    }
  }

  private changed(): void {
    if (this.spec.changes) forget(this.client, this.org, this.spec.changes);
    this.dispatchEvent(new CustomEvent("rsc-changed", { bubbles: true, composed: true }));
  }

  private edit(row: Row | "new"): void {
    this.editing = row;
    this.formError = "";
    this.confirming = null;
  }

  override render(): TemplateResult {
    if (!this.spec) return html``;
    const title = this.heading === "h2" ? html`<h2>${this.spec.title}</h2>` : html`<h3>${this.spec.title}</h3>`;
    return html`<section aria-label=${this.spec.title}>
      <div class="toolbar">
        ${title}
        ${this.canEdit && this.editing !== "new"
          ? html`<button type="button" @click=${() => this.edit("new")}>New ${this.spec.noun}</button>`
          : nothing}
      </div>
      ${this.editing !== null ? this.renderForm(this.editing) : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderTable()}
    </section>`;
  }

  private renderForm(row: Row | "new"): TemplateResult {
    const creating = row === "new";
    const label = creating ? `New ${this.spec.noun}` : `Edit ${this.spec.noun} ${this.name(row)}`;
    return html`<form class="edit" aria-label=${label} @submit=${(e: SubmitEvent) => void this.submit(e)}>
      ${this.formFields.map((f) => renderField(f, creating ? undefined : row[f.name], f.ref ? this.choices.get(f.ref) : []))}
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${creating ? `Create ${this.spec.noun}` : `Save ${this.spec.noun}`}</button>
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>Cancel</button>
      </div>
    </form>`;
  }

  /** the name of the row of `kind` with this id, from the choices read for the selects */
  private refName(kind: RefKind, id: unknown): string {
    const found = this.choices.get(kind)?.find(([key]) => key === id);
    return found ? found[1] : `#${String(id)}`;
  }

  private name(row: Row): string {
    return this.spec.name(row, (kind, id) => this.refName(kind, id));
  }

  private cell(field: FieldSpec, row: Row): TemplateResult | string {
    const value = row[field.name];
    if (value === null || value === undefined || value === "") return "";
    if (field.ref) return this.refName(field.ref, value);
    if (field.kind === "checkbox") return value ? "yes" : "no";
    if (field.kind === "datetime") return formatWhen(value);
    if (field.kind === "select") {
      const option = field.options?.find((o) => (typeof o === "string" ? o : o[0]) === value);
      return option === undefined || typeof option === "string" ? String(value) : option[1];
    }
    return String(value);
  }

  private renderTable(): TemplateResult {
    const page = this.page;
    if (page === null) return this.error ? html`` : html`<p class="muted" role="status">Loading…</p>`;
    if (page.total === 0) return html`<p class="muted">No ${this.spec.title.toLowerCase()} yet.</p>`;
    const columns = this.formFields.filter((f) => !f.hidden);
    const first = this.offset + 1;
    const last = this.offset + page.items.length;
    return html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              ${columns.map((f) => html`<th scope="col">${f.label}</th>`)}
              ${this.canEdit ? html`<th scope="col"><span class="muted">Actions</span></th>` : nothing}
            </tr>
          </thead>
          <tbody>
            ${page.items.map((row) => this.renderRow(row, columns))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span class="muted">${first}–${last} of ${page.total}</span>
        ${this.offset > 0 ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset - this.pageSize)}>Previous page</button>` : nothing}
        ${last < page.total ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset + this.pageSize)}>Next page</button>` : nothing}
      </div>`;
  }

  private renderRow(row: Row, columns: FieldSpec[]): TemplateResult {
    const name = this.name(row);
    const link = this.spec.link?.(this.org, row);
    return html`<tr data-id=${row.id}>
      ${columns.map((f, i) => {
        const value = this.cell(f, row);
        // on a phone each cell is a line of a card, named by its column (the first one, the row's name, needs no label)
        const label = i === 0 || value === "" ? undefined : f.label;
        return html`<td data-label=${ifDefined(label)}>${i === 0 && link ? html`<a href=${link}>${value}</a>` : value}</td>`;
      })}
      ${this.canEdit
        ? html`<td class="actions">
            ${this.confirming === row.id
              ? html`<span>Delete ${name}?</span>
                  <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.removeRow(row)}>Yes, delete</button>
                  <button type="button" class="secondary" @click=${() => (this.confirming = null)}>Keep</button>`
              : html`<button type="button" class="secondary" aria-label=${`Edit ${name}`} @click=${() => this.edit(row)}>Edit</button>
                  <button type="button" class="secondary" aria-label=${`Delete ${name}`} @click=${() => (this.confirming = row.id)}>
                    Delete
                  </button>`}
          </td>`
        : nothing}
    </tr>`;
  }
}

customElements.define("rsc-resource", RscResource);
