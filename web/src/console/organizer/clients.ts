// <rsc-clients>: the credentials websites use to read the public API (owners only). A new client's secret is
// shown once, with a copy button and a warning (R-Stat keeps only its hash); revoking stops a client.

import { html, nothing, type TemplateResult } from "lit";
import { OrgPage } from "./base.js";
import { formatWhen } from "./forms.js";

export interface ApiClientRow {
  client_id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
}

export interface Credentials {
  client_id: string;
  client_secret: string;
  name: string;
}

/** Write to the clipboard; false when the browser refuses (an insecure origin, no permission). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export class RscClients extends OrgPage {
  static override properties = {
    ...OrgPage.properties,
    clients: { state: true },
    fresh: { state: true },
    copied: { state: true },
    confirming: { state: true },
    error: { state: true },
    formError: { state: true },
    busy: { state: true },
  };

  declare clients: ApiClientRow[] | null;
  /** the credentials just created: the only time the secret is known */
  declare fresh: Credentials | null;
  declare copied: string;
  declare confirming: string | null;
  declare error: string;
  declare formError: string;
  declare busy: boolean;

  constructor() {
    super();
    this.clients = null;
    this.fresh = null;
    this.copied = "";
    this.confirming = null;
    this.error = "";
    this.formError = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.orgRole === "owner") void this.load();
  }

  private get base(): string {
    return `/v1/orgs/${this.org}/api-clients`;
  }

  async load(): Promise<void> {
    const failed = await this.attempt(async () => {
      this.clients = await this.client.request<ApiClientRow[]>("GET", this.base);
    });
    this.error = failed ?? "";
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem("name") as HTMLInputElement).value.trim();
    this.busy = true;
    const failed = await this.attempt(async () => {
      this.fresh = await this.client.request<Credentials>("POST", this.base, { body: { name } });
    });
    this.busy = false;
    this.formError = failed ?? "";
    this.copied = "";
    if (!failed) {
      form.reset();
      await this.load();
    }
  }

  private async revoke(id: string): Promise<void> {
    const failed = await this.attempt(() => this.client.request("DELETE", `${this.base}/${encodeURIComponent(id)}`));
    this.confirming = null;
    this.error = failed ?? "";
    await this.load();
  }

  private async copy(what: string, text: string): Promise<void> {
    this.copied = (await copyText(text)) ? `${what} copied.` : `The browser did not let the page copy: select the ${what.toLowerCase()} and copy it.`;
  }

  override render(): TemplateResult {
    if (this.orgRole !== "owner") return html`<p class="error" role="alert">Only owners manage the website API clients.</p>`;
    return html`<h2>Website API clients</h2>
      <p class="muted">A website reads the standings, matches and statistics with its own client: give each website one, and revoke it when the site stops using it.</p>
      ${this.fresh ? this.renderFresh(this.fresh) : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.clients ? this.renderTable(this.clients) : nothing}
      <h3>New client</h3>
      <form class="edit" aria-label="New website API client" @submit=${(e: SubmitEvent) => void this.create(e)}>
        <div class="field">
          <label for="k-name">Website name</label>
          <input id="k-name" name="name" required maxlength="200" />
        </div>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>Create client</button></div>
      </form>`;
  }

  private renderFresh(c: Credentials): TemplateResult {
    const key = `${c.client_id}:${c.client_secret}`;
    return html`<section class="fresh" aria-label="New credentials">
      <p class="warning" role="alert">
        Copy the secret now: this is the only time it is shown. R-Stat keeps only a hash of it; if it is lost, create another client and revoke this one.
      </p>
      <div class="field">
        <label for="k-id">Client id</label>
        <input id="k-id" readonly .value=${c.client_id} />
      </div>
      <div class="field">
        <label for="k-secret">Secret</label>
        <input id="k-secret" readonly .value=${c.client_secret} />
      </div>
      <div class="field">
        <label for="k-key">API key for the widgets (<code>&lt;meta name="rstat-api-key"&gt;</code>)</label>
        <input id="k-key" readonly .value=${key} />
      </div>
      <div class="actions">
        <button type="button" @click=${() => void this.copy("Secret", c.client_secret)}>Copy secret</button>
        <button type="button" class="secondary" @click=${() => void this.copy("API key", key)}>Copy API key</button>
        <button type="button" class="secondary" @click=${() => (this.fresh = null)}>I have copied it</button>
      </div>
      ${this.copied ? html`<p class="muted" role="status">${this.copied}</p>` : nothing}
    </section>`;
  }

  private renderTable(clients: ApiClientRow[]): TemplateResult {
    if (clients.length === 0) return html`<p class="muted">No clients yet.</p>`;
    return html`<div class="scroll">
      <table>
        <thead>
          <tr><th scope="col">Website</th><th scope="col">Client id</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          ${clients.map(
            (c) => html`<tr data-id=${c.client_id}>
              <td>${c.name}</td>
              <td><code>${c.client_id}</code></td>
              <td>${formatWhen(c.created_at)}</td>
              <td>${c.revoked_at ? `revoked ${formatWhen(c.revoked_at)}` : "active"}</td>
              <td class="actions">
                ${c.revoked_at
                  ? nothing
                  : this.confirming === c.client_id
                    ? html`<span>Revoke ${c.name}? Its website stops reading within minutes.</span>
                        <button type="button" class="danger" @click=${() => void this.revoke(c.client_id)}>Yes, revoke</button>
                        <button type="button" class="secondary" @click=${() => (this.confirming = null)}>Keep</button>`
                    : html`<button type="button" class="secondary" aria-label=${`Revoke ${c.name}`} @click=${() => (this.confirming = c.client_id)}>Revoke</button>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

customElements.define("rsc-clients", RscClients);
