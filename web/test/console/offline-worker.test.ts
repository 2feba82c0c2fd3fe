// The service worker's decisions: what it keeps for the console to load offline, and how it answers each
// request (never an API call from a cache); and the registration, which fails quietly where it cannot work.

import { describe, expect, it, vi } from "vitest";
import { bundlesOf, cacheKey, shellFiles, stale, strategyFor } from "../../src/console/offline/cache.js";
import { registerWorker } from "../../src/console/offline/worker.js";

const ORIGIN = "http://127.0.0.1:8402";
const url = (path: string): URL => new URL(path, ORIGIN);

describe("the console's service worker", () => {
  it("reads the hashed bundle from the loader's text", () => {
    expect(bundlesOf('import "./rstat-console.AB12CD34.js";\n')).toEqual(["/console/rstat-console.AB12CD34.js"]);
    expect(bundlesOf("export {};")).toEqual([]);
  });

  it("keeps the page, the loader, the manifest and the icon at install", () => {
    expect(shellFiles()).toEqual([
      "/console/",
      "/console/rstat-console.js",
      "/console/manifest.webmanifest",
      "/console/icon.svg",
    ]);
  });

  it("answers the page and the loader network first, hashed bundles from the cache first, and passes the rest", () => {
    expect(strategyFor("GET", url("/console/"), ORIGIN)).toBe("network-first");
    expect(strategyFor("GET", url("/console"), ORIGIN)).toBe("network-first");
    expect(strategyFor("GET", url("/console/rstat-console.js"), ORIGIN)).toBe("network-first");
    expect(strategyFor("GET", url("/console/manifest.webmanifest"), ORIGIN)).toBe("network-first");
    expect(strategyFor("GET", url("/console/rstat-console.AB12CD34.js"), ORIGIN)).toBe("cache-first");
    // the API is never answered from a cache, nor anything of another origin or method
    expect(strategyFor("GET", url("/v1/orgs/1/matches/7"), ORIGIN)).toBe("pass");
    expect(strategyFor("POST", url("/v1/orgs/1/match_events"), ORIGIN)).toBe("pass");
    expect(strategyFor("GET", new URL("http://127.0.0.1:8401/console/"), ORIGIN)).toBe("pass");
    expect(strategyFor("POST", url("/console/"), ORIGIN)).toBe("pass");
    expect(strategyFor("GET", url("/console/sw.js"), ORIGIN)).toBe("pass");
    expect(cacheKey("/console")).toBe("/console/");
  });

  it("forgets the bundles of older releases", () => {
    const cached = [...shellFiles(), "/console/rstat-console.OLD00000.js", "/console/rstat-console.NEW00000.js"];
    expect(stale(cached, 'import "./rstat-console.NEW00000.js";')).toEqual(["/console/rstat-console.OLD00000.js"]);
  });

  it("registers /console/sw.js for /console/, and goes on without it where it cannot", async () => {
    const register = vi.fn(() => Promise.resolve({} as ServiceWorkerRegistration));
    await registerWorker({ register } as unknown as ServiceWorkerContainer);
    expect(register).toHaveBeenCalledWith("/console/sw.js", { scope: "/console/", type: "classic" });
    expect(await registerWorker(undefined)).toBeNull();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const refused = { register: () => Promise.reject(new Error("insecure")) } as unknown as ServiceWorkerContainer;
    expect(await registerWorker(refused)).toBeNull();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
