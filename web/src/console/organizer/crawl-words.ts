// Crawl jobs and their runs in words, apart from the page (crawl-jobs.ts): the rows as the admin API answers
// them, each spider's arguments with their help, a schedule and a run's summary for people, and a refused
// form's reasons put on the fields they are about.

import { ApiError } from "../core/api.js";

export type ArgumentValue = string | number | boolean;

export interface CrawlJob {
  id: number;
  org_id: number;
  spider: string;
  arguments: Record<string, ArgumentValue>;
  every_s: number;
  timeout_s: number;
  enabled: boolean;
  live: boolean;
  next_run_at: string;
  failures: number;
  created_at: string;
}

export interface CrawlRun {
  id: number;
  job_id: number;
  started_at: string;
  ended_at: string | null;
  /** running, succeeded, failed, timed_out */
  outcome: string;
  /** the crawl's summary (crawlers/summary.py): pages, items, written, unchanged, dropped by reason, conflicts */
  summary: Record<string, unknown>;
  error: string | null;
}

/** The spiders the crawl_jobs table accepts, and each one's arguments with their help (crawlers/arguments.py;
 * the API accepts any lower-case name and the run checks them: a bad one fails the run, and its error says why). */
export const SPIDERS: Record<string, { label: string; arguments: readonly (readonly [string, string])[] }> = {
  nhl: {
    label: "NHL web API",
    arguments: [
      ["season", "20242025 for 2024-25 (required)"],
      ["date", "the games of this day (YYYY-MM-DD)"],
      ["team", "the games of this team's season (SEA, STL, ...)"],
      ["game", "one game, by its NHL id (2024020003)"],
      ["url", "a mirror of the API"],
    ],
  },
  "football-data": {
    label: "football-data.co.uk",
    arguments: [
      ["season", "as the site names it: 2324 for 2023/24 (required)"],
      ["division", "E0 Premier League, E1, SP1, D1, I1, F1, ... (default E0)"],
      ["fixtures", "also read the fixtures: true or false (default true)"],
      ["url", "a mirror of the site"],
    ],
  },
  openfootball: {
    label: "openfootball (CC0)",
    arguments: [
      ["season", "season folder: 2023-24, or 2018 for the World Cup (required)"],
      ["league", "en.1, de.1, es.1, ... or worldcup (default en.1)"],
      ["txt", "URL of the Football.TXT protocols"],
      ["timezone", "of kick-offs written without one (default UTC)"],
      ["regulation", "preset of the stages created (default football)"],
      ["url", "a mirror of the files"],
    ],
  },
  fbref: {
    label: "FBref",
    arguments: [
      ["competition", "the competition's FBref id (with season)"],
      ["season", "the season, as FBref names it (with competition)"],
      ["pages", "saved pages to read instead"],
      ["url", "a mirror of the site"],
    ],
  },
};

export const OUTCOMES: Record<string, string> = {
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  timed_out: "timed out",
};

/** The form's fields, in the API's names (the errors the API names are shown next to these). */
export const JOB_FIELDS = ["spider", "arguments", "every_s", "timeout_s", "live", "enabled", "next_run_at"] as const;
export type JobField = (typeof JOB_FIELDS)[number];

/** A job's arguments as the form's text: one `name=value` a line. */
export function argumentsText(args: Record<string, ArgumentValue>): string {
  return Object.entries(args)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join("\n");
}

/** The form's text as arguments (values as written: the run converts them); a line without `=` is a problem. */
export function parseArguments(text: string): { values: Record<string, string>; problem: string | null } {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf("=");
    if (at <= 0) return { values, problem: `line ${i + 1} (${line}): write name=value, e.g. season=20242025` };
    values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { values, problem: null };
}

/** A number of seconds in words: "every day", "every 6 h", "every 10 min", "every 45 s". */
export function everyText(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "h"],
    [60, "min"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return unit === "day" ? (n === 1 ? "every day" : `every ${n} days`) : `every ${n} ${unit}`;
    }
  }
  return `every ${seconds} s`;
}

