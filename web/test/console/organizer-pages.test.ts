import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminClient } from "../../src/console/core/api.js";
import type { Role } from "../../src/console/core/session.js";
import { calendarBody } from "../../src/console/organizer/calendar.js";
import "../../src/console/organizer/calendar.js";
import "../../src/console/organizer/clients.js";
import "../../src/console/organizer/import.js";
import "../../src/console/organizer/stage-form.js";
import { appears, buttonNames, deepAll, FakeServer, page, shadow, signedIn, text, type } from "./organizer-fake.js";

afterEach(() => {
  document.body.innerHTML = "";
  localStorage.clear();
});

async function mount<T extends HTMLElement>(tag: string, client: AdminClient, role: Role, props: Record<string, unknown> = {}): Promise<T> {
  const el = document.createElement(tag) as T & { client: AdminClient; org: number; orgRole: Role; updateComplete: Promise<unknown> };
  Object.assign(el, { client, org: 1, orgRole: role, ...props });
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const click = (root: ParentNode, name: string): void => {
  const button = [...root.querySelectorAll("button")].find((b) => (b.getAttribute("aria-label") ?? text(b)) === name);
  if (!button) throw new Error(`no button ${name}: ${[...root.querySelectorAll("button")].map(text).join(", ")}`);
  button.click();
};

describe("<rsc-import>", () => {
  const CSV = "name,short_name,code\nLions,Lions,LIO\nTigers,,TIG\n,Nameless,\nBears,,BEA";

  it("shows the API's report next to the bad row, and sends the fixed rows again", async () => {
    let attempt = 0;
    const fake = new FakeServer({
      "POST /v1/orgs/1/import/teams": () => {
        attempt += 1;
        return attempt === 1
          ? {
              status: 422,
              body: { error: "invalid", detail: "1 of 4 rows are not valid; nothing was imported", rows: [{ row: 3, detail: "Expected `str`, got `null` - at `$.name`" }] },
            }
          : { status: 201, body: { imported: 4, ids: [1, 2, 3, 4] } };
      },
    });
    const el = await mount("rsc-import", signedIn(fake, { "1": "editor" }), "editor", { kind: "teams" });
    const root = shadow(el);
    type(root.querySelector("#i-rows"), CSV);
    await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    click(root, "Import teams");
    const bad = await appears("tr.bad", root);
    expect(bad.getAttribute("data-row")).toBe("3");
    expect(text(bad.querySelector(".problem"))).toBe("Expected `str`, got `null` - at `$.name`");
    expect(text(root.querySelector("[role=alert]"))).toBe("1 of 4 rows are not valid; nothing was imported");
    expect(fake.calls("POST", "/v1/orgs/1/import/teams")[0].body).toEqual([
      { name: "Lions", short_name: "Lions", code: "LIO" },
      { name: "Tigers", code: "TIG" },
      { short_name: "Nameless" },
      { name: "Bears", code: "BEA" },
    ]);
    // fixed in place, sent again
    type(root.querySelector("input[aria-label='Row 3 name']"), "Wolves");
    click(root, "Send again");
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toContain("Imported 4 teams."));
    expect((fake.calls("POST", "/v1/orgs/1/import/teams")[1].body as object[])[2]).toEqual({ name: "Wolves", short_name: "Nameless" });
    expect(root.querySelector("tr.bad")).toBeNull();
  });

  it("says what is wrong with text that is not rows, before sending anything", async () => {
    const fake = new FakeServer();
    const el = await mount("rsc-import", signedIn(fake, { "1": "editor" }), "editor", { kind: "players" });
    const root = shadow(el);
    type(root.querySelector("#i-rows"), "last_name");
    await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    click(root, "Import players");
    await vi.waitFor(() => expect(text(root.querySelector("[role=alert]"))).toContain("only a header line"));
    expect(fake.sent).toEqual([]);
  });
});

