// <rstat-console identity="…" public="…">: the console's shell. It signs the user in (identity app), keeps
// the session (core/session.ts: refreshed before expiry, revoked on sign-out), routes the location hash
// (organizer/routes.ts) to the organizer's pages or the scorer's page, and shapes the menu by the user's role
// in the organization. The admin API is this page's own origin (the admin app serves /console).
//
// A page that hears 401 from the API dispatches rsc-session-ended: the shell forgets the session and shows
// the sign-in form with the reason, so an expired session is said in words, never a blank page.

import { css, html, LitElement, nothing, type TemplateResult } from "lit";
import { AdminClient, type Fetch, OfflineError } from "./core/api.js";
import { type Role, SessionStore } from "./core/session.js";
import { SESSION_ENDED } from "./organizer/base.js";
import "./organizer/clients.js";
import "./organizer/competition.js";
import "./organizer/crawl-jobs.js";
import { errorText } from "./organizer/forms.js";
import "./organizer/history.js";
import "./organizer/import.js";
import "./organizer/matches.js";
import "./organizer/members.js";
import { type Membership } from "./organizer/orgs.js";
import "./organizer/orgs.js";
import "./organizer/resource.js";
import { CAN_VIEW, homeView, href, navFor, navOf, orgHref, parseRoute, refusal, type Route } from "./organizer/routes.js";
import { competitions, players, teams, venues } from "./organizer/specs.js";
import "./organizer/stage.js";
import { pageStyles } from "./organizer/styles.js";

export class RstatConsole extends LitElement {
  static override properties = {
    identity: { type: String },
    publicUrl: { type: String, attribute: "public" },
    admin: { type: String },
    route: { state: true },
    message: { state: true },
    busy: { state: true },
    orgs: { state: true },
    menuOpen: { state: true },
  };

  /** the identity app's URL */
  declare identity: string;
  /** the public app's URL (the standings widgets read it) */
  declare publicUrl: string;
  /** the admin app's URL (default: this page's origin) */
  declare admin: string;
  declare route: Route;
  /** why the sign-in form is shown (wrong password, session ended, signed out) */
  declare message: string;
  declare busy: boolean;
  declare orgs: Membership[] | null;
  declare menuOpen: boolean;

  /** the network and the storage, replaceable in tests (before the element joins the page) */
  fetcher: Fetch = (input, init) => fetch(input, init);
  storage: Storage = localStorage;
  client: AdminClient | null = null;

  /** where a signed-out visitor was going: opened after signing in */
  private next: Route | null = null;
  private readonly onHash = (): void => this.follow();
  private readonly onEnded = (event: Event): void => this.signedOut((event as CustomEvent<{ message: string }>).detail.message);

  constructor() {
    super();
    this.identity = "";
    this.publicUrl = "";
    this.admin = "";
    this.route = { page: "login" };
    this.message = "";
    this.busy = false;
    this.orgs = null;
    this.menuOpen = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.client ??= new AdminClient(
      { identity: this.identity, admin: this.admin || location.origin, public: this.publicUrl },
      new SessionStore(this.storage),
      this.fetcher,
    );
    window.addEventListener("hashchange", this.onHash);
    this.addEventListener(SESSION_ENDED, this.onEnded);
    this.follow();
    if (this.client.session) void this.resume(this.client);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
    this.removeEventListener(SESSION_ENDED, this.onEnded);
  }

  private get orgRole(): Role | undefined {
    if (this.route.page !== "org") return undefined;
    return this.client?.session?.orgs[String(this.route.org)];
  }

  /** A stored session: renewed now if it is about to expire (or said to be over), then the organizations. */
  private async resume(client: AdminClient): Promise<void> {
    try {
      await client.accessToken();
      await this.loadOrgs(client);
    } catch (error) {
      // without a connection the stored session stays: the installed scorer's page opens offline, and its
      // queued entries are sent (with a refreshed token) once the connection returns
      if (error instanceof OfflineError) return;
      this.signedOut(errorText(error));
    }
  }

  private async loadOrgs(client: AdminClient): Promise<Membership[]> {
    const orgs = await client.request<Membership[]>("GET", "/v1/orgs");
    this.orgs = orgs;
    return orgs;
  }

