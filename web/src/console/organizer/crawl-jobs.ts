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
import { ApiError } from "../core/api.js";
import { OrgPage } from "./base.js";
import { formatWhen, isoToLocal, localToIso, type Body } from "./forms.js";
import { listPage, type Page } from "./lookup.js";
import { pageStyles } from "./styles.js";

export type ArgumentValue = string | number | boolean;

export interface CrawlJob {
  id: number;
  org_id: number;
  spider: string;
  arguments: Record<string, ArgumentValue>;
  every_s: number;
  timeout_s: number;
  enabled: boolean;
  live: boolean;
  next_run_at: string;
  failures: number;
  created_at: string;
}

export interface CrawlRun {
  id: number;
  job_id: number;
  started_at: string;
  ended_at: string | null;
  /** running, succeeded, failed, timed_out */
  outcome: string;
  /** the crawl's summary (crawlers/summary.py): pages, items, written, unchanged, dropped by reason, conflicts */
  summary: Record<string, unknown>;
  error: string | null;
}

/** The spiders the crawl_jobs table accepts, and each one's arguments with their help (crawlers/arguments.py;
 * the API accepts any lower-case name and the run checks them: a bad one fails the run, and its error says why). */
export const SPIDERS: Record<string, { label: string; arguments: readonly (readonly [string, string])[] }> = {
  nhl: {
    label: "NHL web API",
    arguments: [
      ["season", "20242025 for 2024-25 (required)"],
      ["date", "the games of this day (YYYY-MM-DD)"],
      ["team", "the games of this team's season (SEA, STL, ...)"],
      ["game", "one game, by its NHL id (2024020003)"],
      ["url", "a mirror of the API"],
    ],
  },
  "football-data": {
    label: "football-data.co.uk",
    arguments: [
      ["season", "as the site names it: 2324 for 2023/24 (required)"],
      ["division", "E0 Premier League, E1, SP1, D1, I1, F1, ... (default E0)"],
      ["fixtures", "also read the fixtures: true or false (default true)"],
      ["url", "a mirror of the site"],
    ],
  },
  openfootball: {
    label: "openfootball (CC0)",
    arguments: [
      ["season", "season folder: 2023-24, or 2018 for the World Cup (required)"],
      ["league", "en.1, de.1, es.1, ... or worldcup (default en.1)"],
      ["txt", "URL of the Football.TXT protocols"],
      ["timezone", "of kick-offs written without one (default UTC)"],
      ["regulation", "preset of the stages created (default football)"],
      ["url", "a mirror of the files"],
    ],
  },
  fbref: {
    label: "FBref",
    arguments: [
      ["competition", "the competition's FBref id (with season)"],
      ["season", "the season, as FBref names it (with competition)"],
      ["pages", "saved pages to read instead"],
      ["url", "a mirror of the site"],
    ],
  },
};

export const OUTCOMES: Record<string, string> = {
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
};

/** The form's fields, in the API's names (the errors the API names are shown next to these). */
export const JOB_FIELDS = ["spider", "arguments", "every_s", "timeout_s", "live", "enabled", "next_run_at"] as const;
export type JobField = (typeof JOB_FIELDS)[number];

/** A job's arguments as the form's text: one `name=value` a line. */
export function argumentsText(args: Record<string, ArgumentValue>): string {
  return Object.entries(args)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join("\n");
}

/** The form's text as arguments (values as written: the run converts them); a line without `=` is a problem. */
export function parseArguments(text: string): { values: Record<string, string>; problem: string | null } {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf("=");
    if (at <= 0) return { values, problem: `line ${i + 1} (${line}): write name=value, e.g. season=20242025` };
    values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { values, problem: null };
}

/** A number of seconds in words: "every day", "every 6 h", "every 10 min", "every 45 s". */
export function everyText(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "h"],
    [60, "min"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return unit === "day" ? (n === 1 ? "every day" : `every ${n} days`) : `every ${n} ${unit}`;
    }
  }
  return `every ${seconds} s`;
}