describe("<rsc-calendar>", () => {
  const routes = {
    "GET /v1/orgs/1/teams": page([
      { id: 10, name: "Lions" },
      { id: 11, name: "Tigers" },
      { id: 12, name: "Bears" },
    ]),
    "GET /v1/orgs/1/venues": page([]),
    "GET /v1/orgs/1/groups": page([]),
    "GET /v1/orgs/1/matches": page([]),
  };

  it("builds the generation request from the form", () => {
    const data = new FormData();
    for (const team of ["10", "11", "12"]) data.append("team", team);
    data.set("format", "round_robin");
    data.set("double", "on");
    data.set("first_kickoff", "2026-09-05T16:00");
    data.set("days_between_rounds", "7");
    data.set("seed", "");
    data.set("venue-11", "3");
    const body = calendarBody(data);
    expect(body).toEqual({
      team_ids: [10, 11, 12],
      format: "round_robin",
      double: true,
      first_kickoff: new Date("2026-09-05T16:00").toISOString(),
      days_between_rounds: 7,
      venues: { "11": 3 },
    });
    data.set("format", "series");
    data.set("best_of", "5");
    expect(calendarBody(data)).toMatchObject({ format: "series", best_of: 5 });
  });

  it("previews the calendar (nothing saved), then saves exactly what was previewed", async () => {
    const planned = {
      matches: [
        { id: 1, round: 1, home_team_id: 10, away_team_id: 11, venue_id: null, kickoff: "2026-09-05T14:00:00Z", tie_id: null, leg: null, game_no: null },
        { id: 2, round: 2, home_team_id: 12, away_team_id: 10, venue_id: null, kickoff: "2026-09-12T14:00:00Z", tie_id: null, leg: null, game_no: null },
      ],
      ties: 0,
      rounds: 2,
    };
    const fake = new FakeServer({
      ...routes,
      "POST /v1/orgs/1/stages/7/calendar": (sent) =>
        (sent.body as { preview?: boolean }).preview ? { status: 200, body: { ...planned, preview: true } } : { status: 201, body: planned },
    });
    const el = await mount("rsc-calendar", signedIn(fake, { "1": "editor" }), "editor", { stage: 7 });
    const root = shadow(el);
    await appears("#c-team-12", root);
    type(root.querySelector("#c-kickoff"), "2026-09-05T16:00");
    expect(buttonNames(root)).not.toContain("Save calendar");
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await appears("table.preview", root);
    expect(deepAll(root, "table.preview tbody tr").map(text)).toEqual([
      expect.stringMatching(/^1 .* Lions Tigers$/),
      expect.stringMatching(/^2 .* Bears Lions$/),
    ]);
    // the teams in the order listed (by name), which seeds a bracket
    const [preview] = fake.calls("POST", "/v1/orgs/1/stages/7/calendar");
    expect(preview.body).toMatchObject({ team_ids: [12, 10, 11], format: "round_robin", double: true, preview: true });
    click(root, "Save calendar");
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toContain("Saved: 2 matches in 2 rounds."));
    const saved = fake.calls("POST", "/v1/orgs/1/stages/7/calendar")[1].body as Record<string, unknown>;
    expect(saved.preview).toBeUndefined();
    expect(saved).toEqual({ ...(preview.body as object), preview: undefined });
  });

  it("throws the preview away when the form changes", async () => {
    const fake = new FakeServer({ ...routes, "POST /v1/orgs/1/stages/7/calendar": { body: { matches: [], ties: 0, rounds: 1, preview: true } } });
    const el = await mount("rsc-calendar", signedIn(fake, { "1": "editor" }), "editor", { stage: 7 });
    const root = shadow(el);
    await appears("#c-team-12", root);
    type(root.querySelector("#c-kickoff"), "2026-09-05T16:00");
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await appears("table.preview", root);
    type(root.querySelector("#c-days"), "3");
    await vi.waitFor(() => expect(root.querySelector("table.preview")).toBeNull());
    expect(buttonNames(root)).not.toContain("Save calendar");
  });

  it("shows the API's refusal next to the form", async () => {
    const fake = new FakeServer({
      ...routes,
      "POST /v1/orgs/1/stages/7/calendar": { status: 409, body: { error: "conflict", detail: "3 match(es) of this stage have results or are in play" } },
    });
    const el = await mount("rsc-calendar", signedIn(fake, { "1": "editor" }), "editor", { stage: 7 });
    const root = shadow(el);
    await appears("#c-team-12", root);
    type(root.querySelector("#c-kickoff"), "2026-09-05T16:00");
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(text(root.querySelector("form [role=alert]"))).toBe("3 match(es) of this stage have results or are in play"));
  });
});

