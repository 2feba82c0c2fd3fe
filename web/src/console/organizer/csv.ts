// Rows to import, from what an organizer pastes or uploads: CSV (the first line names the fields; comma,
// semicolon or tab between values, quotes as spreadsheets write them) or a JSON array of objects. Both become
// one editable table of text cells, sent as JSON objects (the API converts "12" to a number itself), so the
// row numbers of the API's report (data rows from 1) are the table's rows.

import { ApiError } from "../core/api.js";

export interface ImportTable {
  columns: string[];
  /** one text cell per column */
  rows: string[][];
}

export class ImportParseError extends Error {}

/** The separator a CSV text uses: the most frequent of comma, semicolon and tab on its first line. */
export function separatorOf(firstLine: string): string {
  const counts = [",", ";", "\t"].map((s) => [s, firstLine.split(s).length - 1] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

/** CSV records: quoted fields may hold separators, doubled quotes and line breaks. */
export function parseCsvRecords(text: string, separator = ","): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = (): void => {
    record.push(field);
    field = "";
  };
  const endRecord = (): void => {
    endField();
    if (record.length > 1 || record[0] !== "") records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === separator) endField();
    else if (ch === "\n" || ch === "\r") {
      endRecord();
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
    } else field += ch;
    i += 1;
  }
  if (quoted) throw new ImportParseError("a quoted value is not closed (a \" is missing)");
  if (field !== "" || record.length > 0) endRecord();
  return records;
}

function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The table of a pasted or uploaded text: JSON when it starts with "[", CSV otherwise. */
export function parseImport(input: string): ImportTable {
  const text = input.replace(/^\uFEFF/, "").trim();
  if (text === "") throw new ImportParseError("nothing to import: paste rows or choose a file");
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ImportParseError(`the JSON is not valid: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
      throw new ImportParseError("the JSON must be an array of objects, one per row");
    }
    const objects = parsed as Record<string, unknown>[];
    const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    return { columns, rows: objects.map((o) => columns.map((c) => cellOf(o[c]))) };
  }
  const records = parseCsvRecords(text, separatorOf(text.split(/\r?\n/, 1)[0]));
  const [header, ...rows] = records;
  const columns = header.map((name) => name.trim());
  if (columns.some((c) => c === "")) throw new ImportParseError("the first line must name every column (one is empty)");
  if (rows.length === 0) throw new ImportParseError("only a header line: add one line per row below it");
  rows.forEach((row, i) => {
    if (row.length > columns.length) {
      throw new ImportParseError(`row ${i + 1} has ${row.length} values, the header names ${columns.length} columns`);
    }
  });
  return { columns, rows: rows.map((row) => columns.map((_c, i) => (row[i] ?? "").trim())) };
}

/** The rows as the API's JSON: each row's filled cells (an empty cell leaves the field to its default). */
export function toObjects(table: ImportTable): Record<string, string>[] {
  return table.rows.map((row) => {
    const object: Record<string, string> = {};
    table.columns.forEach((column, i) => {
      const value = row[i]?.trim() ?? "";
      if (value !== "") object[column] = value;
    });
    return object;
  });
}

/** The import route's report: row number (data rows from 1) -> what is wrong with it. */
export function reportOf(error: unknown): Map<number, string> {
  const report = new Map<number, string>();
  if (!(error instanceof ApiError) || !Array.isArray(error.body.rows)) return report;
  for (const item of error.body.rows as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { row, detail } = item as { row?: unknown; detail?: unknown };
    if (typeof row !== "number") continue;
    const said = typeof detail === "string" ? detail : "not valid";
    report.set(row, report.has(row) ? `${report.get(row) ?? ""}; ${said}` : said);
  }
  return report;
}
