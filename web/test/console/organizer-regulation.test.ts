import { describe, expect, it } from "vitest";
import { ApiError, OfflineError } from "../../src/console/core/api.js";
import { createBody, errorText, isoToLocal, updateBody, type FieldSpec } from "../../src/console/organizer/forms.js";
import { slugOf } from "../../src/console/organizer/orgs.js";
import { effective, moveCriterion, type Preset, withOverride } from "../../src/console/organizer/regulation.js";

const PREMIER: Preset = {
  name: "premier-league",
  version: "2023",
  sport: "football",
  points: { win: 3, draw: 1, loss: 0, ot_win: 3, ot_loss: 0, so_win: 3, so_loss: 0 },
  criteria: ["goal_diff", "goals_for", "h2h_points", "h2h_away_goals"],
  h2h_reapply: false,
  direct_game_for_two: false,
  awarded_score: 3,
  awarded_goals_count: true,
  fair_play: { yellow: -1, second_yellow: -3, red: -4, yellow_red: -5 },
};

describe("regulation overrides", () => {
  it("keeps only what differs from the preset", () => {
    let params = withOverride(PREMIER, {}, "win", 2);
    expect(params).toEqual({ win: 2 });
    params = withOverride(PREMIER, params, "draw", 1);
    expect(params).toEqual({ win: 2 });
    params = withOverride(PREMIER, params, "win", 3);
    expect(params).toEqual({});
    params = withOverride(PREMIER, params, "criteria", ["goal_diff", "goals_for"]);
    expect(params).toEqual({ criteria: ["goal_diff", "goals_for"] });
    expect(withOverride(PREMIER, params, "criteria", PREMIER.criteria)).toEqual({});
  });

  it("reads a setting from the override, else the preset's points, fair play or flags", () => {
    expect(effective(PREMIER, { win: 2 }, "win")).toBe(2);
    expect(effective(PREMIER, {}, "draw")).toBe(1);
    expect(effective(PREMIER, {}, "yellow")).toBe(-1);
    expect(effective(PREMIER, {}, "h2h_reapply")).toBe(false);
    expect(effective(PREMIER, {}, "criteria")).toEqual(PREMIER.criteria);
  });

  it("moves and removes criteria", () => {
    const c = ["a", "b", "c"];
    expect(moveCriterion(c, 1, -1)).toEqual(["b", "a", "c"]);
    expect(moveCriterion(c, 1, 1)).toEqual(["a", "c", "b"]);
    expect(moveCriterion(c, 0, -1)).toEqual(["a", "b", "c"]);
    expect(moveCriterion(c, 2, 1)).toEqual(["a", "b", "c"]);
    expect(moveCriterion(c, 1, 0)).toEqual(["a", "c"]);
  });
});

describe("forms", () => {
  const fields: FieldSpec[] = [
    { name: "name", label: "Name", kind: "text", required: true },
    { name: "first_name", label: "First name", kind: "text", blank: true },
    { name: "capacity", label: "Capacity", kind: "number" },
    { name: "team_id", label: "Team", kind: "ref", ref: "teams" },
    { name: "kickoff", label: "Kick-off", kind: "datetime" },
  ];

  function form(values: Record<string, string>): HTMLFormElement {
    const element = document.createElement("form");
    for (const [name, value] of Object.entries(values)) {
      const input = document.createElement("input");
      input.name = name;
      input.value = value;
      element.append(input);
    }
    return element;
  }

  it("sends a create's filled fields with their types", () => {
    const body = createBody(fields, form({ name: " Arena ", first_name: "", capacity: "1200", team_id: "4", kickoff: "" }));
    expect(body).toEqual({ name: "Arena", capacity: 1200, team_id: 4 });
  });

  it("sends an update's changes only: an emptied field as null, or as an empty text where the table has a default", () => {
    const row = { id: 1, name: "Arena", first_name: "Ola", capacity: 1200, team_id: 4, kickoff: "2026-09-05T14:00:00Z" };
    const local = isoToLocal(row.kickoff);
    const body = updateBody(fields, form({ name: "Arena", first_name: "", capacity: "", team_id: "5", kickoff: local }), row);
    expect(body).toEqual({ first_name: "", capacity: null, team_id: 5 });
  });

  it("puts API errors in words, with the fields a refused body names", () => {
    const invalid = new ApiError(422, "invalid", "the request is not valid", {
      fields: [{ message: "Expected `str` matching regex '^[A-Z0-9]{2,5}$' - at `$.code`", key: "code" }],
    });
    expect(errorText(invalid)).toBe("the request is not valid: Expected `str` matching regex '^[A-Z0-9]{2,5}$' - at `$.code`");
    expect(errorText(new ApiError(409, "conflict", "the last owner cannot be removed", {}))).toBe("the last owner cannot be removed");
    expect(errorText(new OfflineError("http://x"))).toBe("cannot reach the server: check the connection");
  });

  it("suggests an address form of a name", () => {
    expect(slugOf("FC Nordvik 1921")).toBe("fc-nordvik-1921");
    expect(slugOf("  Ålesund FK!! ")).toBe("alesund-fk");
  });
});
