// <rsc-crawl-jobs>: the organization's crawl jobs (a spider run on a schedule by `rstat scheduler`): each
// job's spider and arguments (the competition and season it reads), its schedule, whether it is paused,
// when it runs next, and its last run (outcome, counts, items dropped by reason, conflicts with hand edits,
// or what went wrong) with the earlier runs a click away. Editors and owners create, edit, pause, resume,
// run now (next_run_at set to now: the scheduler picks it up on its next look) and delete; every other
// member reads. A refused form comes back with the API's reason next to the field it is about.
//
// API: the generated resource /v1/orgs/{org}/crawl_jobs (api/admin/resources.py) and its runs,
// /v1/orgs/{org}/crawl_jobs/{id}/runs (api/admin/crawl_jobs.py).

import { css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { OrgPage } from "./base.js";
import {
  argumentsText,
  conflictsOf,
  conflictText,
  type CrawlJob,
  type CrawlRun,
  everyText,
  fieldErrors,
  type JobField,
  OUTCOMES,
  parseArguments,
  SPIDERS,
  summaryLines,
} from "./crawl-words.js";
import { formatWhen, isoToLocal, localToIso, type Body } from "./forms.js";
import { listPage, type Page } from "./lookup.js";
import { pageStyles } from "./styles.js";

const RUNS_PAGE = 10;

interface RunsShown {
  job: number;
  page: Page<CrawlRun> | null;
  offset: number;
  error: string;
}

export class RscCrawlJobs extends OrgPage {
  static override styles = [
    pageStyles,
    css`
      dl.summary {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.1rem 0.6rem;
        margin: 0.25rem 0;
        font-size: 0.9rem;
      }
      dl.summary dt {
        color: #4a525c;
      }
      dl.summary dd {
        margin: 0;
      }
      ul.conflicts {
        margin: 0.25rem 0;
        padding-inline-start: 1.2rem;
        font-size: 0.85rem;
      }
      .field-error {
        color: #8a1c12;
        font-weight: 600;
        font-size: 0.85rem;
        margin: 0;
      }
      .state-paused {
        color: #5c4400;
        font-weight: 600;
      }
      .outcome-failed,
      .outcome-timed_out {
        color: #8a1c12;
        font-weight: 600;
      }
      .outcome-succeeded {
        color: #1d5b2c;
        font-weight: 600;
      }
      pre.run-error {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font-size: 0.8rem;
        margin: 0.25rem 0;
        max-height: 8rem;
        overflow-y: auto;
      }
      form.edit .field.wide {
        grid-column: 1 / -1;
      }
    `,
  ];

  static override properties = {
    ...OrgPage.properties,
    page: { state: true },
    lastRuns: { state: true },
    offset: { state: true },
    editing: { state: true },
    formSpider: { state: true },
    confirming: { state: true },
    runs: { state: true },
    error: { state: true },
    formErrors: { state: true },
    rowError: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare page: Page<CrawlJob> | null;
  /** each job's newest run (null: it never ran) */
  declare lastRuns: Map<number, CrawlRun | null>;
  declare offset: number;
  /** the job in the form: "new", a job being edited, or null (no form) */
  declare editing: CrawlJob | "new" | null;
  /** the spider chosen in the form (its arguments' help follows it) */
  declare formSpider: string;
  declare confirming: number | null;
  /** the earlier runs of one job, when asked for */
  declare runs: RunsShown | null;
  declare error: string;
  declare formErrors: Partial<Record<JobField | "form", string>>;
  declare rowError: { id: number; text: string } | null;
  declare notice: string;
  declare busy: boolean;
  private started = false;

  constructor() {
    super();
    this.page = null;
    this.lastRuns = new Map();
    this.offset = 0;
    this.editing = null;
    this.formSpider = "nhl";
    this.confirming = null;
    this.runs = null;
    this.error = "";
    this.formErrors = {};
    this.rowError = null;
    this.notice = "";
    this.busy = false;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.client && (!this.started || changed.has("org"))) {
      this.started = true;
      this.offset = 0;
      void this.load();
    }
    super.willUpdate(changed);
  }

  private get base(): string {
    return `/v1/orgs/${this.org}/crawl_jobs`;
  }

  /** The current page of jobs, and each one's newest run. */
  async load(): Promise<void> {
    const failed = await this.attempt(async () => {
      const page = await listPage<CrawlJob>(this.client, this.org, "crawl_jobs", { limit: 20, offset: this.offset });
      const newest = await Promise.all(
        page.items.map((job) => this.client.request<Page<CrawlRun>>("GET", `${this.base}/${job.id}/runs`, { query: { limit: 1 } })),
      );
      this.lastRuns = new Map(page.items.map((job, i) => [job.id, newest[i].items[0] ?? null]));
      this.page = page;
    });
    this.error = failed ?? "";
  }

  private go(offset: number): void {
    this.offset = Math.max(0, offset);
    void this.load();
  }

  private edit(job: CrawlJob | "new"): void {
    this.editing = job;
    this.formSpider = job === "new" ? "nhl" : job.spider;
    this.formErrors = {};
    this.confirming = null;
    this.notice = "";
  }

  /** The request's body: every field for a new job (empty ones left to the table's defaults), only what
   * changed for an edit. Null when the arguments cannot be read (said next to them). */
  private bodyOf(form: HTMLFormElement, job: CrawlJob | "new"): Body | null {
    const get = (name: string): HTMLInputElement => form.elements.namedItem(name) as HTMLInputElement;
    const parsed = parseArguments(get("arguments").value);
    if (parsed.problem) {
      this.formErrors = { arguments: parsed.problem };
      return null;
    }
    const number = (name: string): number | undefined => (get(name).value.trim() ? Number(get(name).value) : undefined);
    const next = localToIso(get("next_run_at").value) ?? undefined;
    const values: Body = {
      spider: get("spider").value,
      arguments: parsed.values,
      every_s: number("every_s"),
      timeout_s: number("timeout_s"),
      live: get("live").checked,
      enabled: get("enabled").checked,
      next_run_at: next,
    };
    if (job === "new") return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    const body: Body = {};
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const before: unknown = job[name as keyof CrawlJob];
      const same =
        name === "arguments"
          ? argumentsText(job.arguments) === argumentsText(value as Record<string, string>)
          : name === "next_run_at"
            ? isoToLocal(before) === isoToLocal(value)
            : before === value;
      if (!same) body[name] = value;
    }
    return body;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const editing = this.editing;
    if (editing === null) return;
    const body = this.bodyOf(event.target as HTMLFormElement, editing);
    if (body === null) return;
    this.busy = true;
    let refused: unknown = null;
    const failed = await this.attempt(async () => {
      try {
        if (editing === "new") await this.client.request("POST", this.base, { body });
        else if (Object.keys(body).length > 0) await this.client.request("PATCH", `${this.base}/${editing.id}`, { body });
      } catch (error) {
        refused = error;
        throw error;
      }
    });
    this.busy = false;
    if (failed !== null) {
      this.formErrors = fieldErrors(refused, failed);
      return;
    }
    this.formErrors = {};
    this.notice = editing === "new" ? "The crawl job is created: the scheduler runs it when it is due." : "The crawl job is saved.";
    this.editing = null;
    await this.load();
  }

  /** One change from the list (pause, resume, run now, delete): its failure said in the job's row. */
  private async act(job: CrawlJob, method: "PATCH" | "DELETE", body: Body | undefined, done: string): Promise<void> {
    this.busy = true;
    const failed = await this.attempt(() => this.client.request(method, `${this.base}/${job.id}`, { body }));
    this.busy = false;
    this.confirming = null;
    this.rowError = failed ? { id: job.id, text: failed } : null;
    if (failed === null) {
      this.notice = done;
      if (method === "DELETE" && this.page && this.page.items.length === 1 && this.offset > 0) this.offset -= 20;
      if (method === "DELETE" && this.runs?.job === job.id) this.runs = null;
      await this.load();
    }
  }

  private async showRuns(job: number, offset: number): Promise<void> {
    // the page shown stays until the next one is read (the pager names what is on the screen)
    if (this.runs?.job !== job) this.runs = { job, page: null, offset, error: "" };
    let page: Page<CrawlRun> | null = null;
    const failed = await this.attempt(async () => {
      page = await this.client.request<Page<CrawlRun>>("GET", `${this.base}/${job}/runs`, { query: { limit: RUNS_PAGE, offset } });
    });
    if (this.runs?.job === job) this.runs = { job, page, offset, error: failed ?? "" };
  }

  override render(): TemplateResult {
    return html`<section aria-label="Crawl jobs">
      <div class="toolbar">
        <h2>Crawl jobs</h2>
        ${this.canEdit && this.editing !== "new" ? html`<button type="button" @click=${() => this.edit("new")}>New crawl job</button>` : nothing}
      </div>
      <p class="muted">
        A crawl job imports a competition from a public site on a schedule (<code>rstat scheduler</code> runs it); a match you
        edited by hand keeps your edit, and the run reports the conflict.
      </p>
      ${this.editing !== null ? this.renderForm(this.editing) : nothing}
      ${this.notice ? html`<p class="ok" role="status">${this.notice}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderList()}
    </section>`;
  }

  private renderForm(job: CrawlJob | "new"): TemplateResult {
    const creating = job === "new";
    const errors = this.formErrors;
    const value = <K extends keyof CrawlJob>(name: K): CrawlJob[K] | undefined => (creating ? undefined : job[name]);
    const help = SPIDERS[this.formSpider]?.arguments ?? [];
    const described = (name: JobField, hint: boolean): string | undefined =>
      [hint ? `cj-${name}-hint` : "", errors[name] ? `cj-${name}-error` : ""].filter(Boolean).join(" ") || undefined;
    const problem = (name: JobField): TemplateResult | typeof nothing =>
      errors[name] ? html`<p class="field-error" id=${`cj-${name}-error`} role="alert">${errors[name]}</p>` : nothing;
    const label = creating ? "New crawl job" : `Edit crawl job ${job.id}`;
    return html`<form class="edit" aria-label=${label} @submit=${(e: SubmitEvent) => void this.submit(e)}>
      <div class="field">
        <label for="cj-spider">Spider</label>
        <select
          id="cj-spider"
          name="spider"
          required
          aria-invalid=${errors.spider ? "true" : "false"}
          aria-describedby=${ifDefined(described("spider", false))}
          @change=${(e: Event) => (this.formSpider = (e.target as HTMLSelectElement).value)}
        >
          ${Object.entries(SPIDERS).map(([name, s]) => html`<option value=${name} ?selected=${name === this.formSpider}>${name}: ${s.label}</option>`)}
        </select>
        ${problem("spider")}
      </div>
      <div class="field wide">
        <label for="cj-arguments">Arguments <span class="opt">(one name=value a line)</span></label>
        <textarea
          id="cj-arguments"
          name="arguments"
          rows="4"
          spellcheck="false"
          aria-invalid=${errors.arguments ? "true" : "false"}
          aria-describedby=${ifDefined(described("arguments", true))}
          .value=${argumentsText(value("arguments") ?? {})}
        ></textarea>
        <small id="cj-arguments-hint">${help.map(([name, text], i) => html`${i > 0 ? "; " : ""}<code>${name}</code>: ${text}`)}</small>
        ${problem("arguments")}
      </div>
      ${this.numberField("every_s", "Runs every (seconds)", value("every_s"), "86400: a day, 3600: an hour (default a day)", described("every_s", true))}
      ${this.numberField("timeout_s", "Time limit (seconds)", value("timeout_s"), "a run longer than this is stopped (default 1800)", described("timeout_s", true))}
      <div class="field">
        <label for="cj-next_run_at">Next run <span class="opt">(optional)</span></label>
        <input
          id="cj-next_run_at"
          name="next_run_at"
          type="datetime-local"
          aria-invalid=${errors.next_run_at ? "true" : "false"}
          aria-describedby=${ifDefined(described("next_run_at", true))}
          .value=${isoToLocal(value("next_run_at"))}
        />
        <small id="cj-next_run_at-hint">${creating ? "empty: as soon as the scheduler looks" : "when the scheduler runs it next"}</small>
        ${problem("next_run_at")}
      </div>
      <div class="field check">
        <input id="cj-enabled" name="enabled" type="checkbox" ?checked=${creating || value("enabled") === true} aria-describedby=${ifDefined(described("enabled", false))} />
        <label for="cj-enabled">Enabled (untick to pause it)</label>
        ${problem("enabled")}
      </div>
      <div class="field check">
        <input
          id="cj-live"
          name="live"
          type="checkbox"
          ?checked=${value("live") === true}
          aria-invalid=${errors.live ? "true" : "false"}
          aria-describedby=${ifDefined(described("live", true))}
        />
        <label for="cj-live">Follow its games live</label>
        <small id="cj-live-hint">NHL only: the play-by-play from kick-off until final</small>
        ${problem("live")}
      </div>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : nothing}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${creating ? "Create crawl job" : "Save crawl job"}</button>
        <button type="button" class="secondary" @click=${() => (this.editing = null)}>Cancel</button>
      </div>
    </form>`;
  }

  private numberField(name: "every_s" | "timeout_s", label: string, value: number | undefined, hint: string, described: string | undefined): TemplateResult {
    const error = this.formErrors[name];
    return html`<div class="field">
      <label for=${`cj-${name}`}>${label} <span class="opt">(optional)</span></label>
      <input
        id=${`cj-${name}`}
        name=${name}
        type="number"
        min="1"
        step="1"
        inputmode="numeric"
        aria-invalid=${error ? "true" : "false"}
        aria-describedby=${ifDefined(described)}
        .value=${value === undefined ? "" : String(value)}
      />
      <small id=${`cj-${name}-hint`}>${hint}</small>
      ${error ? html`<p class="field-error" id=${`cj-${name}-error`} role="alert">${error}</p>` : nothing}
    </div>`;
  }

  private renderList(): TemplateResult {
    const page = this.page;
    if (page === null) return this.error ? html`` : html`<p class="muted" role="status">Loading…</p>`;
    if (page.total === 0) return html`<p class="muted">No crawl jobs yet.</p>`;
    const last = this.offset + page.items.length;
    return html`<div class="scroll">
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">Spider</th>
              <th scope="col">Arguments</th>
              <th scope="col">Schedule</th>
              <th scope="col">State</th>
              <th scope="col">Last run</th>
              <th scope="col"><span class="muted">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${page.items.map((job) => this.renderRow(job))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span class="muted">${this.offset + 1}–${last} of ${page.total}</span>
        ${this.offset > 0 ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset - 20)}>Previous page</button>` : nothing}
        ${last < page.total ? html`<button type="button" class="secondary" @click=${() => this.go(this.offset + 20)}>Next page</button>` : nothing}
      </div>`;
  }

  private renderRow(job: CrawlJob): TemplateResult {
    const name = `crawl job ${job.id} (${job.spider})`;
    const args = Object.entries(job.arguments);
    const error = this.rowError?.id === job.id ? this.rowError.text : "";
    const run = this.lastRuns.get(job.id);
    return html`<tr data-id=${job.id} data-enabled=${job.enabled ? "true" : "false"}>
        <td class="title">${job.spider}</td>
        <td data-label="Arguments">${args.length ? args.map(([k, v], i) => html`${i > 0 ? ", " : ""}<code>${k}=${String(v)}</code>`) : html`<span class="muted">none</span>`}</td>
        <td data-label="Schedule">
          <div>${everyText(job.every_s)}${job.live ? ", live games followed" : ""}</div>
          <div class="muted">time limit ${job.timeout_s} s</div>
        </td>
        <td data-label="State" class="state">
          ${job.enabled ? html`<span>enabled</span>` : html`<span class="state-paused">paused</span>`}
          ${job.enabled ? html`<br /><span class="muted">next run ${formatWhen(job.next_run_at)}</span>` : nothing}
          ${job.failures > 0 ? html`<br /><span class="outcome-failed">${job.failures} failed run${job.failures === 1 ? "" : "s"} in a row</span>` : nothing}
        </td>
        <td data-label="Last run" class="last-run">${run === undefined ? "" : this.renderRun(run)}</td>
        <td class="actions">${this.renderActions(job, name)}</td>
      </tr>
      ${this.runs?.job === job.id ? this.renderRuns(job, this.runs) : nothing}
      ${error ? html`<tr class="bad"><td colspan="6" role="alert">${error}</td></tr>` : nothing}`;
  }

  private renderRun(run: CrawlRun | null): TemplateResult {
    if (run === null) return html`<span class="muted">never run</span>`;
    const lines = summaryLines(run.summary);
    const conflicts = conflictsOf(run.summary);
    return html`<span class=${`outcome-${run.outcome}`}>${OUTCOMES[run.outcome] ?? run.outcome}</span>
      <span class="muted">${formatWhen(run.started_at)}${run.ended_at ? html` – ${formatWhen(run.ended_at)}` : nothing}</span>
      ${lines.length ? html`<dl class="summary">${lines.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>` : nothing}
      ${conflicts.length ? html`<ul class="conflicts">${conflicts.map((c) => html`<li>${conflictText(c)}</li>`)}</ul>` : nothing}
      ${run.error ? html`<pre class="run-error">${run.error}</pre>` : nothing}`;
  }

  private renderActions(job: CrawlJob, name: string): TemplateResult {
    const runsShown = this.runs?.job === job.id;
    const runs = html`<button
      type="button"
      class="secondary"
      aria-label=${`${runsShown ? "Hide the runs" : "Runs"} of ${name}`}
      aria-expanded=${runsShown ? "true" : "false"}
      @click=${() => (runsShown ? (this.runs = null) : void this.showRuns(job.id, 0))}
    >
      ${runsShown ? "Hide runs" : "Runs"}
    </button>`;
    if (!this.canEdit) return runs;
    if (this.confirming === job.id) {
      return html`<span>Delete ${name} and its runs?</span>
        <button type="button" class="danger" ?disabled=${this.busy} @click=${() => void this.act(job, "DELETE", undefined, `Deleted ${name}.`)}>Yes, delete</button>
        <button type="button" class="secondary" @click=${() => (this.confirming = null)}>Keep</button>`;
    }
    return html`${runs}
      ${job.enabled
        ? html`<button
              type="button"
              class="secondary"
              aria-label=${`Run ${name} now`}
              ?disabled=${this.busy}
              @click=${() => void this.act(job, "PATCH", { next_run_at: new Date().toISOString() }, `The ${name} runs as soon as the scheduler looks (within seconds while rstat scheduler runs).`)}
            >
              Run now
            </button>
            <button type="button" class="secondary" aria-label=${`Pause ${name}`} ?disabled=${this.busy} @click=${() => void this.act(job, "PATCH", { enabled: false }, `Paused ${name}.`)}>
              Pause
            </button>`
        : html`<button type="button" class="secondary" aria-label=${`Resume ${name}`} ?disabled=${this.busy} @click=${() => void this.act(job, "PATCH", { enabled: true }, `Resumed ${name}.`)}>
            Resume
          </button>`}
      <button type="button" class="secondary" aria-label=${`Edit ${name}`} @click=${() => this.edit(job)}>Edit</button>
      <button type="button" class="secondary" aria-label=${`Delete ${name}`} @click=${() => (this.confirming = job.id)}>Delete</button>`;
  }

  private renderRuns(job: CrawlJob, shown: RunsShown): TemplateResult {
    const page = shown.page;
    const last = shown.offset + (page?.items.length ?? 0);
    return html`<tr class="runs">
      <td colspan="6">
        <h3>Runs of crawl job ${job.id}</h3>
        ${shown.error ? html`<p class="error" role="alert">${shown.error}</p>` : nothing}
        ${page === null
          ? shown.error
            ? nothing
            : html`<p class="muted" role="status">Loading…</p>`
          : page.total === 0
            ? html`<p class="muted">It has not run yet.</p>`
            : html`<ul class="runs">
                  ${page.items.map((run) => html`<li data-run=${run.id}>${this.renderRun(run)}</li>`)}
                </ul>
                <div class="pager">
                  <span class="muted">${shown.offset + 1}–${last} of ${page.total}</span>
                  ${shown.offset > 0
                    ? html`<button type="button" class="secondary" @click=${() => void this.showRuns(job.id, Math.max(0, shown.offset - RUNS_PAGE))}>Newer runs</button>`
                    : nothing}
                  ${last < page.total ? html`<button type="button" class="secondary" @click=${() => void this.showRuns(job.id, shown.offset + RUNS_PAGE)}>Older runs</button>` : nothing}
                </div>`}
      </td>
    </tr>`;
  }
}

customElements.define("rsc-crawl-jobs", RscCrawlJobs);