const count = (value: unknown): number => (typeof value === "number" ? value : 0);
const counts = (value: unknown): [string, number][] =>
  typeof value === "object" && value !== null
    ? Object.entries(value as Record<string, unknown>)
        .map(([k, v]): [string, number] => [k, count(v)])
        .sort((a, b) => a[0].localeCompare(b[0]))
    : [];
const listed = (pairs: [string, number][]): string => pairs.map(([k, v]) => `${k} ${v}`).join(", ");

/** A run's summary for people: [label, value] lines (only what the summary has). */
export function summaryLines(summary: Record<string, unknown>): [string, string][] {
  const lines: [string, string][] = [];
  if ("pages" in summary) {
    const failed = counts(summary.pages_failed);
    const extra = [
      failed.length ? `failed: ${listed(failed)}` : "",
      count(summary.robots_forbidden) ? `forbidden by robots.txt: ${count(summary.robots_forbidden)}` : "",
      count(summary.retried) ? `retried: ${count(summary.retried)}` : "",
    ].filter(Boolean);
    lines.push(["Pages", `${count(summary.pages)}${extra.length ? ` (${extra.join("; ")})` : ""}`]);
  }
  if ("items" in summary) lines.push(["Items", String(count(summary.items))]);
  if ("written" in summary) lines.push(["Written", `${count(summary.written)} matches${"rows" in summary ? ` (${count(summary.rows)} rows)` : ""}`]);
  if ("unchanged" in summary) lines.push(["Unchanged", String(count(summary.unchanged))]);
  if ("dropped" in summary) {
    const dropped = counts(summary.dropped);
    const total = dropped.reduce((sum, [, n]) => sum + n, 0);
    lines.push(["Dropped", dropped.length ? `${total}: ${listed(dropped)}` : "0"]);
  }
  if ("conflicts" in summary) lines.push(["Conflicts with hand edits", String(conflictsOf(summary).length)]);
  return lines;
}

export interface Conflict {
  match: string;
  table: string;
  key: string;
  field: string;
  ours: unknown;
  theirs: unknown;
}

export function conflictsOf(summary: Record<string, unknown>): Conflict[] {
  return Array.isArray(summary.conflicts) ? (summary.conflicts as Conflict[]) : [];
}

/** A conflict in words: "nhl:2024020003 matches 2024020003: attendance: ours 5000, theirs 5100". */
export const conflictText = (c: Conflict): string =>
  `${c.match} ${c.table} ${c.key}: ${c.field}: ours ${JSON.stringify(c.ours)}, theirs ${JSON.stringify(c.theirs)}`;

/** What a refused form is about, field by field: the API's 422 names a body field (`fields[].key`, e.g.
 * `every_s` or `arguments[...]`) or a table rule (`crawl_jobs_live_nhl_only`); the rest is `form`. */
export function fieldErrors(error: unknown, fallback: string): Partial<Record<JobField | "form", string>> {
  if (!(error instanceof ApiError)) return { form: fallback };
  const found: Partial<Record<JobField | "form", string>> = {};
  const fields = Array.isArray(error.body.fields) ? (error.body.fields as unknown[]) : [];
  for (const item of fields) {
    if (typeof item !== "object" || item === null) continue;
    const { key, message } = item as { key?: unknown; message?: unknown };
    const name = typeof key === "string" ? (/^[a-z_]+/.exec(key)?.[0] ?? "") : "";
    const target: JobField | "form" = (JOB_FIELDS as readonly string[]).includes(name) ? (name as JobField) : "form";
    const text = String(message ?? "");
    found[target] = found[target] ? `${found[target]}; ${text}` : text;
  }
  const rule = error.rule;
  if (rule === "crawl_jobs_live_nhl_only") {
    found.live = "only NHL games are followed live: untick it, or choose the nhl spider";
  } else if (rule) {
    const named = JOB_FIELDS.find((f) => rule.startsWith(`crawl_jobs_${f}`));
    found[named ?? "form"] = error.detail;
  }
  if (Object.keys(found).length === 0 || (fields.length > 0 && !found.form)) found.form = error.detail;
  return found;
}

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
              @click=${() => void this.act(job, "PATCH", { next_run_at: new Date().toISOString() }, `${name} runs as soon as the scheduler looks (within a few seconds when it is running).`)}
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
