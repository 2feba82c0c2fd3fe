import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/console/core/api.js";
import { ImportParseError, parseCsvRecords, parseImport, reportOf, separatorOf, toObjects } from "../../src/console/organizer/csv.js";

describe("CSV", () => {
  it("reads quotes, doubled quotes, separators and line breaks inside quotes", () => {
    const text = 'name,short_name\r\n"Lions, North","The ""Big"" Cats"\n"Two\nlines",x\n\n';
    expect(parseCsvRecords(text)).toEqual([
      ["name", "short_name"],
      ["Lions, North", 'The "Big" Cats'],
      ["Two\nlines", "x"],
    ]);
  });

  it("finds the separator a spreadsheet used", () => {
    expect(separatorOf("name;short_name;code")).toBe(";");
    expect(separatorOf("name\tcode")).toBe("\t");
    expect(separatorOf("name,code")).toBe(",");
    expect(separatorOf("name")).toBe(",");
  });

  it("refuses an unclosed quote in words", () => {
    expect(() => parseCsvRecords('name\n"Lions')).toThrow(ImportParseError);
  });
});

describe("import tables", () => {
  it("makes a table of a CSV text (a BOM and blank cells included)", () => {
    const table = parseImport("\uFEFFname;short_name;code\nNorth Lions;Lions;NLI\nSouth Tigers;;\n");
    expect(table).toEqual({
      columns: ["name", "short_name", "code"],
      rows: [
        ["North Lions", "Lions", "NLI"],
        ["South Tigers", "", ""],
      ],
    });
    // an empty cell is left out: the field keeps its default
    expect(toObjects(table)).toEqual([{ name: "North Lions", short_name: "Lions", code: "NLI" }, { name: "South Tigers" }]);
  });

  it("makes a table of a JSON array, every key a column", () => {
    const table = parseImport('[{"last_name": "Berg", "birth_date": null}, {"last_name": "Lund", "first_name": "Ola", "number": 7}]');
    expect(table.columns).toEqual(["last_name", "birth_date", "first_name", "number"]);
    expect(table.rows).toEqual([
      ["Berg", "", "", ""],
      ["Lund", "", "Ola", "7"],
    ]);
  });

  it("says what is wrong with a text that is not rows", () => {
    expect(() => parseImport("   ")).toThrow("nothing to import");
    expect(() => parseImport("[1, 2]")).toThrow("array of objects");
    expect(() => parseImport("[{")).toThrow("the JSON is not valid");
    expect(() => parseImport("name,code")).toThrow("only a header line");
    expect(() => parseImport("name,\nx,y")).toThrow("name every column");
    expect(() => parseImport("name\nLions,LIO")).toThrow("row 1 has 2 values, the header names 1 columns");
  });

  it("maps the import route's report to the rows it names", () => {
    const refusal = new ApiError(422, "invalid", "2 of 6 rows are not valid; nothing was imported", {
      rows: [
        { row: 4, detail: "Expected `str`, got `null` - at `$.name`" },
        { row: 6, detail: 'duplicate key value violates unique constraint "teams_org_id_name_key"' },
        { row: 6, detail: "and another thing" },
        { detail: "no row number" },
      ],
    });
    const report = reportOf(refusal);
    expect([...report.keys()]).toEqual([4, 6]);
    expect(report.get(4)).toContain("$.name");
    expect(report.get(6)).toContain("; and another thing");
    expect(reportOf(new Error("network")).size).toBe(0);
  });
});
