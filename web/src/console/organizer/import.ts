// <rsc-import kind="teams|players">: paste or upload CSV/JSON rows and import them, all or nothing. When
// the API refuses rows, its report is shown next to them: the rows become an editable table, each bad row
// highlighted with what is wrong, to be fixed in place and sent again.

import { html, nothing, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import { ImportParseError, type ImportTable, parseImport, reportOf, toObjects } from "./csv.js";
import { forget } from "./lookup.js";
import { orgHref } from "./routes.js";
import { IMPORT_FIELDS } from "./specs.js";

type Kind = "teams" | "players";

const EXAMPLES: Record<Kind, string> = {
  teams: "name,short_name,code\nNorth Lions,Lions,NLI\nSouth Tigers,Tigers,STI",
  players: "first_name,last_name,birth_date,nationality\nAda,Lovelace,1995-12-10,GBR",
};

export class RscImport extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    kind: { type: String },
    text: { state: true },
    table: { state: true },
    report: { state: true },
    error: { state: true },
    done: { state: true },
    busy: { state: true },
  };

  declare kind: Kind;
  declare text: string;
  /** the rows being imported, once sent (then edited in place) */
  declare table: ImportTable | null;
  /** the API's report: row number -> what is wrong */
  declare report: Map<number, string>;
  declare error: string;
  declare done: string;
  declare busy: boolean;

  constructor() {
    super();
    this.kind = "teams";
    this.text = "";
    this.table = null;
    this.report = new Map();
    this.error = "";
    this.done = "";
    this.busy = false;
  }

  private async upload(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.text = await file.text();
    this.table = null;
    this.report = new Map();
  }

  private start(): void {
    this.done = "";
    try {
      this.table = parseImport(this.text);
    } catch (error) {
      this.error = error instanceof ImportParseError ? error.message : String(error);
      return;
    }
    void this.send();
  }

  /** Send the table; on a refusal keep it, with the report next to its rows. */
  async send(): Promise<void> {
    const table = this.table;
    if (!table) return;
    this.busy = true;
    this.error = "";
    let refusal: unknown = null;
    let imported = 0;
    const failed = await this.attempt(async () => {
      try {
        const answer = await this.client.request<{ imported: number }>("POST", `/v1/orgs/${this.org}/import/${this.kind}`, {
          body: toObjects(table),
        });
        imported = answer.imported;
      } catch (error) {
        refusal = error;
        throw error;
      }
    });
    this.busy = false;
    this.report = reportOf(refusal);
    this.error = failed ?? "";
    if (failed === null) {
      forget(this.client, this.org, this.kind);
      this.done = `Imported ${imported} ${this.kind}.`;
      this.table = null;
      this.text = "";
    }
  }

  private edit(row: number, column: number, value: string): void {
    if (!this.table) return;
    const rows = this.table.rows.map((cells) => [...cells]);
    rows[row][column] = value;
    this.table = { ...this.table, rows };
  }

  private startOver(): void {
    this.table = null;
    this.report = new Map();
    this.error = "";
  }

  override render(): TemplateResult {
    const kind = this.kind;
    const fields = IMPORT_FIELDS[kind];
    return html`<h2>Import ${kind}</h2>
      <nav class="tabs" aria-label="What to import">
        ${(["teams", "players"] as const).map(
          (k) => html`<a href=${orgHref(this.org, "import", undefined, k)} aria-current=${k === kind ? "page" : "false"}>${k === "teams" ? "Teams" : "Players"}</a>`,
        )}
      </nav>
      <p>
        CSV whose first line names the fields, or a JSON array of objects. Fields:
        ${fields.map((f, i) => html`${i ? ", " : ""}<code>${f.name}</code>${f.required ? " (required)" : ""}`)}. All rows are imported, or
        none.
      </p>
      ${this.done
        ? html`<p class="ok" role="status">${this.done} <a href=${orgHref(this.org, kind === "teams" ? "teams" : "players")}>See the ${kind}</a></p>`
        : nothing}
      ${this.table ? this.renderTable(this.table) : this.renderInput(kind)}`;
  }

  private renderInput(kind: Kind): TemplateResult {
    return html`<form class="edit" aria-label=${`Import ${kind}`} @submit=${(e: SubmitEvent) => (e.preventDefault(), this.start())}>
      <div class="field wide">
        <label for="i-rows">Rows (CSV or JSON)</label>
        <textarea
          id="i-rows"
          name="rows"
          spellcheck="false"
          placeholder=${EXAMPLES[kind]}
          .value=${this.text}
          @input=${(e: Event) => (this.text = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </div>
      <div class="field wide">
        <label for="i-file">Or upload a file</label>
        <input id="i-file" type="file" accept=".csv,.json,.txt,text/csv,application/json" @change=${(e: Event) => void this.upload(e)} />
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>Import ${kind}</button>
      </div>
    </form>`;
  }

  private renderTable(table: ImportTable): TemplateResult {
    const bad = this.report.size;
    return html`<section aria-label="Rows to import">
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${bad > 0 ? html`<p>Fix the highlighted ${bad === 1 ? "row" : "rows"} below, then send again.</p>` : nothing}
      <div class="scroll">
        <table class="rows">
          <thead>
            <tr>
              <th scope="col">Row</th>
              ${table.columns.map((c) => html`<th scope="col">${c}</th>`)}
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            ${table.rows.map((cells, r) => {
              const problem = this.report.get(r + 1);
              return html`<tr data-row=${r + 1} class=${problem ? "bad" : ""} aria-invalid=${problem ? "true" : "false"}>
                <th scope="row">${r + 1}</th>
                ${cells.map(
                  (cell, c) => html`<td>
                    <input
                      aria-label=${`Row ${r + 1} ${table.columns[c]}`}
                      .value=${cell}
                      @input=${(e: Event) => this.edit(r, c, (e.target as HTMLInputElement).value)}
                    />
                  </td>`,
                )}
                <td class="problem">${problem ?? ""}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" ?disabled=${this.busy} @click=${() => void this.send()}>Send again</button>
        <button type="button" class="secondary" @click=${() => this.startOver()}>Start over</button>
      </div>
    </section>`;
  }
}

customElements.define("rsc-import", RscImport);
