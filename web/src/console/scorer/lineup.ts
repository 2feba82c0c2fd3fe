// The line-ups step: each team's season roster, every player marked as starter, substitute or not playing,
// and one goalie. The choice is saved as the match's line-up rows (one outbox entry per team), which is what
// the API checks each event's players against.

import { html, nothing, type TemplateResult } from "lit";
import type { MatchContext } from "./data.js";
import { type LineupChoice, RULES } from "./model.js";

export type Part = "starter" | "bench" | "out";

/** one team's choice being edited: player id → part and whether he keeps goal */
export interface LineupDraft {
  team: number;
  parts: Record<number, Part>;
  goalie: number | null;
}

const isGoalie = (position: string | null | undefined, goalie: string): boolean =>
  position !== null && position !== undefined && position.toUpperCase().startsWith(goalie.charAt(0)) && position.length <= 2;

/** The draft of a team from its current line-up (or nothing chosen yet). */
export function draftOf(context: MatchContext, lineups: readonly LineupChoice[], team: number): LineupDraft {
  const goalieCode = RULES[context.sport].goalie;
  const parts: Record<number, Part> = {};
  let goalie: number | null = null;
  for (const r of context.roster.filter((row) => row.team_id === team)) parts[r.player_id] = "out";
  for (const l of lineups.filter((row) => row.team_id === team)) {
    parts[l.player_id] = l.starter ? "starter" : "bench";
    if (goalie === null && l.starter && isGoalie(l.position, goalieCode)) goalie = l.player_id;
  }
  return { team, parts, goalie };
}

/** The rows a draft saves: the players who play, with their roster number; the goalie's position marked. */
export function choicesOf(context: MatchContext, draft: LineupDraft): LineupChoice[] {
  const goalieCode = RULES[context.sport].goalie;
  const roster = new Map(context.roster.filter((r) => r.team_id === draft.team).map((r) => [r.player_id, r]));
  return Object.entries(draft.parts)
    .filter(([, part]) => part !== "out")
    .map(([id, part]) => {
      const player = Number(id);
      const entry = roster.get(player);
      const position = player === draft.goalie ? goalieCode : (entry?.position ?? null);
      return { team_id: draft.team, player_id: player, number: entry?.number ?? null, starter: part === "starter", position };
    });
}

export interface LineupHandlers {
  team(team: number): void;
  part(player: number, part: Part): void;
  goalie(player: number): void;
  save(): void;
  done(): void;
}

/** short words: four buttons share a phone's width */
const PARTS: [Part, string][] = [
  ["starter", "Starter"],
  ["bench", "Bench"],
  ["out", "Out"],
];

export function renderLineups(
  context: MatchContext,
  draft: LineupDraft,
  waiting: boolean,
  on: LineupHandlers,
): TemplateResult {
  const { match, teams, players } = context;
  const rows = context.roster
    .filter((r) => r.team_id === draft.team)
    .sort((a, b) => (a.number ?? 100) - (b.number ?? 100));
  const count = (part: Part): number => Object.values(draft.parts).filter((p) => p === part).length;
  const name = (id: number): string => {
    const p = players[id];
    return p ? [p.first_name, p.last_name].filter(Boolean).join(" ") : `player ${id}`;
  };
  return html`<section class="lineups" aria-label="Line-ups">
    <div class="choices two" role="tablist">
      ${[match.home_team_id, match.away_team_id].map(
        (id) => html`<button type="button" role="tab" class="choice" aria-selected=${id === draft.team ? "true" : "false"}
          aria-pressed=${id === draft.team ? "true" : "false"} data-lineup-team=${id === match.home_team_id ? "home" : "away"}
          @click=${() => on.team(id)}>${teams[id]?.name ?? `team ${id}`}</button>`,
      )}
    </div>
    <p class="muted">${count("starter")} starters, ${count("bench")} substitutes${draft.goalie !== null ? `, ${name(draft.goalie)} in goal` : ""}.</p>
    ${rows.length === 0
      ? html`<p class="muted">This team has no players on its roster for the season: an organizer adds them (roster entries).</p>`
      : html`<ul class="roster">
          ${rows.map((r) => {
            const part = draft.parts[r.player_id] ?? "out";
            const label = `${r.number !== null ? `${r.number} ` : ""}${name(r.player_id)}`;
            return html`<li data-player=${r.player_id} role="group" aria-label=${label}>
              <span class="who">${label}</span>
              <span class="parts">
                ${PARTS.map(
                  ([value, text]) => html`<button type="button" class="choice small" data-part=${value}
                    aria-pressed=${part === value ? "true" : "false"} @click=${() => on.part(r.player_id, value)}>${text}</button>`,
                )}
                <button type="button" class="choice small" data-part="goalie" aria-pressed=${draft.goalie === r.player_id ? "true" : "false"}
                  ?disabled=${part !== "starter"} @click=${() => on.goalie(r.player_id)}>Goalie</button>
              </span>
            </li>`;
          })}
        </ul>`}
    ${waiting ? html`<p class="muted" role="status">This team's line-up is waiting to be sent; change it once it is.</p>` : nothing}
    <div class="actions">
      <button type="button" class="primary" data-save-lineup ?disabled=${waiting || rows.length === 0} @click=${on.save}>Save line-up</button>
      <button type="button" class="secondary" @click=${on.done}>To the match</button>
    </div>
  </section>`;
}