  /** Read the hash and correct it where it leads nowhere (signed out, unknown, an organization's root). */
  private follow(): void {
    const route = parseRoute(location.hash);
    const signedIn = this.client?.session != null;
    this.menuOpen = false;
    if (!signedIn) {
      if (route !== null && route.page !== "login") this.next = route;
      this.go({ page: "login" });
    } else if (route === null || route.page === "login") {
      this.go({ page: "orgs" });
    } else if (route.page === "org" && route.view === "home") {
      const role = this.client?.session?.orgs[String(route.org)];
      this.go({ page: "org", org: route.org, view: homeView(role) });
    } else {
      this.route = route;
      if (this.orgs === null && this.client) void this.loadOrgs(this.client).catch(() => undefined);
    }
  }

  private go(route: Route): void {
    this.route = route;
    const target = href(route);
    if (location.hash !== target) history.replaceState(null, "", target);
  }

  private signedOut(message: string): void {
    this.client?.store.save(null);
    this.message = message;
    this.orgs = null;
    this.go({ page: "login" });
  }

  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const client = this.client;
    if (!client) return;
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.message = "";
    try {
      await client.login(String(data.get("email") ?? "").trim(), String(data.get("password") ?? ""));
      const orgs = await this.loadOrgs(client);
      const next = this.next;
      this.next = null;
      location.hash = next ? href(next) : orgs.length === 1 ? orgHref(orgs[0].id, "home") : href({ page: "orgs" });
    } catch (error) {
      this.message = `Sign-in failed: ${errorText(error)}`;
    } finally {
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    await this.client?.logout();
    this.signedOut("You are signed out.");
  }

  override render(): TemplateResult {
    if (this.route.page === "login" || !this.client?.session) return this.renderLogin();
    return html`${this.renderHeader()}
      <main>${this.route.page === "orgs" ? html`<rsc-orgs .client=${this.client}></rsc-orgs>` : this.renderOrg(this.route)}</main>`;
  }

  private renderLogin(): TemplateResult {
    return html`<main class="login">
      <h1>R-Stat console</h1>
      <form aria-label="Sign in" @submit=${(e: SubmitEvent) => void this.signIn(e)}>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        ${this.message ? html`<p class=${this.message === "You are signed out." ? "ok" : "error"} role="alert">${this.message}</p>` : nothing}
        <button type="submit" ?disabled=${this.busy}>${this.busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>`;
  }

  private renderHeader(): TemplateResult {
    const route = this.route;
    const org = route.page === "org" ? route.org : null;
    const name = org === null ? "" : (this.orgs?.find((o) => o.id === org)?.name ?? `Organization ${org}`);
    const items = org === null ? [] : navFor(this.orgRole);
    const current = route.page === "org" ? navOf(route.view) : null;
    return html`<header>
        <a class="brand" href="#/orgs" title="Your organizations">R-Stat</a>
        ${org !== null ? html`<span class="org">${name} <span class="muted">${this.orgRole ?? ""}</span></span>` : nothing}
        <span class="spacer"></span>
        ${items.length > 0
          ? html`<button type="button" class="secondary menu" aria-expanded=${this.menuOpen ? "true" : "false"} aria-controls="nav" @click=${() => (this.menuOpen = !this.menuOpen)}>
              Menu
            </button>`
          : nothing}
        <span class="who muted">${this.client?.session?.email ?? ""}</span>
        <button type="button" class="secondary" @click=${() => void this.signOut()}>Sign out</button>
      </header>
      ${org !== null && items.length > 0
        ? html`<nav id="nav" class=${this.menuOpen ? "open" : ""} aria-label="Organization">
            ${items.map((item) => html`<a href=${orgHref(org, item.view)} aria-current=${item.view === current ? "page" : "false"}>${item.label}</a>`)}
            <a href="#/orgs">Other organizations</a>
          </nav>`
        : nothing}`;
  }

