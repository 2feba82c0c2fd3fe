// <rsc-standings stage season base>: a stage's standings and its season's leaders, as a website shows them:
// the widgets themselves (<rstat-standings>, <rstat-leaders>) reading the public API with a member's
// public token from the identity app, renewed before it expires (the widgets reload with the new one).

import { html, nothing, type TemplateResult } from "lit";
import { RstatLeaders } from "../../widgets/leaders.js";
import { RstatStandings } from "../../widgets/standings.js";
import type { AdminClient } from "../core/api.js";
import { OrgPage } from "./base.js";

// the widgets' elements, unless the page defined them already (the widgets bundle loaded beside the console)
if (!customElements.get("rstat-standings")) customElements.define("rstat-standings", RstatStandings);
if (!customElements.get("rstat-leaders")) customElements.define("rstat-leaders", RstatLeaders);

/** renew a public token this long before it expires */
const RENEW_EARLY_MS = 60_000;

interface Held {
  token: string;
  expires_at: number;
}

const held = new WeakMap<AdminClient, Map<number, Held>>();

/** A public token for the organization, reused while it has more than a minute left. */
export async function publicTokenFor(client: AdminClient, org: number, now = Date.now()): Promise<Held> {
  let tokens = held.get(client);
  if (tokens === undefined) {
    tokens = new Map();
    held.set(client, tokens);
  }
  const found = tokens.get(org);
  if (found && found.expires_at - now > RENEW_EARLY_MS) return found;
  const answer = await client.publicToken(org);
  const fresh = { token: answer.access_token, expires_at: now + answer.expires_in * 1000 };
  tokens.set(org, fresh);
  return fresh;
}

export const LEADER_STATS = [
  ["goals", "Goals"],
  ["assists", "Assists"],
  ["points", "Points"],
  ["cards", "Cards"],
  ["goalies", "Goalies"],
] as const;

export class RscStandings extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    stage: { type: Number },
    season: { type: Number },
    base: { type: String },
    token: { state: true },
    stat: { state: true },
    error: { state: true },
  };

  declare stage: number;
  declare season: number;
  /** the public app's URL */
  declare base: string;
  declare token: string;
  declare stat: string;
  declare error: string;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.token = "";
    this.stat = "goals";
    this.error = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.renew();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.renewTimer);
  }

  private async renew(): Promise<void> {
    clearTimeout(this.renewTimer);
    let found: Held | null = null;
    const failed = await this.attempt(async () => {
      found = await publicTokenFor(this.client, this.org);
    });
    this.error = failed ? `Cannot read the standings: ${failed}` : "";
    const next = found as Held | null;
    if (next === null || !this.isConnected) return;
    this.token = next.token;
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(5_000, next.expires_at - Date.now() - RENEW_EARLY_MS + 1_000));
  }

  override render(): TemplateResult {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.token) return html`<p class="muted" role="status">Loading…</p>`;
    return html`<rstat-standings stage=${this.stage} base=${this.base} token=${this.token}></rstat-standings>
      <div class="toolbar">
        <h3>Leaders of the season</h3>
        <label for="l-stat" class="muted">Statistic</label>
        <select id="l-stat" @change=${(e: Event) => (this.stat = (e.target as HTMLSelectElement).value)}>
          ${LEADER_STATS.map(([v, l]) => html`<option value=${v} ?selected=${v === this.stat}>${l}</option>`)}
        </select>
      </div>
      ${this.season ? html`<rstat-leaders season=${this.season} stat=${this.stat} limit="10" base=${this.base} token=${this.token}></rstat-leaders>` : nothing}`;
  }
}

customElements.define("rsc-standings", RscStandings);
