// <rsc-orgs>: the organizations the user belongs to (with the role in each), and a new one (the user owns
// it; the session is refreshed so that its token carries the new organization).

import { html, LitElement, nothing, type TemplateResult } from "lit";
import type { AdminClient } from "../core/api.js";
import { sessionEnded } from "./base.js";
import { errorText, isSessionEnd } from "./forms.js";
import { orgHref } from "./routes.js";
import { pageStyles } from "./styles.js";

export interface Membership {
  id: number;
  slug: string;
  name: string;
  role: string;
}

/** A name's address form: "FC Nordvik 1921" -> "fc-nordvik-1921" (what the slug field suggests). */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

export class RscOrgs extends LitElement {
  static override styles = [pageStyles];
  static override properties = {
    client: { attribute: false },
    orgs: { state: true },
    slug: { state: true },
    slugEdited: { state: true },
    error: { state: true },
    formError: { state: true },
    busy: { state: true },
  };

  declare client: AdminClient;
  declare orgs: Membership[] | null;
  declare slug: string;
  declare slugEdited: boolean;
  declare error: string;
  declare formError: string;
  declare busy: boolean;

  constructor() {
    super();
    this.orgs = null;
    this.slug = "";
    this.slugEdited = false;
    this.error = "";
    this.formError = "";
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private fail(error: unknown): string {
    const text = errorText(error);
    if (isSessionEnd(error)) sessionEnded(this, text);
    return text;
  }

  private async load(): Promise<void> {
    try {
      this.orgs = await this.client.request<Membership[]>("GET", "/v1/orgs");
      this.error = "";
    } catch (error) {
      this.error = this.fail(error);
    }
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const body = { name: String(data.get("name") ?? "").trim(), slug: String(data.get("slug") ?? "").trim() };
    this.busy = true;
    try {
      const org = await this.client.request<{ id: number }>("POST", "/v1/orgs", { body });
      await this.client.forceRefresh();
      location.hash = orgHref(org.id, "home");
    } catch (error) {
      this.formError = this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<h2>Organizations</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.orgs === null
        ? nothing
        : this.orgs.length === 0
          ? html`<p>You are not a member of any organization yet: create one below, or ask an owner to add you.</p>`
          : html`<ul class="orgs">
              ${this.orgs.map(
                (o) => html`<li data-id=${o.id}>
                  <a href=${orgHref(o.id, "home")}>${o.name}</a> <span class="muted">${o.role}</span>
                </li>`,
              )}
            </ul>`}
      <h3>New organization</h3>
      <form class="edit" aria-label="New organization" @submit=${(e: SubmitEvent) => void this.create(e)}>
        <div class="field">
          <label for="o-name">Name</label>
          <input
            id="o-name"
            name="name"
            required
            maxlength="200"
            @input=${(e: Event) => {
              if (!this.slugEdited) this.slug = slugOf((e.target as HTMLInputElement).value);
            }}
          />
        </div>
        <div class="field">
          <label for="o-slug">Short name for addresses</label>
          <input
            id="o-slug"
            name="slug"
            required
            pattern="[a-z0-9][a-z0-9\\-]{1,62}"
            .value=${this.slug}
            aria-describedby="o-slug-hint"
            @input=${(e: Event) => {
              this.slugEdited = true;
              this.slug = (e.target as HTMLInputElement).value;
            }}
          />
          <small id="o-slug-hint">lower-case letters, digits and dashes</small>
        </div>
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>Create organization</button></div>
      </form>`;
  }
}

customElements.define("rsc-orgs", RscOrgs);
