import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Role } from "../../src/console/core/session.js";
import { STORAGE_KEY } from "../../src/console/core/session.js";
import "../../src/console/shell.js";
import type { RstatConsole } from "../../src/console/shell.js";
import { ADMIN, appears, buttonNames, deep, FakeServer, IDENTITY, page, PUBLIC, session, shadow, text, token, type } from "./organizer-fake.js";

const ORGS = (role: Role) => ({ body: [{ id: 1, slug: "nordvik", name: "Nordvik FA", role }] });

function server(role: Role, extra: ConstructorParameters<typeof FakeServer>[0] = {}): FakeServer {
  return new FakeServer({
    "GET /v1/orgs": ORGS(role),
    "GET /v1/orgs/1/competitions": page([{ id: 4, org_id: 1, sport: "football", slug: "cup", name: "Nordvik Cup", created_at: "2026-01-01T00:00:00Z" }]),
    "GET /v1/orgs/1/matches": page([
      { id: 30, stage_id: 7, round: 1, home_team_id: 10, away_team_id: 11, status: "scheduled", kickoff: "2026-09-05T14:00:00Z", venue_id: null, home_score: null, away_score: null },
    ]),
    "GET /v1/orgs/1/teams": page([
      { id: 10, name: "Lions" },
      { id: 11, name: "Tigers" },
    ]),
    "GET /v1/orgs/1/venues": page([]),
    "GET /v1/orgs/1/competitions?limit=500&offset=0": page([]),
    "GET /v1/orgs/1/seasons": page([]),
    "GET /v1/orgs/1/stages": page([]),
    ...extra,
  });
}

async function mount(fake: FakeServer, hash: string, stored: Role | null = null): Promise<RstatConsole> {
  if (stored) localStorage.setItem(STORAGE_KEY, JSON.stringify(session({ "1": stored })));
  history.replaceState(null, "", hash);
  const el = document.createElement("rstat-console") as RstatConsole;
  el.identity = IDENTITY;
  el.publicUrl = PUBLIC;
  el.admin = ADMIN;
  el.fetcher = fake.fetch;
  el.storage = localStorage;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

async function signIn(el: RstatConsole, email: string, password: string): Promise<void> {
  const root = shadow(el);
  type(root.querySelector("#email"), email);
  type(root.querySelector("#password"), password);
  root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
  await vi.waitFor(() => expect(el.busy).toBe(false));
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  document.body.innerHTML = "";
  localStorage.clear();
});

