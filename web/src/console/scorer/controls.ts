// The clock's controls (start, pause, set by hand, overtime, shoot-out) and the two confirmations that guard
// what a slip of the thumb must not do at once: taking an entry back, and the final whistle.

import { html, nothing, type TemplateResult } from "lit";
import type { MatchContext } from "./data.js";
import { type ClockState, displaySeconds, elapsedMs } from "./clock.js";
import { clockText, type EventDraft, eventText, type FinalResult, periodName, RULES, type Sport, whenText } from "./model.js";

export interface ClockHandlers {
  start(): void;
  pause(): void;
  /** show or hide the form that sets the clock */
  edit(): void;
  /** the clock set to this many seconds into the period */
  set(seconds: number): void;
  overtime(): void;
  shootout(): void;
}

export function clockControls(
  sport: Sport,
  clock: ClockState,
  now: number,
  shown: { editing: boolean; regularOver: boolean },
  on: ClockHandlers,
): TemplateResult {
  const shootout = clock.period >= RULES[sport].shootout;
  return html`<div class="clock" data-period=${clock.period}>
    <span class="period">${periodName(sport, clock.period)}</span>
    ${shootout
      ? nothing
      : html`<span class="time" role="timer" aria-label="Match clock" data-clock=${clock.running ? "running" : "stopped"}
            >${clockText(displaySeconds(sport, clock, now))}</span
          >
          ${clock.running
            ? html`<button type="button" @click=${on.pause}>Pause clock</button>`
            : html`<button type="button" @click=${on.start}>Start clock</button>`}
          <button type="button" class="link" @click=${on.edit}>Set</button>
          ${shown.editing ? clockForm(clock, now, on) : nothing}`}
    ${shown.regularOver && !shootout
      ? html`<button type="button" @click=${on.overtime}>Overtime</button>
          <button type="button" @click=${on.shootout}>Shoot-out</button>`
      : nothing}
  </div>`;
}

function clockForm(clock: ClockState, now: number, on: ClockHandlers): TemplateResult {
  const seconds = Math.floor(elapsedMs(clock, now) / 1000);
  const submit = (e: Event): void => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const total = Number(data.get("mm") ?? 0) * 60 + Number(data.get("ss") ?? 0);
    on.set(Number.isFinite(total) ? total : 0);
  };
  return html`<form @submit=${submit}>
    <label>Min <input name="mm" type="number" inputmode="numeric" min="0" .value=${String(Math.floor(seconds / 60))} /></label>
    <label>Sec <input name="ss" type="number" inputmode="numeric" min="0" max="59" .value=${String(seconds % 60)} /></label>
    <button type="submit">Set clock</button>
  </form>`;
}

export interface ConfirmHandlers {
  cancel(): void;
  confirm(): void;
}

export function confirmUndo(context: MatchContext, event: EventDraft, on: ConfirmHandlers): TemplateResult {
  const what = `${whenText(context.sport, event)} ${eventText(context.sport, event, context.players, context.teams)}`;
  return html`<div class="confirm" role="group" aria-label="Confirm undo">
    <span>Undo “${what}”?</span>
    <div class="actions">
      <button type="button" class="secondary" @click=${on.cancel}>Keep it</button>
      <button type="button" class="danger" data-confirm="undo" @click=${on.confirm}>Confirm undo</button>
    </div>
  </div>`;
}

const DECIDED = { REG: "regular time", OT: "after overtime", SO: "after a shoot-out" };

export function confirmFinal(context: MatchContext, result: FinalResult, on: ConfirmHandlers): TemplateResult {
  const { match, teams } = context;
  const names = `${teams[match.home_team_id]?.name ?? "Home"} ${result.home_score}–${result.away_score} ${teams[match.away_team_id]?.name ?? "Away"}`;
  return html`<div class="confirm" role="group" aria-label="Confirm final whistle">
    <span>Finish the match: <strong>${names}</strong> (${DECIDED[result.decided_in]})?</span>
    <div class="actions">
      <button type="button" class="secondary" @click=${on.cancel}>Not yet</button>
      <button type="button" class="danger" data-confirm="final" @click=${on.confirm}>Confirm final whistle</button>
    </div>
  </div>`;
}
