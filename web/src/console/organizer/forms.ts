// Forms described as data: the organizer's pages declare their fields once, and these helpers render what a
// field needs (an input, a select), read a submitted form into the API's JSON (numbers as numbers, a local
// date-time as an instant, an emptied field as null), and put an API error into words.

import { html, type TemplateResult } from "lit";
import { ifDefined } from "lit/directives/if-defined.js";
import { ApiError, OfflineError } from "../core/api.js";

export type FieldKind = "text" | "number" | "date" | "datetime" | "select" | "ref" | "checkbox";

/** Resources whose rows a field may point to (a select of their names). */
export type RefKind = "teams" | "players" | "venues" | "competitions";

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  /** select: the values (and their labels, if they differ) */
  options?: readonly (string | readonly [string, string])[];
  ref?: RefKind;
  hint?: string;
  pattern?: string;
  min?: number;
  max?: number;
  /** NOT NULL with a default in the table: an emptied field is sent as "" instead of null */
  blank?: boolean;
  /** not shown in the list's columns */
  hidden?: boolean;
}

export type Row = Record<string, unknown> & { id: number };
export type Body = Record<string, unknown>;

/** What an error says, in words: the API's detail and, for a refused body, what is wrong with each field. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Array.isArray(error.body.fields) ? (error.body.fields as unknown[]) : [];
    const said = fields
      .map((f) => (typeof f === "object" && f !== null && "message" in f ? String((f as { message: unknown }).message) : ""))
      .filter(Boolean);
    return said.length > 0 ? `${error.detail}: ${said.join("; ")}` : error.detail;
  }
  if (error instanceof OfflineError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The session is over (the API said 401): the shell takes the user back to the sign-in form. */
export const isSessionEnd = (error: unknown): boolean => error instanceof ApiError && error.status === 401;

/** A date-time input's value (local time) as an instant, or null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An instant as a date-time input's value, in the browser's time zone. */
export function isoToLocal(value: unknown): string {
  if (typeof value !== "string" || !value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** An instant for people: "5 Sept 2026, 16:00" in the browser's time zone. */
export function formatWhen(value: unknown): string {
  if (typeof value !== "string" || !value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

function fieldValue(field: FieldSpec, form: HTMLFormElement): unknown {
  const input = form.elements.namedItem(field.name) as HTMLInputElement | HTMLSelectElement | null;
  if (input === null) return undefined;
  if (field.kind === "checkbox") return (input as HTMLInputElement).checked;
  const text = input.value.trim();
  if (text === "") return field.blank ? "" : null;
  if (field.kind === "number" || field.kind === "ref") return Number(text);
  if (field.kind === "datetime") return localToIso(text);
  return text;
}

/** The body of a create: every filled field (empty ones left to the table's defaults). */
export function createBody(fields: readonly FieldSpec[], form: HTMLFormElement): Body {
  const body: Body = {};
  for (const field of fields) {
    const value = fieldValue(field, form);
    if (value !== undefined && value !== null && value !== "") body[field.name] = value;
  }
  return body;
}

/** The body of an update: only what changed from `row` (an emptied field as null, or "" where blank). */
export function updateBody(fields: readonly FieldSpec[], form: HTMLFormElement, row: Row): Body {
  const body: Body = {};
  for (const field of fields) {
    const value = fieldValue(field, form);
    if (value === undefined) continue;
    const before = row[field.name] ?? (field.blank ? "" : null);
    const same = field.kind === "datetime" ? isoToLocal(before) === isoToLocal(value) : before === value;
    if (!same) body[field.name] = value;
  }
  return body;
}

const optionOf = (option: string | readonly [string, string]): readonly [string, string] =>
  typeof option === "string" ? [option, option] : option;

/** One labelled input for `field`, filled with `value`; `choices` are the rows a ref field may name. */
export function renderField(
  field: FieldSpec,
  value: unknown,
  choices: readonly (readonly [number, string])[] = [],
  prefix = "f",
): TemplateResult {
  const id = `${prefix}-${field.name}`;
  const hint = field.hint ? html`<small id=${`${id}-hint`}>${field.hint}</small>` : "";
  const described = field.hint ? `${id}-hint` : undefined;
  if (field.kind === "checkbox") {
    return html`<div class="field check">
      <input id=${id} name=${field.name} type="checkbox" ?checked=${value === true} aria-describedby=${ifDefined(described)} />
      <label for=${id}>${field.label}</label>${hint}
    </div>`;
  }
  const label = html`<label for=${id}>${field.label}${field.required ? "" : html` <span class="opt">(optional)</span>`}</label>`;
  if (field.kind === "select" || field.kind === "ref") {
    const options =
      field.kind === "ref" ? choices.map(([v, l]) => [String(v), l] as const) : (field.options ?? []).map(optionOf);
    const current = value === null || value === undefined ? "" : String(value);
    return html`<div class="field">
      ${label}
      <select id=${id} name=${field.name} ?required=${field.required} aria-describedby=${ifDefined(described)}>
        ${field.required && current !== "" ? "" : html`<option value="" ?selected=${current === ""}>—</option>`}
        ${options.map(([v, l]) => html`<option value=${v} ?selected=${v === current}>${l}</option>`)}
      </select>
      ${hint}
    </div>`;
  }
  const type = { text: "text", number: "number", date: "date", datetime: "datetime-local" }[field.kind];
  const shown = field.kind === "datetime" ? isoToLocal(value) : value === null || value === undefined ? "" : String(value);
  return html`<div class="field">
    ${label}
    <input
      id=${id}
      name=${field.name}
      type=${type}
      .value=${shown}
      ?required=${field.required}
      pattern=${ifDefined(field.pattern)}
      min=${ifDefined(field.min)}
      max=${ifDefined(field.max)}
      aria-describedby=${ifDefined(described)}
    />
    ${hint}
  </div>`;
}
