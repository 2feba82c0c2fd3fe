// <rstat-ops>: the operations page. Signs the operator in (identity app), then every couple of seconds reads
// /v1/ops/metrics from the admin app (which scrapes the processes and evaluates the shared panels of
// deploy/metrics/queries.json) and draws each panel as big numbers with a sparkline of its recent values,
// and each process's health. The sparklines are the page's own memory of what it read, so they start empty.

import { css, html, LitElement, nothing, svg, type TemplateResult } from "lit";
import { formatSpan, formatValue, sparkPath } from "./format.js";
import {
  type Fetch,
  LoginError,
  loadTokens,
  login,
  REFRESH_EARLY_MS,
  refresh,
  saveTokens,
  type Tokens,
} from "./session.js";

export interface SeriesValue {
  name: string;
  labels: Record<string, string>;
  value: number | null;
}

export interface PanelValue {
  id: string;
  title: string;
  unit: string;
  description: string;
  queries: string[];
  /** the longest range the panel's queries read, in seconds (0: instant values) */
  range_s: number;
  series: SeriesValue[];
}

export interface ProcessHealth {
  job: string;
  url: string;
  up: boolean;
  healthy: boolean | null;
  error: string;
  scraped_at: number;
  duration_s: number;
}

export interface OpsMetrics {
  scraped_at: number;
  /** seconds of scrapes the admin app holds: a panel with a longer range is still filling its window */
  history_s: number;
  processes: ProcessHealth[];
  panels: PanelValue[];
}

/** values kept per series for its sparkline (90 at one read per 2 s: three minutes) */
export const HISTORY = 90;

export function processState(p: ProcessHealth): "up" | "unhealthy" | "down" {
  if (!p.up) return "down";
  return p.healthy === false ? "unhealthy" : "up";
}

export class RstatOps extends LitElement {
  static override properties = {
    identity: { type: String },
    metrics: { type: String },
    interval: { type: Number },
    tokens: { state: true },
    data: { state: true },
    error: { state: true },
    forbidden: { state: true },
    busy: { state: true },
  };

  declare identity: string;
  declare metrics: string;
  /** milliseconds between reads */
  declare interval: number;
  declare tokens: Tokens | null;
  declare data: OpsMetrics | null;
  declare error: string;
  declare forbidden: string;
  declare busy: boolean;

  /** the network and the storage, replaceable in tests */
  fetcher: Fetch = (input, init) => fetch(input, init);
  storage: Storage = sessionStorage;
  readonly history = new Map<string, (number | null)[]>();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor() {
    super();
    this.identity = "";
    this.metrics = "/v1/ops/metrics";
    this.interval = 2000;
    this.tokens = null;
    this.data = null;
    this.error = "";
    this.forbidden = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.tokens = loadTokens(this.storage);
    if (this.tokens) this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private start(): void {
    this.running = true;
    this.scheduleRefresh();
    void this.read();
  }

  private stop(): void {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.refreshTimer);
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (!this.tokens?.refresh_token) return;
    const wait = Math.max(1000, this.tokens.expires_at - Date.now() - REFRESH_EARLY_MS);
    this.refreshTimer = setTimeout(() => void this.renew(), wait);
  }

  /** a new access token; false (and signed out, saying why) when the session cannot go on */
  async renew(): Promise<boolean> {
    if (!this.tokens) return false;
    try {
      this.setTokens(await refresh(this.fetcher, this.identity, this.tokens));
      this.scheduleRefresh();
      return true;
    } catch (e) {
      if (e instanceof LoginError && e.status === 0) {
        this.error = "cannot reach the identity server to renew the session; retrying…";
        this.refreshTimer = setTimeout(() => void this.renew(), 5000);
        return true;
      }
      this.signOut("the session has ended: sign in again");
      return false;
    }
  }

  private setTokens(tokens: Tokens | null): void {
    this.tokens = tokens;
    saveTokens(this.storage, tokens);
  }

  signOut(reason = ""): void {
    this.stop();
    this.setTokens(null);
    this.data = null;
    this.forbidden = "";
    this.history.clear();
    this.error = reason;
  }

