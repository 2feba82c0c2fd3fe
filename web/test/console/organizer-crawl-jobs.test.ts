import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/console/core/api.js";
import type { AdminClient } from "../../src/console/core/api.js";
import type { Role } from "../../src/console/core/session.js";
import "../../src/console/organizer/crawl-jobs.js";
import { everyText, fieldErrors, parseArguments, summaryLines } from "../../src/console/organizer/crawl-words.js";
import { crawlRoutes, NHL_JOB, NHL_RUN } from "./crawl-history-fake.js";
import { appears, buttonNames, FakeServer, shadow, signedIn, text, type } from "./organizer-fake.js";

afterEach(() => {
  document.body.innerHTML = "";
  localStorage.clear();
});

type Page = HTMLElement & { updateComplete: Promise<unknown> };

async function mount(fake: FakeServer, role: Role): Promise<{ el: Page; root: ShadowRoot }> {
  const el = document.createElement("rsc-crawl-jobs") as Page & { client: AdminClient; org: number; orgRole: Role };
  Object.assign(el, { client: signedIn(fake, { "1": role }), org: 1, orgRole: role });
  document.body.append(el);
  await el.updateComplete;
  const root = shadow(el);
  await appears("tr[data-id='6'] .last-run .outcome-failed", root);
  return { el, root };
}

const click = async (el: Page, name: string): Promise<void> => {
  const root = shadow(el);
  const button = [...root.querySelectorAll("button")].find((b) => (b.getAttribute("aria-label") ?? text(b)) === name);
  if (!button) throw new Error(`no button ${name}: ${buttonNames(root).join(", ")}`);
  button.click();
  await el.updateComplete;
};

const submit = (root: ShadowRoot): void => {
  root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
};

describe("<rsc-crawl-jobs> list", () => {
  it("shows each job's spider, arguments, schedule, state and last run with its counts, drops and conflicts", async () => {
    const { root } = await mount(new FakeServer(crawlRoutes()), "viewer");
    const nhl = root.querySelector("tr[data-id='5']");
    expect(text(nhl?.querySelector("td.title"))).toBe("nhl");
    expect(text(nhl?.querySelector("td[data-label=Arguments]"))).toBe("season=20242025, date=2024-10-08");
    expect([...(nhl?.querySelector("td[data-label=Schedule]")?.children ?? [])].map(text)).toEqual(["every 10 min, live games followed", "time limit 1800 s"]);
    expect(text(nhl?.querySelector("td.state"))).toContain("enabled");
    const summary = [...(nhl?.querySelectorAll("dl.summary dt, dl.summary dd") ?? [])].map(text);
    expect(summary).toEqual([
      "Pages", "12 (failed: http_404 1)",
      "Items", "9",
      "Written", "7 matches (120 rows)",
      "Unchanged", "1",
      "Dropped", "3: no_score 2, unknown_team 1",
      "Conflicts with hand edits", "1",
    ]); // prettier-ignore
    expect(text(nhl?.querySelector("ul.conflicts li"))).toBe("nhl:2024020003 matches 2024020003: attendance: ours 5000, theirs 5100");
    expect(text(nhl?.querySelector(".outcome-succeeded"))).toBe("succeeded");
    const paused = root.querySelector("tr[data-id='6']");
    expect(paused?.getAttribute("data-enabled")).toBe("false");
    expect(text(paused?.querySelector("td.state"))).toBe("paused 2 failed runs in a row");
    expect(text(paused?.querySelector("pre.run-error"))).toBe("football-data: --season: 2399 is not a season");
  });

  it("gives a viewer the runs to read and no button the API would refuse", async () => {
    const { root } = await mount(new FakeServer(crawlRoutes()), "viewer");
    expect(buttonNames(root)).toEqual(["Runs of crawl job 5 (nhl)", "Runs of crawl job 6 (football-data)"]);
  });

  it("gives an editor create, edit, pause or resume, run now and delete", async () => {
    const { root } = await mount(new FakeServer(crawlRoutes()), "editor");
    expect(buttonNames(root)).toEqual([
      "New crawl job",
      "Runs of crawl job 5 (nhl)", "Run crawl job 5 (nhl) now", "Pause crawl job 5 (nhl)", "Edit crawl job 5 (nhl)", "Delete crawl job 5 (nhl)",
      "Runs of crawl job 6 (football-data)", "Resume crawl job 6 (football-data)", "Edit crawl job 6 (football-data)", "Delete crawl job 6 (football-data)",
    ]); // prettier-ignore
  });

  it("pages through a job's earlier runs", async () => {
    const fake = new FakeServer(crawlRoutes());
    const { el, root } = await mount(fake, "viewer");
    await click(el, "Runs of crawl job 5 (nhl)");
    await vi.waitFor(() => expect(root.querySelectorAll("ul.runs li[data-run]")).toHaveLength(10));
    expect(text(root.querySelector("tr.runs .pager"))).toContain("1–10 of 23");
    await click(el, "Older runs");
    await vi.waitFor(() => expect(text(root.querySelector("tr.runs .pager"))).toContain("11–20 of 23"));
    const asked = fake.calls("GET", "/v1/orgs/1/crawl_jobs/5/runs").map((s) => s.url.search);
    expect(asked).toContain("?limit=10&offset=10");
    expect(root.querySelector("ul.runs li[data-run]")?.getAttribute("data-run")).toBe(String(NHL_RUN.id - 10));
  });
});