describe("<rsc-stage-form>", () => {
  const regulations = {
    presets: [
      {
        name: "premier-league",
        version: "2023",
        sport: "football",
        points: { win: 3, draw: 1, loss: 0, ot_win: 3, ot_loss: 0, so_win: 3, so_loss: 0 },
        criteria: ["goal_diff", "goals_for"],
        h2h_reapply: false,
        direct_game_for_two: false,
        awarded_score: 3,
        awarded_goals_count: true,
        fair_play: { yellow: -1, red: -4 },
      },
      {
        name: "nhl",
        version: "2019",
        sport: "ice-hockey",
        points: { win: 2, draw: 1, loss: 0, ot_win: 2, ot_loss: 1, so_win: 2, so_loss: 1 },
        criteria: ["points_pct"],
        h2h_reapply: false,
        direct_game_for_two: false,
        awarded_score: 1,
        awarded_goals_count: true,
        fair_play: {},
      },
    ],
    criteria: { goal_diff: "goal difference", goals_for: "goals scored", points_pct: "points percentage", wins: "wins" },
  };

  it("shows the sport's presets with each criterion's meaning, and sends only the overrides", async () => {
    const fake = new FakeServer({
      "GET /v1/regulations": { body: regulations },
      "POST /v1/orgs/1/stages": (sent) => ({ status: 201, body: { id: 7, ...(sent.body as object) } }),
    });
    const el = await mount("rsc-stage-form", signedIn(fake, { "1": "editor" }), "editor", { season: 3, sport: "football" });
    const root = shadow(el);
    await appears("li[data-criterion=goal_diff]", root);
    expect([...root.querySelectorAll("#s-regulation option")].map(text)).toEqual(["premier-league (football, 2023)"]);
    expect(deepAll(root, "ol.criteria li").map((li) => text(li.querySelector("span")))).toEqual(["goal difference goal_diff", "goals scored goals_for"]);
    type(root.querySelector("#s-name"), "Regular season");
    type(root.querySelector("#s-win"), "2");
    click(root, "Move goals scored up");
    await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(text(root.querySelector(".overrides"))).toContain("Changed from the preset premier-league: win, criteria.");
    let saved: CustomEvent | null = null;
    el.addEventListener("rsc-saved", (e) => (saved = e as CustomEvent));
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(saved).not.toBeNull());
    expect(fake.calls("POST", "/v1/orgs/1/stages")[0].body).toEqual({
      season_id: 3,
      name: "Regular season",
      kind: "league",
      regulation: "premier-league",
      regulation_params: { win: 2, criteria: ["goals_for", "goal_diff"] },
    });
  });

  it("lets a viewer read a stage's regulation with nothing to press", async () => {
    const fake = new FakeServer({ "GET /v1/regulations": { body: regulations } });
    const stage = { id: 7, season_id: 3, name: "Regular season", kind: "league", regulation: "premier-league", regulation_params: { win: 2 } };
    const el = await mount("rsc-stage-form", signedIn(fake, { "1": "viewer" }), "viewer", { season: 3, sport: "football", stage });
    const root = shadow(el);
    await appears("li[data-criterion=goal_diff]", root);
    expect(buttonNames(root)).toEqual([]);
    expect((root.querySelector("#s-win") as HTMLInputElement).value).toBe("2");
    expect(root.querySelector("fieldset")?.hasAttribute("disabled")).toBe(true);
  });
});

describe("<rsc-clients>", () => {
  it("shows a new client's secret once, with a warning and a copy button", async () => {
    const fake = new FakeServer({
      "GET /v1/orgs/1/api-clients": { body: [] },
      "POST /v1/orgs/1/api-clients": { status: 201, body: { client_id: "rs_1", client_secret: "s3cret", name: "Club site" } },
    });
    const el = await mount("rsc-clients", signedIn(fake, { "1": "owner" }), "owner");
    const root = shadow(el);
    await appears("#k-name", root);
    type(root.querySelector("#k-name"), "Club site");
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await appears("section.fresh", root);
    expect(text(root.querySelector("section.fresh [role=alert]"))).toContain("this is the only time it is shown");
    expect((root.querySelector("#k-secret") as HTMLInputElement).value).toBe("s3cret");
    expect((root.querySelector("#k-key") as HTMLInputElement).value).toBe("rs_1:s3cret");
    expect(buttonNames(root)).toContain("Copy secret");
    click(root, "I have copied it");
    await vi.waitFor(() => expect(root.querySelector("#k-secret")).toBeNull());
  });
});