  /** one read of the metrics, then the next one scheduled */
  async read(retried = false): Promise<void> {
    if (!this.tokens) return;
    clearTimeout(this.pollTimer);
    let answer: Response | null = null;
    try {
      answer = await this.fetcher(this.metrics, { headers: { Authorization: `Bearer ${this.tokens.access_token}` } });
    } catch {
      this.error = "cannot reach the admin app; retrying…";
    }
    if (answer !== null) {
      if (answer.status === 401 && !retried) {
        if (await this.renew()) return this.read(true);
        return;
      }
      if (answer.status === 401) {
        this.signOut("the session has ended: sign in again");
        return;
      }
      if (answer.status === 403) {
        this.stop();
        this.forbidden = "Not an owner: the operations page is for owners of an organization.";
        return;
      }
      if (answer.ok) {
        this.show((await answer.json()) as OpsMetrics);
        this.error = "";
      } else {
        this.error = `the admin app answered ${answer.status}; retrying…`;
      }
    }
    if (this.running) this.pollTimer = setTimeout(() => void this.read(), this.interval);
  }

  /** what a read found, and each series' value appended to its sparkline */
  show(data: OpsMetrics): void {
    for (const panel of data.panels) {
      const seen = new Set<string>();
      for (const s of panel.series) {
        const key = `${panel.id}|${s.name}`;
        seen.add(key);
        const values = this.history.get(key) ?? [];
        values.push(s.value);
        if (values.length > HISTORY) values.shift();
        this.history.set(key, values);
      }
      for (const [key, values] of this.history) {
        if (key.startsWith(`${panel.id}|`) && !seen.has(key)) {
          values.push(null);
          if (values.length > HISTORY) values.shift();
        }
      }
    }
    this.data = data;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const fields = new FormData(form);
    this.busy = true;
    this.error = "";
    try {
      const tokens = await login(
        this.fetcher,
        this.identity,
        String(fields.get("email") ?? ""),
        String(fields.get("password") ?? ""),
      );
      this.setTokens(tokens);
      this.forbidden = "";
      this.start();
    } catch (e) {
      this.error = e instanceof Error ? `Sign-in failed: ${e.message}` : String(e);
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<header>
        <h1>R-Stat operations</h1>
        ${this.tokens ? html`<button type="button" @click=${() => this.signOut()}>Sign out</button>` : nothing}
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.tokens ? this.renderBody() : this.renderLogin()}`;
  }

  private renderLogin(): TemplateResult {
    return html`<form class="login" @submit=${(e: SubmitEvent) => void this.submit(e)} aria-label="Sign in">
      <p>Sign in as an owner of an organization.</p>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <button type="submit" ?disabled=${this.busy}>${this.busy ? "Signing in…" : "Sign in"}</button>
    </form>`;
  }

  private renderBody(): TemplateResult {
    if (this.forbidden) return html`<p class="forbidden" role="alert">${this.forbidden}</p>`;
    if (!this.data) return html`<p class="loading" role="status">Reading the processes' metrics…</p>`;
    const when = new Date(this.data.scraped_at * 1000).toLocaleTimeString("en-GB");
    return html`<section aria-labelledby="processes-title">
        <h2 id="processes-title">Processes <small>read at ${when}</small></h2>
        <ul class="processes">
          ${this.data.processes.map((p) => {
            const state = processState(p);
            return html`<li class=${state} data-job=${p.job}>
              <span class="dot" aria-hidden="true"></span>
              <strong>${p.job}</strong> <span class="state">${state}</span>
              ${p.error ? html`<span class="why">${p.error}</span>` : nothing}
            </li>`;
          })}
        </ul>
      </section>
      <div class="panels">${this.data.panels.map((p) => this.renderPanel(p))}</div>`;
  }

  private renderPanel(panel: PanelValue): TemplateResult {
    const single = panel.series.length === 1;
    return html`<section class="panel" data-panel=${panel.id} aria-labelledby=${`panel-${panel.id}`}>
      <h3 id=${`panel-${panel.id}`} title=${panel.queries.join("\n")}>${panel.title}</h3>
      ${panel.series.length === 0 ? html`<p class="value big" aria-label="no data">–</p>` : nothing}
      ${panel.series.map(
        (s) => html`<div class="series">
          ${single ? nothing : html`<span class="name">${s.name}</span>`}
          <span class=${single ? "value big" : "value"}>${formatValue(s.value, panel.unit)}</span>
          ${this.spark(`${panel.id}|${s.name}`)}
        </div>`,
      )}
      ${this.filling(panel)}
      <p class="description">${panel.description}</p>
    </section>`;
  }

