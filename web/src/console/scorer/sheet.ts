// The entry sheet: what the scorer fills in after tapping an action (Goal, Yellow card ...): the team, the
// players the event names (from the match's line-up, or the whole roster when asked), the hockey strength or
// penalty minutes, the time (taken from the running clock, editable), then Save. Every choice is a large
// button (aria-pressed) so that a goal is four taps: Goal, the team, the scorer, Save.

import { html, nothing, type TemplateResult } from "lit";
import type { MatchContext } from "./data.js";
import { type EventDraft, type EventKind, type LineupChoice, RULES, type Sport } from "./model.js";

export type Action = Exclude<EventKind, "period_end" | "save">;

export interface Draft {
  action: Action;
  team: number | null;
  player: number | null;
  assist1: number | null;
  assist2: number | null;
  player_out: number | null;
  /** goalie change: the new goalie, or null for an empty net */
  goalie: number | null;
  strength: "EV" | "PP" | "SH" | "EN";
  penalty_minutes: number;
  infraction: string;
  scored: boolean | null;
  minute: number | null;
  stoppage: number | null;
  clock_seconds: number | null;
  period: number;
  /** show the whole roster, not only the line-up */
  roster: boolean;
}

export const ACTION_LABEL: Record<Action, string> = {
  goal: "Goal",
  own_goal: "Own goal",
  penalty_goal: "Penalty goal",
  penalty_miss: "Penalty missed",
  yellow: "Yellow card",
  second_yellow: "Second yellow card",
  red: "Red card",
  penalty: "Penalty minutes",
  substitution: "Substitution",
  shot: "Shot",
  goalie_change: "Goalie change",
  shootout_attempt: "Shoot-out attempt",
};

/** The actions a sport's scorer gets as buttons, in the order of the page. */
export function actionsFor(sport: Sport, shootout: boolean): Action[] {
  if (shootout) return ["shootout_attempt"];
  if (sport === "ice-hockey") return ["goal", "penalty", "penalty_goal", "shot", "goalie_change", "substitution"];
  return ["goal", "own_goal", "penalty_goal", "penalty_miss", "yellow", "second_yellow", "red", "substitution", "goalie_change"];
}

export const PENALTY_MINUTES = [2, 4, 5, 10, 20, 25] as const;
const STRENGTHS = ["EV", "PP", "SH", "EN"] as const;
const STRENGTH_TEXT = { EV: "Even", PP: "Power play", SH: "Short-handed", EN: "Empty net" };

/** the fields each action asks for, after the team */
interface Ask {
  player?: string;
  assists?: boolean;
  out?: string;
  goalie?: boolean;
  strength?: boolean;
  minutes?: boolean;
  scored?: boolean;
  /** the players listed are the other team's (an own goal) */
  opponents?: boolean;
}

export function asks(sport: Sport, action: Action): Ask {
  switch (action) {
    case "goal":
      return { player: "Scorer", assists: true, strength: sport === "ice-hockey" };
    case "penalty_goal":
      return { player: "Scorer", strength: sport === "ice-hockey" };
    case "own_goal":
      return { player: "Own goal by", opponents: true };
    case "penalty_miss":
      return { player: "Taken by" };
    case "penalty":
      return { player: "Player", minutes: true };
    case "substitution":
      return { player: "On", out: "Off" };
    case "goalie_change":
      return { goalie: true };
    case "shootout_attempt":
      return { player: "Shooter", scored: true };
    case "shot":
      return { player: "Shooter" };
    default:
      return { player: "Player" };
  }
}

/** The event a finished draft writes; null with the reason while something required is missing. */
export function draftEvent(sport: Sport, draft: Draft): EventDraft | string {
  if (draft.team === null) return "Choose the team.";
  const ask = asks(sport, draft.action);
  if (draft.action === "substitution" && (draft.player === null || draft.player_out === null)) {
    return "Choose the player coming on and the one going off.";
  }
  if (ask.scored && draft.scored === null) return "Say whether the attempt scored.";
  if ((draft.action === "yellow" || draft.action === "second_yellow" || draft.action === "red") && draft.player === null) {
    return "Choose the player.";
  }
  const event: EventDraft = { team_id: draft.team, kind: draft.action, period: draft.period };
  if (ask.player && draft.player !== null) event.player_id = draft.player;
  if (ask.assists && draft.assist1 !== null) event.assist1_id = draft.assist1;
  if (ask.assists && draft.assist2 !== null) event.assist2_id = draft.assist2;
  if (ask.out) event.player_out_id = draft.player_out;
  if (ask.goalie) event.goalie_id = draft.goalie;
  if (ask.strength) event.strength = draft.strength;
  if (ask.minutes) event.penalty_minutes = draft.penalty_minutes;
  if (ask.minutes && draft.infraction.trim()) event.infraction = draft.infraction.trim();
  if (ask.scored) event.scored = draft.scored;
  if (draft.action !== "shootout_attempt") {
    if (draft.minute !== null) event.minute = draft.minute;
    if (draft.stoppage) event.stoppage = draft.stoppage;
    if (draft.clock_seconds !== null) event.clock_seconds = draft.clock_seconds;
  }
  return event;
}