describe("<rsc-crawl-jobs> changes", () => {
  it("creates a job with the fields the API takes", async () => {
    const fake = new FakeServer({
      ...crawlRoutes(),
      "POST /v1/orgs/1/crawl_jobs": (sent) => ({ status: 201, body: { ...NHL_JOB, id: 9, ...(sent.body as object) } }),
    });
    const { el, root } = await mount(fake, "editor");
    await click(el, "New crawl job");
    (root.querySelector("#cj-spider") as HTMLSelectElement).value = "nhl";
    type(root.querySelector("#cj-arguments"), "season=20242025\n\n date = 2024-10-08 ");
    type(root.querySelector("#cj-every_s"), "600");
    (root.querySelector("#cj-live") as HTMLInputElement).checked = true;
    submit(root);
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toContain("The crawl job is created"));
    expect(fake.calls("POST", "/v1/orgs/1/crawl_jobs")[0].body).toEqual({
      spider: "nhl",
      arguments: { season: "20242025", date: "2024-10-08" },
      every_s: 600,
      live: true,
      enabled: true,
    });
    expect(root.querySelector("form")).toBeNull();
  });

  it("shows the API's 422 reasons next to the fields they are about", async () => {
    let answer = 0;
    const fake = new FakeServer({
      ...crawlRoutes(),
      "POST /v1/orgs/1/crawl_jobs": () =>
        ++answer === 1
          ? {
              status: 422,
              body: { error: "invalid", detail: "the request is not valid", fields: [{ message: "Expected `int` >= 1", key: "every_s", source: "body" }] },
            }
          : {
              status: 422,
              body: {
                error: "invalid",
                detail: 'new row for relation "crawl_jobs" violates check constraint "crawl_jobs_live_nhl_only"',
                rule: "crawl_jobs_live_nhl_only",
              },
            },
    });
    const { el, root } = await mount(fake, "editor");
    await click(el, "New crawl job");
    type(root.querySelector("#cj-every_s"), "0");
    submit(root);
    const every = await appears("#cj-every_s-error", root);
    expect(text(every)).toBe("Expected `int` >= 1");
    expect(every.closest(".field")?.querySelector("input")?.id).toBe("cj-every_s");
    expect(root.querySelector("#cj-every_s")?.getAttribute("aria-invalid")).toBe("true");
    expect(root.querySelector("#cj-every_s")?.getAttribute("aria-describedby")).toContain("cj-every_s-error");
    // the table's rule, named by the API, next to the box it is about
    (root.querySelector("#cj-spider") as HTMLSelectElement).value = "fbref";
    (root.querySelector("#cj-live") as HTMLInputElement).checked = true;
    type(root.querySelector("#cj-every_s"), "");
    submit(root);
    const live = await appears("#cj-live-error", root);
    expect(text(live)).toBe("only NHL games are followed live: untick it, or choose the nhl spider");
    expect(root.querySelector("#cj-every_s-error")).toBeNull();
    expect(fake.calls("POST", "/v1/orgs/1/crawl_jobs")[1].body).toMatchObject({ spider: "fbref", live: true });
  });

  it("says a line of arguments it cannot read before sending anything", async () => {
    const fake = new FakeServer(crawlRoutes());
    const { el, root } = await mount(fake, "editor");
    await click(el, "New crawl job");
    type(root.querySelector("#cj-arguments"), "season=2324\nE0");
    submit(root);
    expect(text(await appears("#cj-arguments-error", root))).toBe("line 2 (E0): write name=value, e.g. season=20242025");
    expect(fake.calls("POST", "/v1/orgs/1/crawl_jobs")).toEqual([]);
  });

  it("sends only what an edit changed", async () => {
    const fake = new FakeServer({ ...crawlRoutes(), "PATCH /v1/orgs/1/crawl_jobs/5": { body: NHL_JOB } });
    const { el, root } = await mount(fake, "owner");
    await click(el, "Edit crawl job 5 (nhl)");
    expect((root.querySelector("#cj-arguments") as HTMLTextAreaElement).value).toBe("season=20242025\ndate=2024-10-08");
    expect((root.querySelector("#cj-every_s") as HTMLInputElement).value).toBe("600");
    type(root.querySelector("#cj-arguments"), "season=20242025\ndate=2024-10-09");
    submit(root);
    await vi.waitFor(() => expect(fake.calls("PATCH", "/v1/orgs/1/crawl_jobs/5")).toHaveLength(1));
    expect(fake.calls("PATCH", "/v1/orgs/1/crawl_jobs/5")[0].body).toEqual({ arguments: { season: "20242025", date: "2024-10-09" } });
  });

  it("pauses, resumes and runs a job now", async () => {
    const fake = new FakeServer({
      ...crawlRoutes(),
      "PATCH /v1/orgs/1/crawl_jobs/5": { body: NHL_JOB },
      "PATCH /v1/orgs/1/crawl_jobs/6": { body: NHL_JOB },
    });
    const { el, root } = await mount(fake, "editor");
    await click(el, "Pause crawl job 5 (nhl)");
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toBe("Paused crawl job 5 (nhl)."));
    await click(el, "Resume crawl job 6 (football-data)");
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toBe("Resumed crawl job 6 (football-data)."));
    await click(el, "Run crawl job 5 (nhl) now");
    await vi.waitFor(() => expect(fake.calls("PATCH", "/v1/orgs/1/crawl_jobs/5")).toHaveLength(2));
    const [pause, run] = fake.calls("PATCH", "/v1/orgs/1/crawl_jobs/5").map((s) => s.body as Record<string, unknown>);
    expect(pause).toEqual({ enabled: false });
    expect(fake.calls("PATCH", "/v1/orgs/1/crawl_jobs/6")[0].body).toEqual({ enabled: true });
    expect(Object.keys(run)).toEqual(["next_run_at"]);
    expect(Number.isNaN(Date.parse(String(run.next_run_at)))).toBe(false);
  });

  it("deletes a job only once confirmed, and says a refusal in its row", async () => {
    const fake = new FakeServer({
      ...crawlRoutes(),
      "DELETE /v1/orgs/1/crawl_jobs/5": { status: 204 },
      "DELETE /v1/orgs/1/crawl_jobs/6": { status: 403, body: { error: "forbidden", detail: "your role (viewer) cannot do this" } },
    });
    const { el, root } = await mount(fake, "editor");
    await click(el, "Delete crawl job 5 (nhl)");
    expect(fake.calls("DELETE", "/v1/orgs/1/crawl_jobs/5")).toEqual([]);
    expect(text(root.querySelector("tr[data-id='5'] td.actions"))).toContain("Delete crawl job 5 (nhl) and its runs?");
    await click(el, "Yes, delete");
    await vi.waitFor(() => expect(text(root.querySelector("[role=status]"))).toBe("Deleted crawl job 5 (nhl)."));
    expect(fake.calls("DELETE", "/v1/orgs/1/crawl_jobs/5")).toHaveLength(1);
    await click(el, "Delete crawl job 6 (football-data)");
    await click(el, "Yes, delete");
    await vi.waitFor(() => expect(text(root.querySelector("tr.bad [role=alert]"))).toBe("your role (viewer) cannot do this"));
  });
});