  private filling(panel: PanelValue): TemplateResult | typeof nothing {
    const held = this.data?.history_s ?? 0;
    if (panel.range_s <= 0 || held >= panel.range_s) return nothing;
    return html`<p class="filling">
      Window filling: ${formatSpan(held)} of ${formatSpan(panel.range_s)}, so rates read low until it is full.
    </p>`;
  }

  private spark(key: string): TemplateResult {
    const path = sparkPath(this.history.get(key) ?? []);
    return html`<svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true">
      ${path ? svg`<path d=${path} />` : nothing}
    </svg>`;
  }

  static override styles = css`
    :host {
      display: block;
      max-width: 72rem;
      margin: 0 auto;
      padding: 1rem;
      font-family: system-ui, sans-serif;
      color: #1b1f24;
    }
    header {
      display: flex;
      justify-content: space-between;
      align-items: center;
      gap: 1rem;
    }
    h1 {
      font-size: 1.4rem;
      margin: 0.5rem 0;
    }
    h2 {
      font-size: 1.1rem;
    }
    h2 small {
      font-weight: normal;
      color: #4a525c;
      font-size: 0.85rem;
    }
    h3 {
      font-size: 0.95rem;
      margin: 0 0 0.4rem;
    }
    button {
      font: inherit;
      padding: 0.5rem 1rem;
      min-height: 2.75rem;
      border-radius: 0.4rem;
      border: 1px solid #1b5fbf;
      background: #1b5fbf;
      color: #fff;
      cursor: pointer;
    }
    header button {
      background: #fff;
      color: #1b5fbf;
    }
    button:focus-visible,
    input:focus-visible {
      outline: 3px solid #f0a202;
      outline-offset: 2px;
    }
    .login {
      display: grid;
      gap: 0.4rem;
      max-width: 22rem;
    }
    .login input {
      font: inherit;
      padding: 0.5rem;
      min-height: 2.75rem;
      border: 1px solid #6b7480;
      border-radius: 0.4rem;
    }
    .error,
    .forbidden {
      background: #fdecea;
      color: #8a1c12;
      padding: 0.6rem 0.8rem;
      border-radius: 0.4rem;
    }
    .processes {
      list-style: none;
      padding: 0;
      display: grid;
      gap: 0.4rem;
    }
    .processes li {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      background: #fff;
      padding: 0.5rem 0.75rem;
      border-radius: 0.4rem;
    }
    .dot {
      width: 0.8rem;
      height: 0.8rem;
      border-radius: 50%;
      background: #1e8e3e;
    }
    .down .dot {
      background: #c5221f;
    }
    .unhealthy .dot {
      background: #e37400;
    }
    .state {
      font-weight: 600;
    }
    .up .state {
      color: #1e6b34;
    }
    .down .state {
      color: #a3141b;
    }
    .unhealthy .state {
      color: #9a4d00;
    }
    .why {
      flex-basis: 100%;
      color: #4a525c;
      font-size: 0.85rem;
      overflow-wrap: anywhere;
    }
    .panels {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
      gap: 0.75rem;
      align-items: start;
      margin-top: 1rem;
    }
    .panel {
      background: #fff;
      border-radius: 0.5rem;
      padding: 0.75rem;
    }
    .series {
      display: grid;
      grid-template-columns: 1fr auto;
      align-items: baseline;
      column-gap: 0.5rem;
    }
    .series .name {
      color: #4a525c;
      font-size: 0.85rem;
      overflow-wrap: anywhere;
    }
    .value {
      font-variant-numeric: tabular-nums;
      font-weight: 600;
    }
    .big {
      font-size: 2rem;
      margin: 0;
    }
    .spark {
      grid-column: 1 / -1;
      width: 100%;
      height: 1.5rem;
    }
    .spark path {
      fill: none;
      stroke: #1b5fbf;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }
    .filling {
      color: #9a4d00;
      font-size: 0.8rem;
      margin: 0.4rem 0 0;
    }
    .description {
      color: #4a525c;
      font-size: 0.8rem;
      margin: 0.4rem 0 0;
    }
  `;
}