export interface SheetHandlers {
  change(patch: Partial<Draft>): void;
  save(): void;
  cancel(): void;
}

interface Person {
  id: number;
  number: number | null;
  name: string;
  starter: boolean | null;
}

/** The players of a team to choose from: its line-up (starters first), or its roster when it has none or
 * the scorer asked for the whole roster. */
export function peopleOf(context: MatchContext, lineups: readonly LineupChoice[], team: number, roster: boolean): Person[] {
  const name = (id: number): string => {
    const p = context.players[id];
    return p ? [p.first_name, p.last_name].filter(Boolean).join(" ") : `player ${id}`;
  };
  const listed = lineups.filter((l) => l.team_id === team);
  const people: Person[] = listed
    .map((l) => ({ id: l.player_id, number: l.number, name: name(l.player_id), starter: l.starter }))
    .sort((a, b) => Number(b.starter) - Number(a.starter) || (a.number ?? 100) - (b.number ?? 100));
  if (listed.length === 0 || roster) {
    const seen = new Set(people.map((p) => p.id));
    const more = context.roster
      .filter((r) => r.team_id === team && !seen.has(r.player_id))
      .map((r) => ({ id: r.player_id, number: r.number, name: name(r.player_id), starter: null }))
      .sort((a, b) => (a.number ?? 100) - (b.number ?? 100) || a.name.localeCompare(b.name));
    people.push(...more);
  }
  return people;
}

function choice(label: string, pressed: boolean, pick: () => void, hook: Record<string, string> = {}): TemplateResult {
  return html`<button
    type="button"
    class="choice"
    aria-pressed=${pressed ? "true" : "false"}
    data-pick=${hook.pick ?? nothing}
    data-value=${hook.value ?? nothing}
    @click=${pick}
  >
    ${label}
  </button>`;
}

function personLabel(p: Person): string {
  return `${p.number !== null ? `${p.number} ` : ""}${p.name}`;
}

function pickPlayer(
  legend: string,
  field: "player" | "assist1" | "assist2" | "player_out" | "goalie",
  people: Person[],
  draft: Draft,
  on: SheetHandlers,
  none?: string,
): TemplateResult {
  const value = draft[field];
  return html`<fieldset class="pick" data-field=${field}>
    <legend>${legend}</legend>
    <div class="choices">
      ${none !== undefined ? choice(none, value === null, () => on.change({ [field]: null }), { pick: field, value: "" }) : nothing}
      ${people.map((p) =>
        choice(personLabel(p), value === p.id, () => on.change({ [field]: value === p.id ? null : p.id }), {
          pick: field,
          value: String(p.id),
        }),
      )}
    </div>
  </fieldset>`;
}

function timeFields(sport: Sport, draft: Draft, on: SheetHandlers): TemplateResult | typeof nothing {
  if (draft.action === "shootout_attempt") return nothing;
  const number = (e: Event): number | null => {
    const text = (e.target as HTMLInputElement).value.trim();
    return text === "" ? null : Math.max(0, Math.floor(Number(text)));
  };
  if (sport === "ice-hockey") {
    const seconds = draft.clock_seconds ?? 0;
    const mm = Math.floor(seconds / 60);
    const ss = seconds % 60;
    return html`<fieldset class="time">
      <legend>Time in the period</legend>
      <label>Minutes <input type="number" inputmode="numeric" min="0" max="99" .value=${String(mm)}
        @change=${(e: Event) => on.change({ clock_seconds: (number(e) ?? 0) * 60 + ss })} /></label>
      <label>Seconds <input type="number" inputmode="numeric" min="0" max="59" .value=${String(ss)}
        @change=${(e: Event) => on.change({ clock_seconds: mm * 60 + Math.min(59, number(e) ?? 0) })} /></label>
    </fieldset>`;
  }
  return html`<fieldset class="time">
    <legend>Time</legend>
    <label>Minute <input type="number" inputmode="numeric" min="0" max="150" .value=${draft.minute === null ? "" : String(draft.minute)}
      @change=${(e: Event) => on.change({ minute: number(e) })} /></label>
    <label>Added time <input type="number" inputmode="numeric" min="0" max="30" .value=${draft.stoppage ? String(draft.stoppage) : ""}
      @change=${(e: Event) => on.change({ stoppage: number(e) })} /></label>
  </fieldset>`;
}

