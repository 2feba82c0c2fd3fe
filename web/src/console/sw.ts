// The console's service worker (/console/sw.js, built by web/build.mjs as rstat-console-sw.js): keeps the
// console's page and scripts on the device so that the installed app opens without a connection. What it
// keeps and how it answers is decided in offline/cache.ts; this file is the plumbing of the worker's events.
//
// The DOM library's types have no worker scope, and adding the WebWorker library beside DOM makes tsc
// report their overlap, so the few worker types used here are declared below.

import { bundlesOf, CACHE_NAME, cacheKey, LOADER, shellFiles, stale, strategyFor } from "./offline/cache.js";

interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}

interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(answer: Response | Promise<Response>): void;
}

interface WorkerScope {
  readonly location: Location;
  readonly caches: CacheStorage;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
}

declare const self: WorkerScope;

/** a network answer slower than this is given up for the cached copy (a phone on a weak signal) */
const NETWORK_TIMEOUT_MS = 5000;

async function fresh(path: string): Promise<Response> {
  // "reload": past the HTTP cache, which may hold a loader up to five minutes old
  const answer = await fetch(path, { cache: "reload", credentials: "same-origin" });
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return answer;
}

/** Keep the files of the current release: the shell's, then the bundles its loader imports. */
async function keepRelease(cache: Cache): Promise<void> {
  await Promise.all(shellFiles().map(async (path) => cache.put(path, await fresh(path))));
  await keepBundlesOf(cache);
}

async function keepBundlesOf(cache: Cache): Promise<string> {
  const loader = await cache.match(LOADER);
  const text = loader ? await loader.text() : "";
  for (const bundle of bundlesOf(text)) {
    if (!(await cache.match(bundle))) await cache.put(bundle, await fresh(bundle));
  }
  return text;
}

async function prune(cache: Cache): Promise<void> {
  const loader = await keepBundlesOf(cache);
  if (!loader) return;
  const paths = (await cache.keys()).map((request) => new URL(request.url).pathname);
  await Promise.all(stale(paths, loader).map((path) => cache.delete(path)));
}

function timeout(ms: number): Promise<never> {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error("the network is too slow")), ms));
}

async function networkFirst(event: FetchEvent, key: string): Promise<Response> {
  const cache = await self.caches.open(CACHE_NAME);
  try {
    const answer = await Promise.race([fetch(event.request), timeout(NETWORK_TIMEOUT_MS)]);
    if (answer.ok) {
      await cache.put(key, answer.clone());
      // a new loader names a new bundle: fetch it now, while there is a connection
      if (key === LOADER) event.waitUntil(prune(cache).catch(() => undefined));
    }
    return answer;
  } catch (error) {
    const kept = await cache.match(key, { ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request: Request, key: string): Promise<Response> {
  const cache = await self.caches.open(CACHE_NAME);
  const kept = await cache.match(key);
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(key, answer.clone());
  return answer;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    self.caches
      .open(CACHE_NAME)
      .then(keepRelease)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    self.caches
      .open(CACHE_NAME)
      .then(prune)
      .catch(() => undefined)
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const strategy = strategyFor(event.request.method, url, self.location.origin);
  if (strategy === "pass") return; // the API and anything else: the network, never a cache
  const key = cacheKey(url.pathname);
  event.respondWith(strategy === "cache-first" ? cacheFirst(event.request, key) : networkFirst(event, key));
});
