import { describe, expect, it } from "vitest";
import { ApiError, HttpClient, authHeaders } from "../src/common/http.js";
import { FakeFetch } from "./fakes.js";

const BASE = "https://stats.example.org";

describe("HttpClient", () => {
  it("sends If-None-Match with the last ETag and reuses the cached body on 304", async () => {
    const fake = new FakeFetch({ "/v1/criteria": { body: { points: "points" }, etag: '"v1"' } });
    const http = new HttpClient(BASE, { kind: "api_key", value: "c1:s3cret" }, fake.fetch);
    const first = await http.get<Record<string, string>>("/v1/criteria");
    const second = await http.get<Record<string, string>>("/v1/criteria");
    expect(first).toEqual({ points: "points" });
    expect(second).toBe(first);
    expect(fake.requests[0].headers["If-None-Match"]).toBeUndefined();
    expect(fake.requests[1].headers["If-None-Match"]).toBe('"v1"');
  });

  it("takes the new body and ETag when the resource changed", async () => {
    let version = 1;
    const fake = new FakeFetch({ "/v1/x": () => ({ body: { version }, etag: `"e${version}"` }) });
    const http = new HttpClient(BASE, null, fake.fetch);
    expect(await http.get("/v1/x")).toEqual({ version: 1 });
    version = 2;
    expect(await http.get("/v1/x")).toEqual({ version: 2 });
    expect(fake.requests[1].headers["If-None-Match"]).toBe('"e1"');
    await http.get("/v1/x");
    expect(fake.requests[2].headers["If-None-Match"]).toBe('"e2"');
  });

  it("keys the cache by the whole URL, query included", async () => {
    const fake = new FakeFetch({
      "/v1/stages/7/standings?live=true": { body: ["live"], etag: '"L"' },
      "/v1/stages/7/standings?live=false": { body: ["final"], etag: '"F"' },
    });
    const http = new HttpClient(BASE, null, fake.fetch);
    expect(await http.get("/v1/stages/7/standings", { live: true })).toEqual(["live"]);
    expect(await http.get("/v1/stages/7/standings", { live: false })).toEqual(["final"]);
    expect(fake.requests[1].headers["If-None-Match"]).toBeUndefined();
  });

  it("shares one request between callers asking at the same time", async () => {
    const fake = new FakeFetch({ "/v1/teams": { body: { items: [] } } });
    const http = new HttpClient(BASE, null, fake.fetch);
    const [a, b] = await Promise.all([http.get("/v1/teams"), http.get("/v1/teams")]);
    expect(a).toBe(b);
    expect(fake.requests).toHaveLength(1);
  });

  it("parses the API's error body", async () => {
    const fake = new FakeFetch({
      "/v1/stages/7": { status: 401, body: { error: "unauthorized", detail: "unknown API key" } },
    });
    const http = new HttpClient(BASE, { kind: "api_key", value: "bad:key" }, fake.fetch);
    const error = await http.get("/v1/stages/7").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized", detail: "unknown API key", network: false });
  });

  it("names an error without a JSON body by its status, and reads Retry-After", async () => {
    const fake = new FakeFetch({ "/v1/x": () => ({ status: 429, headers: { "Retry-After": "7" } }) });
    fake.routes["/v1/y"] = { status: 502 };
    const http = new HttpClient(BASE, null, fake.fetch);
    await expect(http.get("/v1/x")).rejects.toMatchObject({ status: 429, code: "too_many_requests", retryAfterS: 7 });
    await expect(http.get("/v1/y")).rejects.toMatchObject({ status: 502, code: "server_error" });
  });

  it("turns a network failure into status 0", async () => {
    const fake = new FakeFetch();
    fake.down = true;
    const http = new HttpClient(BASE, null, fake.fetch);
    await expect(http.get("/v1/x")).rejects.toMatchObject({ status: 0, code: "network", network: true });
  });

  it("builds URLs under the base and drops empty parameters", () => {
    const http = new HttpClient("https://h.example/api/", null, new FakeFetch().fetch);
    expect(http.url("/v1/teams", { limit: 500, offset: 0, team: undefined, round: "" })).toBe(
      "https://h.example/api/v1/teams?limit=500&offset=0",
    );
  });
});

describe("credential headers", () => {
  it("sends an API key as X-API-Key and a token as a bearer", async () => {
    const fake = new FakeFetch({ "/v1/ping": { body: {} } });
    await new HttpClient(BASE, { kind: "api_key", value: "client:secret" }, fake.fetch).get("/v1/ping");
    await new HttpClient(BASE, { kind: "token", value: "tok.en" }, fake.fetch).get("/v1/ping");
    expect(fake.requests[0].headers["X-API-Key"]).toBe("client:secret");
    expect(fake.requests[0].headers.Authorization).toBeUndefined();
    expect(fake.requests[1].headers.Authorization).toBe("Bearer tok.en");
    expect(fake.requests[1].headers["X-API-Key"]).toBeUndefined();
  });

  it("sends nothing without a credential", () => {
    expect(authHeaders(null)).toEqual({});
  });
});