export function renderSheet(
  context: MatchContext,
  lineups: readonly LineupChoice[],
  draft: Draft,
  problem: string,
  on: SheetHandlers,
): TemplateResult {
  const { sport, match, teams } = context;
  const ask = asks(sport, draft.action);
  const sides = [match.home_team_id, match.away_team_id];
  const other = draft.team === null ? null : sides.find((t) => t !== draft.team) ?? null;
  const listed = draft.team === null ? null : ask.opponents ? other : draft.team;
  const people = listed === null ? [] : peopleOf(context, lineups, listed, draft.roster);
  const assistPeople = people.filter((p) => p.id !== draft.player);
  const title = ACTION_LABEL[draft.action];
  return html`<section class="sheet" aria-label=${title} data-sheet=${draft.action}>
    <h2>${title}</h2>
    <fieldset class="pick" data-field="team">
      <legend>${ask.opponents ? "Goal for" : "Team"}</legend>
      <div class="choices two">
        ${sides.map((id) =>
          choice(teams[id]?.name ?? `team ${id}`, draft.team === id, () => on.change({ team: id, player: null, assist1: null, assist2: null, player_out: null, goalie: null }), {
            pick: "team",
            value: id === match.home_team_id ? "home" : "away",
          }),
        )}
      </div>
    </fieldset>
    ${draft.team === null
      ? nothing
      : html`${ask.player ? pickPlayer(ask.player, "player", people, draft, on) : nothing}
        ${ask.out ? pickPlayer(ask.out, "player_out", people.filter((p) => p.id !== draft.player), draft, on) : nothing}
        ${ask.goalie ? pickPlayer("In goal", "goalie", people, draft, on, "Empty net") : nothing}
        ${ask.assists ? pickPlayer("Assist", "assist1", assistPeople, draft, on) : nothing}
        ${ask.assists && RULES[sport].assists > 1 && draft.assist1 !== null
          ? pickPlayer("Second assist", "assist2", assistPeople.filter((p) => p.id !== draft.assist1), draft, on)
          : nothing}
        <p><button type="button" class="link" @click=${() => on.change({ roster: !draft.roster })}>
          ${draft.roster ? "Only the line-up" : "Whole roster"}
        </button></p>
        ${ask.strength
          ? html`<fieldset class="pick" data-field="strength"><legend>Strength</legend><div class="choices four">
              ${STRENGTHS.map((s) => choice(STRENGTH_TEXT[s], draft.strength === s, () => on.change({ strength: s }), { pick: "strength", value: s }))}
            </div></fieldset>`
          : nothing}
        ${ask.minutes
          ? html`<fieldset class="pick" data-field="penalty_minutes"><legend>Minutes</legend><div class="choices three">
                ${PENALTY_MINUTES.map((m) =>
                  choice(`${m} min`, draft.penalty_minutes === m, () => on.change({ penalty_minutes: m }), { pick: "penalty_minutes", value: String(m) }),
                )}
              </div></fieldset>
              <label class="wide">Infraction <input type="text" .value=${draft.infraction}
                @change=${(e: Event) => on.change({ infraction: (e.target as HTMLInputElement).value })} /></label>`
          : nothing}
        ${ask.scored
          ? html`<fieldset class="pick" data-field="scored"><legend>Result</legend><div class="choices two">
              ${choice("Scored", draft.scored === true, () => on.change({ scored: true }), { pick: "scored", value: "true" })}
              ${choice("Missed", draft.scored === false, () => on.change({ scored: false }), { pick: "scored", value: "false" })}
            </div></fieldset>`
          : nothing}
        ${timeFields(sport, draft, on)}`}
    ${problem ? html`<p class="problem" role="status">${problem}</p>` : nothing}
    <div class="actions">
      <button type="button" class="secondary" @click=${on.cancel}>Cancel</button>
      <button type="button" class="primary" data-save @click=${on.save}>Save</button>
    </div>
  </section>`;
}
