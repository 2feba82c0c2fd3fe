// Regulation presets (GET /v1/regulations) and a stage's overrides of them (`regulation_params`), as pure
// functions: the override a form's values make is only what differs from the preset, so a stage keeps
// following its preset wherever the organizer did not change it (sports/regulations.py applies them).

import type { AdminClient } from "../core/api.js";

export interface Points {
  win: number;
  draw: number;
  loss: number;
  ot_win: number;
  ot_loss: number;
  so_win: number;
  so_loss: number;
}

export interface Preset {
  name: string;
  version: string;
  sport: string;
  points: Points;
  criteria: string[];
  h2h_reapply: boolean;
  direct_game_for_two: boolean;
  awarded_score: number;
  awarded_goals_count: boolean;
  fair_play: Record<string, number>;
}

export interface Regulations {
  presets: Preset[];
  /** criterion -> what it compares, in words */
  criteria: Record<string, string>;
}

export type Params = Record<string, unknown>;

export const POINT_LABELS: readonly (readonly [keyof Points, string])[] = [
  ["win", "Points for a win"],
  ["draw", "Points for a draw"],
  ["loss", "Points for a loss"],
  ["ot_win", "An overtime (extra-time) win"],
  ["ot_loss", "An overtime (extra-time) loss"],
  ["so_win", "A shoot-out win"],
  ["so_loss", "A shoot-out loss"],
];

/** the top-level settings a stage may override, besides points and criteria */
export const FLAGS = ["h2h_reapply", "direct_game_for_two", "awarded_goals_count"] as const;
export type Flag = (typeof FLAGS)[number];

export const FLAG_LABELS: Record<Flag, string> = {
  h2h_reapply: "Apply the head-to-head criteria again to the teams still level",
  direct_game_for_two: "When two teams are level, their direct game decides first",
  awarded_goals_count: "Goals of an awarded match count in goals for and against",
};

const known = new WeakMap<AdminClient, Promise<Regulations>>();

/** GET /v1/regulations, read once per client (a failed read is tried again next time). */
export function regulationsOf(client: AdminClient): Promise<Regulations> {
  let found = known.get(client);
  if (found === undefined) {
    found = client.request<Regulations>("GET", "/v1/regulations");
    found.catch(() => known.delete(client));
    known.set(client, found);
  }
  return found;
}

/** The value a setting has for a stage: its override, else the preset's. */
export function effective(preset: Preset, params: Params, key: string): unknown {
  if (key in params) return params[key];
  if (key in preset.points) return preset.points[key as keyof Points];
  if (key in preset.fair_play) return preset.fair_play[key];
  return (preset as unknown as Record<string, unknown>)[key];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `params` with `key` set to `value`: an override only where it differs from the preset. */
export function withOverride(preset: Preset, params: Params, key: string, value: unknown): Params {
  const next = Object.fromEntries(Object.entries(params).filter(([k]) => k !== key));
  if (!same(effective(preset, next, key), value)) next[key] = value;
  return next;
}

/** The criteria with the one at `index` moved by `by` places (-1 up, +1 down), or removed (by = 0). */
export function moveCriterion(criteria: readonly string[], index: number, by: -1 | 0 | 1): string[] {
  const next = [...criteria];
  const [item] = next.splice(index, 1);
  if (by !== 0 && item !== undefined) next.splice(Math.max(0, Math.min(next.length, index + by)), 0, item);
  return next;
}

/** Presets of a sport first (all of them when the sport is not known). */
export const presetsFor = (regulations: Regulations, sport: string | undefined): Preset[] =>
  regulations.presets.filter((p) => !sport || p.sport === sport);