describe("crawl job helpers", () => {
  it("reads arguments as name=value lines", () => {
    expect(parseArguments("season=2324\n division = E0 \n\nurl=http://x/?a=b")).toEqual({
      values: { season: "2324", division: "E0", url: "http://x/?a=b" },
      problem: null,
    });
    expect(parseArguments("=x").problem).toBe("line 1 (=x): write name=value, e.g. season=20242025");
  });

  it("says a schedule in words", () => {
    expect([86_400, 172_800, 21_600, 600, 45, 90].map(everyText)).toEqual(["every day", "every 2 days", "every 6 h", "every 10 min", "every 45 s", "every 90 s"]);
  });

  it("says only what a summary has", () => {
    expect(summaryLines({})).toEqual([]);
    expect(summaryLines({ items: 2, written: 2 })).toEqual([
      ["Items", "2"],
      ["Written", "2 matches"],
    ]);
    expect(summaryLines({ dropped: {} })).toEqual([["Dropped", "0"]]);
  });

  it("puts a refusal on the field it names, and anything else on the form", () => {
    const refusal = (body: Record<string, unknown>): ApiError => new ApiError(422, "invalid", String(body.detail), body);
    expect(fieldErrors(refusal({ detail: "the request is not valid", fields: [{ key: "arguments[...]", message: "Expected `bool | int | str`, got `array`" }] }), "x")).toEqual({
      arguments: "Expected `bool | int | str`, got `array`",
      form: "the request is not valid",
    });
    expect(fieldErrors(refusal({ detail: "violates check constraint", rule: "crawl_jobs_every_s_check" }), "x")).toEqual({ every_s: "violates check constraint" });
    expect(fieldErrors(new Error("offline"), "cannot reach the server")).toEqual({ form: "cannot reach the server" });
  });
});
