// Registers the console's service worker (web/src/console/sw.ts, served as /console/sw.js), which keeps the
// page and its script on the device so that the console opens without a connection. Called once by the
// console's entry module; a browser without service workers (or a page not served over https/localhost)
// simply goes on without offline loading, and says nothing: the outbox works without the worker.

export const WORKER_URL = "/console/sw.js";
export const WORKER_SCOPE = "/console/";

export async function registerWorker(
  container: ServiceWorkerContainer | undefined = typeof navigator === "undefined" ? undefined : navigator.serviceWorker,
): Promise<ServiceWorkerRegistration | null> {
  if (container === undefined) return null;
  try {
    return await container.register(WORKER_URL, { scope: WORKER_SCOPE, type: "classic" });
  } catch (error) {
    console.warn("rstat console: the service worker was not registered; the page will not load offline", error);
    return null;
  }
}
