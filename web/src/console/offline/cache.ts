// The service worker's decisions, apart from its event plumbing so that they are unit-tested: which files make
// the console load without a connection, and how each request is answered.
//
// - the page, the stable loader (/console/rstat-console.js), the manifest and the icons: network first (a new
//   release shows at once when there is a connection), the cached copy when there is none;
// - a content-hashed bundle (/console/rstat-console.1A2B3C4D.js): cache first, since it never changes;
// - everything else, the API above all, is not touched: the worker never answers an API call from a cache
//   (a stale match would be worse than an honest "offline", and the outbox handles entries).

export const CACHE_NAME = "rstat-console";
export const PAGE = "/console/";
export const LOADER = "/console/rstat-console.js";
export const ASSETS = ["/console/manifest.webmanifest", "/console/icon.svg"] as const;

/** a bundle file as web/build.mjs names it: name, a dot, eight characters of hash, .js */
const HASHED = /^\/console\/[a-z][a-z0-9-]*\.[A-Z0-9]{8}\.js$/;
const LOADED = /import\s*["']\.\/([a-z][a-z0-9-]*\.[A-Z0-9]{8}\.js)["']/g;

export type Strategy = "network-first" | "cache-first" | "pass";

/** The hashed bundles a loader imports (`import "./rstat-console.1A2B3C4D.js";`), as console paths. */
export function bundlesOf(loader: string): string[] {
  return [...loader.matchAll(LOADED)].map((m) => `/console/${m[1]}`);
}

/** What the worker keeps at install, before any bundle: the loader's text names the bundles. */
export function shellFiles(): string[] {
  return [PAGE, LOADER, ...ASSETS];
}

/** The cache key of a console path: /console and /console/ are one page (the router ignores the slash). */
export function cacheKey(path: string): string {
  return path === "/console" ? PAGE : path;
}

/** How the worker answers a request (see the module's comment); `origin` is the worker's own. */
export function strategyFor(method: string, url: URL, origin: string): Strategy {
  if (method !== "GET" || url.origin !== origin) return "pass";
  const path = url.pathname;
  if (HASHED.test(path)) return "cache-first";
  if (path === "/console" || path === PAGE || path === LOADER || (ASSETS as readonly string[]).includes(path)) {
    return "network-first";
  }
  return "pass";
}

/** Cached paths that are neither the shell's files nor a bundle the current loader imports: old releases. */
export function stale(cached: string[], loader: string): string[] {
  const keep = new Set([...shellFiles(), ...bundlesOf(loader)]);
  return cached.filter((path) => !keep.has(path));
}
