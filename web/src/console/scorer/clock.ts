// The running clock of a match, started and paused by the scorer. It lives on the device (localStorage, one
// key per match), not on the server: the API has no clock, and the clock must keep running through a reload
// or a lost connection. It gives each event its time: football's minute from kick-off (45+2' in stoppage
// time), hockey's seconds into the period.

import { RULES, type Sport } from "./model.js";

export interface ClockState {
  period: number;
  running: boolean;
  /** ms since the epoch when the clock last started (running only) */
  since: number | null;
  /** ms counted in this period before `since` */
  elapsed_ms: number;
}

export const fresh = (period = 1): ClockState => ({ period, running: false, since: null, elapsed_ms: 0 });

export function elapsedMs(clock: ClockState, now: number): number {
  return clock.elapsed_ms + (clock.running && clock.since !== null ? Math.max(0, now - clock.since) : 0);
}

export function start(clock: ClockState, now: number): ClockState {
  return clock.running ? clock : { ...clock, running: true, since: now };
}

export function pause(clock: ClockState, now: number): ClockState {
  return clock.running ? { ...clock, running: false, since: null, elapsed_ms: elapsedMs(clock, now) } : clock;
}

/** The clock after a period's end: the next period, stopped at zero. */
export function nextPeriod(clock: ClockState): ClockState {
  return fresh(clock.period + 1);
}

/** The clock set by hand (mm:ss into the period), keeping whether it runs. */
export function setElapsed(clock: ClockState, seconds: number, now: number): ClockState {
  return { ...clock, elapsed_ms: Math.max(0, seconds) * 1000, since: clock.running ? now : null };
}

export interface EventTime {
  minute: number | null;
  stoppage: number | null;
  clock_seconds: number | null;
}

/** An event's time now: football counts the minute from kick-off (the 1st minute is 0:00-0:59) and past a
 * period's length the stoppage minutes; hockey keeps the seconds into the period. */
export function eventTime(sport: Sport, clock: ClockState, now: number): EventTime {
  const seconds = Math.floor(elapsedMs(clock, now) / 1000);
  if (sport === "ice-hockey") return { minute: null, stoppage: null, clock_seconds: seconds };
  const rules = RULES[sport];
  const index = Math.min(clock.period, rules.offsets.length) - 1;
  const offset = rules.offsets[index] ?? 0;
  const length = rules.lengths[index] ?? 45;
  const played = Math.floor(seconds / 60) + 1;
  if (played <= length) return { minute: offset + played, stoppage: null, clock_seconds: null };
  return { minute: offset + length, stoppage: played - length, clock_seconds: null };
}

/** What the clock shows: football the match time (47:12 in the 2nd half), hockey the time into the period. */
export function displaySeconds(sport: Sport, clock: ClockState, now: number): number {
  const seconds = elapsedMs(clock, now) / 1000;
  if (sport === "ice-hockey") return seconds;
  const offset = RULES[sport].offsets[Math.min(clock.period, RULES[sport].offsets.length) - 1] ?? 0;
  return offset * 60 + seconds;
}

export class ClockStore {
  constructor(
    readonly storage: Storage | null,
    readonly key: string,
  ) {}

  load(): ClockState | null {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return null;
      const found = JSON.parse(raw) as ClockState;
      return typeof found.period === "number" && typeof found.elapsed_ms === "number" ? found : null;
    } catch {
      return null;
    }
  }

  save(clock: ClockState): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(clock));
    } catch {
      // a full or refused storage: the clock still runs for this page
    }
  }
}
