// The admin API's resources as the organizer pages show them: labels in words, the columns' rules as input
// constraints (api/admin/resources.py is the source of truth; the API refuses anything else in words).

import type { FieldSpec, Row } from "./forms.js";
import { refLabel } from "./lookup.js";
import type { ResourceSpec } from "./resource.js";
import { orgHref } from "./routes.js";

export const SPORTS = [
  ["football", "Football"],
  ["ice-hockey", "Ice hockey"],
] as const;

export const STAGE_KINDS = [
  ["league", "League (one table)"],
  ["groups", "Groups"],
  ["knockout", "Knockout"],
  ["playoff", "Play-off series"],
] as const;

const name = (row: Row): string => String(row.name ?? `#${row.id}`);

export const competitions: ResourceSpec = {
  path: "competitions",
  title: "Competitions",
  noun: "competition",
  fields: [
    { name: "name", label: "Name", kind: "text", required: true },
    { name: "sport", label: "Sport", kind: "select", required: true, options: SPORTS },
    {
      name: "slug",
      label: "Short name for addresses",
      kind: "text",
      required: true,
      pattern: "[a-z0-9][a-z0-9\\-]{0,62}",
      hint: "lower-case letters, digits and dashes: premier-league",
    },
  ],
  name,
  link: (org, row) => orgHref(org, "competition", row.id),
};

export const seasons: ResourceSpec = {
  path: "seasons",
  title: "Seasons",
  noun: "season",
  fields: [
    { name: "competition_id", label: "Competition", kind: "number", required: true },
    { name: "name", label: "Name", kind: "text", required: true, hint: "2026 or 2026/27" },
    { name: "starts_on", label: "Starts on", kind: "date" },
    { name: "ends_on", label: "Ends on", kind: "date" },
  ],
  name,
  link: (org, row) => orgHref(org, "season", row.id),
};

export const teams: ResourceSpec = {
  path: "teams",
  title: "Teams",
  noun: "team",
  fields: [
    { name: "name", label: "Name", kind: "text", required: true },
    { name: "short_name", label: "Short name", kind: "text" },
    { name: "code", label: "Code", kind: "text", pattern: "[A-Z0-9]{2,5}", hint: "2 to 5 capitals or digits: LIO" },
  ],
  name,
  changes: "teams",
};

export const players: ResourceSpec = {
  path: "players",
  title: "Players",
  noun: "player",
  fields: [
    { name: "first_name", label: "First name", kind: "text", blank: true },
    { name: "last_name", label: "Last name", kind: "text", required: true },
    { name: "birth_date", label: "Born on", kind: "date" },
    { name: "nationality", label: "Nationality", kind: "text", pattern: "[A-Z]{3}", hint: "3 capitals: NOR" },
  ],
  name: (row) => refLabel("players", row),
  changes: "players",
};

export const venues: ResourceSpec = {
  path: "venues",
  title: "Venues",
  noun: "venue",
  fields: [
    { name: "name", label: "Name", kind: "text", required: true },
    { name: "city", label: "City", kind: "text" },
    { name: "capacity", label: "Capacity", kind: "number", min: 0 },
  ],
  name,
  changes: "venues",
};

export const rosterEntries: ResourceSpec = {
  path: "roster_entries",
  title: "Roster",
  noun: "roster entry",
  fields: [
    { name: "season_id", label: "Season", kind: "number", required: true },
    { name: "team_id", label: "Team", kind: "ref", ref: "teams", required: true },
    { name: "player_id", label: "Player", kind: "ref", ref: "players", required: true },
    { name: "number", label: "Number", kind: "number", min: 0, max: 99 },
    { name: "position", label: "Position", kind: "text", hint: "GK, DF, MF, FW; G, D, F" },
  ],
  name: (row, ref) => `${ref("players", row.player_id)} of ${ref("teams", row.team_id)}`,
};

export const suspensions: ResourceSpec = {
  path: "suspensions",
  title: "Suspensions",
  noun: "suspension",
  fields: [
    { name: "season_id", label: "Season", kind: "number", required: true },
    { name: "player_id", label: "Player", kind: "ref", ref: "players", required: true },
    { name: "team_id", label: "Team", kind: "ref", ref: "teams" },
    { name: "matches", label: "Matches", kind: "number", required: true, min: 1 },
    { name: "reason", label: "Reason", kind: "text", required: true },
  ],
  name: (row, ref) => `the suspension of ${ref("players", row.player_id)}`,
};

export const pointAdjustments: ResourceSpec = {
  path: "point_adjustments",
  title: "Point adjustments",
  noun: "point adjustment",
  fields: [
    { name: "stage_id", label: "Stage", kind: "number", required: true },
    { name: "team_id", label: "Team", kind: "ref", ref: "teams", required: true },
    { name: "points", label: "Points", kind: "number", required: true, hint: "negative to deduct: -3" },
    { name: "reason", label: "Reason", kind: "text", required: true },
  ],
  name: (row, ref) => `${String(row.points)} points of ${ref("teams", row.team_id)}`,
};

/** The fields a team or player import may carry, for the import page's help. */
export const IMPORT_FIELDS: Record<"teams" | "players", readonly FieldSpec[]> = {
  teams: teams.fields,
  players: players.fields,
};