const count = (value: unknown): number => (typeof value === "number" ? value : 0);
const counts = (value: unknown): [string, number][] =>
  typeof value === "object" && value !== null
    ? Object.entries(value as Record<string, unknown>)
        .map(([k, v]): [string, number] => [k, count(v)])
        .sort((a, b) => a[0].localeCompare(b[0]))
    : [];
const listed = (pairs: [string, number][]): string => pairs.map(([k, v]) => `${k} ${v}`).join(", ");

/** A run's summary for people: [label, value] lines (only what the summary has). */
export function summaryLines(summary: Record<string, unknown>): [string, string][] {
  const lines: [string, string][] = [];
  if ("pages" in summary) {
    const failed = counts(summary.pages_failed);
    const extra = [
      failed.length ? `failed: ${listed(failed)}` : "",
      count(summary.robots_forbidden) ? `forbidden by robots.txt: ${count(summary.robots_forbidden)}` : "",
      count(summary.retried) ? `retried: ${count(summary.retried)}` : "",
    ].filter(Boolean);
    lines.push(["Pages", `${count(summary.pages)}${extra.length ? ` (${extra.join("; ")})` : ""}`]);
  }
  if ("items" in summary) lines.push(["Items", String(count(summary.items))]);
  if ("written" in summary) lines.push(["Written", `${count(summary.written)} matches${"rows" in summary ? ` (${count(summary.rows)} rows)` : ""}`]);
  if ("unchanged" in summary) lines.push(["Unchanged", String(count(summary.unchanged))]);
  if ("dropped" in summary) {
    const dropped = counts(summary.dropped);
    const total = dropped.reduce((sum, [, n]) => sum + n, 0);
    lines.push(["Dropped", dropped.length ? `${total}: ${listed(dropped)}` : "0"]);
  }
  if ("conflicts" in summary) lines.push(["Conflicts with hand edits", String(conflictsOf(summary).length)]);
  return lines;
}

export interface Conflict {
  match: string;
  table: string;
  key: string;
  field: string;
  ours: unknown;
  theirs: unknown;
}

export function conflictsOf(summary: Record<string, unknown>): Conflict[] {
  return Array.isArray(summary.conflicts) ? (summary.conflicts as Conflict[]) : [];
}

/** A conflict in words: "nhl:2024020003 matches 2024020003: attendance: ours 5000, theirs 5100". */
export const conflictText = (c: Conflict): string =>
  `${c.match} ${c.table} ${c.key}: ${c.field}: ours ${JSON.stringify(c.ours)}, theirs ${JSON.stringify(c.theirs)}`;

/** What a refused form is about, field by field: the API's 422 names a body field (`fields[].key`, e.g.
 * `every_s` or `arguments[...]`) or a table rule (`crawl_jobs_live_nhl_only`); the rest is `form`. */
export function fieldErrors(error: unknown, fallback: string): Partial<Record<JobField | "form", string>> {
  if (!(error instanceof ApiError)) return { form: fallback };
  const found: Partial<Record<JobField | "form", string>> = {};
  const fields = Array.isArray(error.body.fields) ? (error.body.fields as unknown[]) : [];
  for (const item of fields) {
    if (typeof item !== "object" || item === null) continue;
    const { key, message } = item as { key?: unknown; message?: unknown };
    const name = typeof key === "string" ? (/^[a-z_]+/.exec(key)?.[0] ?? "") : "";
    const target: JobField | "form" = (JOB_FIELDS as readonly string[]).includes(name) ? (name as JobField) : "form";
    const text = String(message ?? "");
    found[target] = found[target] ? `${found[target]}; ${text}` : text;
  }
  const rule = error.rule;
  if (rule === "crawl_jobs_live_nhl_only") {
    found.live = "only NHL games are followed live: untick it, or choose the nhl spider";
  } else if (rule) {
    const named = JOB_FIELDS.find((f) => rule.startsWith(`crawl_jobs_${f}`));
    found[named ?? "form"] = error.detail;
  }
  if (Object.keys(found).length === 0 || (fields.length > 0 && !found.form)) found.form = error.detail;
  return found;
}
