// Names, numbers, dates and minutes as the widgets print them (dates in the visitor's locale and timezone).

import type { MatchEvent, PlayerName, Team } from "./types.js";

export function teamName(teams: Map<number, Team> | null, id: number, fallback?: string | null): string {
  return teams?.get(id)?.name ?? fallback ?? `#${id}`;
}

export function shortTeamName(teams: Map<number, Team> | null, id: number, fallback?: string | null): string {
  const team = teams?.get(id);
  return team?.short_name || team?.name || fallback || `#${id}`;
}

export function playerName(players: Map<number, PlayerName>, id: number | null | undefined): string {
  if (id === null || id === undefined) return "";
  const player = players.get(id);
  if (player === undefined) return `#${id}`;
  return [player.first_name, player.last_name].filter(Boolean).join(" ");
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `-${-n}` : "0";
}

/** Football: 45+2'. Hockey (elapsed seconds in the period): P2 07:05. */
export function minuteText(event: Pick<MatchEvent, "minute" | "stoppage" | "period" | "clock_seconds">): string {
  if (event.clock_seconds !== null && event.clock_seconds !== undefined) {
    const s = event.clock_seconds;
    return `P${event.period} ${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }
  if (event.minute === null || event.minute === undefined) return "";
  return event.stoppage ? `${event.minute}+${event.stoppage}'` : `${event.minute}'`;
}

const dateTimeFormat = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let found = dateTimeFormat.get(key);
  if (found === undefined) {
    found = new Intl.DateTimeFormat(undefined, options);
    dateTimeFormat.set(key, found);
  }
  return found;
}

export function kickoffTime(iso: string | null): string {
  if (!iso) return "";
  return formatter("time", { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function kickoffDate(iso: string | null): string {
  if (!iso) return "";
  return formatter("date", { weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(new Date(iso));
}

export function kickoffDateTime(iso: string | null): string {
  if (!iso) return "";
  return formatter("datetime", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(
    new Date(iso),
  );
}

/** A local calendar day key (YYYY-MM-DD in the visitor's timezone) for grouping by date. */
export function localDay(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export const STATUS_TEXT: Record<string, string> = {
  scheduled: "Scheduled",
  live: "Live",
  finished: "Full time",
  postponed: "Postponed",
  cancelled: "Cancelled",
  awarded: "Awarded",
};

export const DECIDED_TEXT: Record<string, string> = { OT: "after overtime", SO: "after shoot-out", AWD: "awarded" };