  private renderOrg(route: Extract<Route, { page: "org" }>): TemplateResult {
    const role = this.orgRole;
    if (!CAN_VIEW[route.view](role)) {
      const home = homeView(role);
      return html`<p class="error" role="alert">${refusal(route.view, role)}</p>
        ${role !== undefined && CAN_VIEW[home](role) ? html`<p><a href=${orgHref(route.org, home)}>Go to the ${home}</a></p>` : nothing}`;
    }
    const common = { client: this.client, org: route.org, role };
    const editor = CAN_VIEW.import(role);
    const importLink = (kind: "teams" | "players"): TemplateResult | typeof nothing =>
      editor ? html`<p><a class="button secondary" href=${orgHref(route.org, "import", undefined, kind)}>Import ${kind} from CSV or JSON</a></p>` : nothing;
    switch (route.view) {
      case "competitions":
        return html`<rsc-resource .client=${common.client} org=${common.org} .orgRole=${role} .spec=${competitions} heading="h2"></rsc-resource>`;
      case "competition":
        return html`<rsc-competition .client=${common.client} org=${common.org} .orgRole=${role} item=${route.id ?? 0}></rsc-competition>`;
      case "season":
        return html`<rsc-season .client=${common.client} org=${common.org} .orgRole=${role} item=${route.id ?? 0}></rsc-season>`;
      case "stage":
        return html`<rsc-stage .client=${common.client} org=${common.org} .orgRole=${role} item=${route.id ?? 0} tab=${route.tab ?? "matches"} base=${this.publicUrl}></rsc-stage>`;
      case "teams":
        return html`<rsc-resource .client=${common.client} org=${common.org} .orgRole=${role} .spec=${teams} heading="h2"></rsc-resource>${importLink("teams")}`;
      case "players":
        return html`<rsc-resource .client=${common.client} org=${common.org} .orgRole=${role} .spec=${players} heading="h2"></rsc-resource>${importLink("players")}`;
      case "venues":
        return html`<rsc-resource .client=${common.client} org=${common.org} .orgRole=${role} .spec=${venues} heading="h2"></rsc-resource>`;
      case "import":
        return html`<rsc-import .client=${common.client} org=${common.org} .orgRole=${role} kind=${route.tab ?? "teams"}></rsc-import>`;
      case "matches":
        return html`<rsc-matches .client=${common.client} org=${common.org} .orgRole=${role}></rsc-matches>`;
      case "members":
        return html`<rsc-members .client=${common.client} org=${common.org} .orgRole=${role}></rsc-members>`;
      case "clients":
        return html`<rsc-clients .client=${common.client} org=${common.org} .orgRole=${role}></rsc-clients>`;
      case "crawl-jobs":
        return html`<rsc-crawl-jobs .client=${common.client} org=${common.org} .orgRole=${role}></rsc-crawl-jobs>`;
      case "history":
        return html`<rsc-history .client=${common.client} org=${common.org} .orgRole=${role} match=${route.id ?? 0}></rsc-history>`;
      case "score":
        return html`<p class="crumbs">
            <a href=${orgHref(route.org, "matches")}>← Matches</a>
            ${CAN_VIEW.history(role) ? html` · <a href=${orgHref(route.org, "history", route.id)}>History</a>` : nothing}
          </p>
          <rstat-scorer .client=${common.client} org=${common.org} match=${route.id ?? 0}></rstat-scorer>`;
      case "home":
        return html``;
    }
  }

  static override styles = [
    pageStyles,
    css`
      :host {
        display: block;
        max-width: 75rem;
        margin: 0 auto;
        padding: 0 0.75rem 2rem;
        box-sizing: border-box;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        padding: 0.5rem 0;
        border-bottom: 1px solid #d9dde3;
      }
      .brand {
        font-weight: 700;
        font-size: 1.15rem;
        text-decoration: none;
        color: #1b1f24;
      }
      .org {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .spacer {
        flex: 1;
      }
      .who {
        overflow-wrap: anywhere;
      }
      nav#nav {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        padding: 0.25rem 0;
        border-bottom: 1px solid #d9dde3;
      }
      nav#nav a {
        padding: 0.6rem 0.75rem;
        border-radius: 0.4rem;
        text-decoration: none;
      }
      nav#nav a[aria-current="page"] {
        background: #e6eef9;
        font-weight: 600;
        color: #1b1f24;
      }
      button.menu {
        display: none;
      }
      main {
        padding-top: 0.5rem;
      }
      main.login {
        max-width: 22rem;
        margin: 2rem auto;
      }
      main.login form {
        display: grid;
        gap: 0.4rem;
      }
      main.login h1 {
        font-size: 1.4rem;
      }
      @media (max-width: 48rem) {
        button.menu {
          display: inline-flex;
        }
        .who {
          display: none;
        }
        .org {
          order: 5;
          flex-basis: 100%;
        }
        nav#nav {
          display: none;
          flex-direction: column;
        }
        nav#nav.open {
          display: flex;
        }
      }
    `,
  ];
}

customElements.define("rstat-console", RstatConsole);