describe("<rstat-console> signing in and out", () => {
  it("asks for email and password when nobody is signed in, whatever the address", async () => {
    const el = await mount(server("owner"), "#/o/1/teams");
    const root = shadow(el);
    expect(text(root.querySelector("label[for=email]"))).toBe("Email");
    expect(text(root.querySelector("label[for=password]"))).toBe("Password");
    expect(text(root.querySelector("button[type=submit]"))).toBe("Sign in");
    expect(location.hash).toBe("#/login");
  });

  it("says a wrong password in words", async () => {
    const fake = server("owner", { "POST /v1/token": { status: 401, body: { error: "unauthorized", detail: "invalid credentials" } } });
    const el = await mount(fake, "#/login");
    await signIn(el, "ann@example.org", "nope");
    expect(text(shadow(el).querySelector("[role=alert]"))).toBe("Sign-in failed: wrong email or password");
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("signs in, opens the only organization, and goes back where the visitor was heading", async () => {
    const fake = server("editor", {
      "POST /v1/token": { body: { access_token: token({ "1": "editor" }), expires_in: 900, refresh_token: "r1" } },
    });
    const el = await mount(fake, "#/o/1/competitions");
    await signIn(el, "ann@example.org", "correct horse battery");
    await vi.waitFor(() => expect(location.hash).toBe("#/o/1/competitions"));
    await appears("rsc-resource");
    expect(fake.calls("POST", "/v1/token")[0].body).toEqual({ email: "ann@example.org", password: "correct horse battery" });
  });

  it("says that an expired session has ended, and shows the sign-in form", async () => {
    const fake = server("owner", { "POST /v1/token/refresh": { status: 401, body: { error: "unauthorized", detail: "refresh token revoked" } } });
    localStorage.setItem(STORAGE_KEY, JSON.stringify(session({ "1": "owner" }, { expires_at: Date.now() - 1000 })));
    const el = await mount(fake, "#/o/1/competitions");
    await vi.waitFor(() => expect(text(shadow(el).querySelector("[role=alert]"))).toBe("your session has expired: sign in again"));
    expect(shadow(el).querySelector("#password")).not.toBeNull();
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("goes back to the sign-in form when a page hears that the session ended", async () => {
    const fake = server("owner", { "GET /v1/orgs/1/competitions": { status: 401, body: { error: "unauthorized", detail: "token revoked" } } });
    const el = await mount(fake, "#/o/1/competitions", "owner");
    await vi.waitFor(() => expect(text(shadow(el).querySelector("[role=alert]"))).toContain("your session has ended (token revoked)"));
    expect(location.hash).toBe("#/login");
  });

  it("signs out by revoking the tokens", async () => {
    const fake = server("owner", { "POST /v1/token/revoke": { status: 204 } });
    const el = await mount(fake, "#/o/1/competitions", "owner");
    const out = [...shadow(el).querySelectorAll("button")].find((b) => text(b) === "Sign out");
    out?.click();
    await vi.waitFor(() => expect(text(shadow(el).querySelector("[role=alert]"))).toBe("You are signed out."));
    expect(fake.calls("POST", "/v1/token/revoke")[0].body).toEqual({ refresh_token: "r1" });
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});

describe("<rstat-console> roles", () => {
  it("keeps a scorer out of the organizer's pages, in words, with no buttons", async () => {
    const el = await mount(server("scorer"), "#/o/1/competitions", "scorer");
    const alert = await appears("[role=alert]");
    expect(text(alert)).toContain("Your role in this organization (scorer) cannot see the competitions");
    expect(deep(document.body, "rsc-resource")).toBeNull();
    const nav = [...shadow(el).querySelectorAll("nav#nav a")].map(text);
    expect(nav).toEqual(["Matches", "Other organizations"]);
    expect(buttonNames()).toEqual(["Menu", "Sign out"]);
  });

  it("shows a scorer the matches with a Score link to the scoring page, and nothing to move or cancel", async () => {
    await mount(server("scorer"), "#/o/1", "scorer");
    await vi.waitFor(() => expect(location.hash).toBe("#/o/1/matches"));
    const row = await appears("tr[data-id='30']");
    expect(text(row)).toContain("Lions – Tigers");
    expect(row.querySelector("a.button")?.getAttribute("href")).toBe("#/o/1/score/30");
    expect(buttonNames(row)).toEqual(["Score Lions – Tigers", "History of Lions – Tigers"]);
  });

  it("renders the scorer's element for the scoring route", async () => {
    const el = await mount(server("scorer"), "#/o/1/score/30", "scorer");
    const scorer = shadow(el).querySelector("rstat-scorer") as (HTMLElement & { client?: unknown }) | null;
    expect(scorer?.getAttribute("org")).toBe("1");
    expect(scorer?.getAttribute("match")).toBe("30");
    expect(scorer?.client).toBe(el.client);
  });

  it("shows a viewer the competitions without a button that would be refused", async () => {
    await mount(server("viewer"), "#/o/1/competitions", "viewer");
    await appears("tr[data-id='4']");
    const names = buttonNames().filter((n) => n !== "Menu" && n !== "Sign out");
    expect(names).toEqual([]);
  });

  it("gives an editor the buttons to create, edit and delete", async () => {
    await mount(server("editor"), "#/o/1/competitions", "editor");
    await appears("tr[data-id='4']");
    expect(buttonNames()).toEqual(expect.arrayContaining(["New competition", "Edit Nordvik Cup", "Delete Nordvik Cup"]));
  });

  it("says so when the organization is not in the user's session", async () => {
    await mount(server("owner"), "#/o/2/teams", "owner");
    expect(text(await appears("[role=alert]"))).toContain("not a member of this organization");
  });
});
