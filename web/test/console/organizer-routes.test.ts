import { describe, expect, it } from "vitest";
import { CAN_VIEW, homeView, href, navFor, parseRoute, refusal, type Route, type View } from "../../src/console/organizer/routes.js";

describe("hash routes", () => {
  it("reads every page of the console", () => {
    expect(parseRoute("#/login")).toEqual({ page: "login" });
    expect(parseRoute("#/orgs")).toEqual({ page: "orgs" });
    expect(parseRoute("#/o/3")).toEqual({ page: "org", org: 3, view: "home" });
    expect(parseRoute("#/o/3/competitions")).toEqual({ page: "org", org: 3, view: "competitions" });
    expect(parseRoute("#/o/3/competitions/9")).toEqual({ page: "org", org: 3, view: "competition", id: 9 });
    expect(parseRoute("#/o/3/seasons/4")).toEqual({ page: "org", org: 3, view: "season", id: 4 });
    expect(parseRoute("#/o/3/stages/7")).toEqual({ page: "org", org: 3, view: "stage", id: 7 });
    expect(parseRoute("#/o/3/stages/7/calendar")).toEqual({ page: "org", org: 3, view: "stage", id: 7, tab: "calendar" });
    expect(parseRoute("#/o/3/import/players")).toEqual({ page: "org", org: 3, view: "import", tab: "players" });
    expect(parseRoute("#/o/3/score/120")).toEqual({ page: "org", org: 3, view: "score", id: 120 });
    expect(parseRoute("#/o/3/members")).toEqual({ page: "org", org: 3, view: "members" });
  });

  it("leads nowhere for what it does not know (the shell then picks a page)", () => {
    for (const hash of ["", "#", "#/", "#/o", "#/o/x", "#/o/0/teams", "#/o/3/nope", "#/o/3/stages/x", "#/o/3/stages/7/nope", "#/o/3/import/matches", "#/o/3/teams/4/5"]) {
      expect(parseRoute(hash), hash).toBeNull();
    }
  });

  it("writes what it reads", () => {
    const routes: Route[] = [
      { page: "login" },
      { page: "orgs" },
      { page: "org", org: 1, view: "home" },
      { page: "org", org: 1, view: "teams" },
      { page: "org", org: 1, view: "competition", id: 2 },
      { page: "org", org: 1, view: "stage", id: 7, tab: "standings" },
      { page: "org", org: 1, view: "import", tab: "teams" },
      { page: "org", org: 1, view: "score", id: 5 },
    ];
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
  });
});

describe("roles shape the console", () => {
  const organizerViews: View[] = ["competitions", "competition", "season", "stage", "teams", "players", "venues"];

  it("keeps a scorer to the matches and the scoring page", () => {
    for (const view of organizerViews) expect(CAN_VIEW[view]("scorer"), view).toBe(false);
    expect(CAN_VIEW.matches("scorer")).toBe(true);
    expect(CAN_VIEW.score("scorer")).toBe(true);
    expect(navFor("scorer").map((n) => n.label)).toEqual(["Matches"]);
    expect(homeView("scorer")).toBe("matches");
    expect(refusal("competitions", "scorer")).toBe(
      "Your role in this organization (scorer) cannot see the competitions. A scorer's console is the match list and the scoring page.",
    );
  });

  it("lets a viewer read the organizer's pages but not import, score or manage", () => {
    for (const view of organizerViews) expect(CAN_VIEW[view]("viewer"), view).toBe(true);
    for (const view of ["import", "score", "members", "clients"] as const) expect(CAN_VIEW[view]("viewer"), view).toBe(false);
    expect(navFor("viewer").map((n) => n.view)).toEqual(["competitions", "teams", "players", "venues", "matches", "crawl-jobs"]);
  });

  it("gives members and website clients to owners only", () => {
    expect(navFor("editor").map((n) => n.view)).not.toContain("members");
    expect(navFor("owner").map((n) => n.view)).toEqual(["competitions", "teams", "players", "venues", "matches", "import", "crawl-jobs", "members", "clients"]);
    expect(refusal("members", "editor")).toBe("Your role in this organization (editor) cannot manage the members.");
  });

  it("says so to someone who is not a member", () => {
    expect(CAN_VIEW.matches(undefined)).toBe(false);
    expect(refusal("teams", undefined)).toContain("not a member of this organization");
  });
});
