// The scorer's page's read-only parts: the header (teams, score, status, connection), the refusal that holds
// the outbox, and the list of entries, newest first, each with its state (sent, pending, conflict) and, for
// a refused one, what the scorer can do about it.

import { html, nothing, type TemplateResult } from "lit";
import { ApiError, OfflineError } from "../core/api.js";
import type { Connection } from "../offline/queue.js";
import type { Refusal } from "../offline/types.js";
import type { MatchContext } from "./data.js";
import type { Item, ScorerEntry } from "./entries.js";
import { type EventDraft, eventText, scoreOf, whenText } from "./model.js";

/** What went wrong, in words: the API's detail (and each refused field), or the lost connection. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Array.isArray(error.body.fields) ? (error.body.fields as { message?: unknown }[]) : [];
    const said = fields.map((f) => (typeof f?.message === "string" ? f.message : "")).filter(Boolean);
    return said.length ? `${error.detail}: ${said.join("; ")}` : error.detail;
  }
  if (error instanceof OfflineError) return "No connection to the server.";
  return error instanceof Error ? error.message : String(error);
}

/** A refusal kept with its entry, in words: the detail and what each refused field says. */
export function refusalText(refusal: Refusal): string {
  return errorText(new ApiError(refusal.status, refusal.code, refusal.detail, refusal.body));
}

export function header(context: MatchContext, protocol: EventDraft[], connection: Connection, waiting: number): TemplateResult {
  const { match, teams } = context;
  const score = scoreOf(protocol, match);
  const shootout = protocol.some((e) => e.kind === "shootout_attempt");
  return html`<header class="match">
    <div class="teams">
      <span class="name" data-team="home">${teams[match.home_team_id]?.name ?? "Home"}</span>
      <span class="score" aria-label=${`Score ${score.home} to ${score.away}`} aria-live="polite"
        ><span data-home-score>${score.home}</span>–<span data-away-score>${score.away}</span></span
      >
      <span class="name" data-team="away">${teams[match.away_team_id]?.name ?? "Away"}</span>
    </div>
    ${shootout ? html`<div class="shootout">Shoot-out ${score.shootout.home}–${score.shootout.away}</div>` : nothing}
    <div class="status-line">
      <span class="badge" data-status=${match.status}>${match.status}</span>
      <span class="badge" data-connection=${connection}
        >${connection === "online" ? "Online" : "Offline"}${waiting ? ` · ${waiting} waiting` : ""}</span
      >
    </div>
  </header>`;
}

/** The refusal that holds the outbox, said at the top of the page. */
export function conflictAlert(entries: readonly ScorerEntry[]): TemplateResult | typeof nothing {
  const conflict = entries.find((e) => e.state === "conflict");
  if (!conflict?.refusal) return nothing;
  const behind = entries.length - 1;
  return html`<div class="alert" role="alert" data-conflict=${conflict.refusal.rule ?? conflict.refusal.code}>
    <strong>Refused by the server:</strong> ${refusalText(conflict.refusal)}
    ${behind > 0 ? html`<br />${behind} later ${behind === 1 ? "entry waits" : "entries wait"} behind it.` : nothing}
  </div>`;
}

export interface Resolve {
  discard(entry: ScorerEntry): void;
  resend(entry: ScorerEntry): void;
  /** send again after setting the match live (the match was closed meanwhile) */
  reopen(entry: ScorerEntry): void;
}

export function entryList(context: MatchContext, items: readonly Item[], on: Resolve): TemplateResult {
  const newest = [...items].reverse();
  return html`<h2>Entries</h2>
    ${newest.length === 0 ? html`<p class="muted">Nothing entered yet.</p>` : nothing}
    <ul class="entries">
      ${newest.map((item) => entryLine(context, item, on))}
    </ul>`;
}

function entryLine(context: MatchContext, item: Item, on: Resolve): TemplateResult {
  const meta = item.entry?.meta;
  let when = "";
  let text = "";
  if (meta?.kind === "match") {
    text = meta.label;
  } else if (meta?.kind === "lineups") {
    const starters = meta.lineups.filter((l) => l.starter).length;
    const team = context.teams[meta.team_id]?.name ?? `team ${meta.team_id}`;
    text = `Line-up of ${team}: ${starters} starters, ${meta.lineups.length - starters} on the bench`;
  } else if (item.event) {
    when = whenText(context.sport, item.event);
    text = eventText(context.sport, item.event, context.players, context.teams);
    if (meta?.kind === "undo") text = `Undo: ${text}`;
  }
  const state = item.state === "sent" ? "sent" : item.state === "pending" ? "waiting to be sent" : "refused";
  return html`<li data-entry-state=${item.state} data-kind=${item.event?.kind ?? meta?.kind ?? ""} data-event-id=${item.row?.id ?? nothing}>
    <span class="when">${when}</span>
    <span class="what">${text}</span>
    <span class="state muted">${state}${item.refusal ? html`: ${refusalText(item.refusal)}` : nothing}</span>
    ${item.state === "conflict" && item.entry ? resolveButtons(item.entry, on) : nothing}
  </li>`;
}

function resolveButtons(entry: ScorerEntry, on: Resolve): TemplateResult {
  const closed = entry.refusal?.rule === "match_closed";
  return html`<span class="resolve">
    <button type="button" @click=${() => on.discard(entry)}>Discard</button>
    ${closed
      ? html`<button type="button" class="primary" @click=${() => on.reopen(entry)}>Reopen match and send</button>`
      : html`<button type="button" class="primary" @click=${() => on.resend(entry)}>Send again</button>`}
  </span>`;
}
