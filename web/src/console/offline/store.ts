// The console's storage on the device (IndexedDB): the outbox of entries not yet accepted by the server, and
// the last known state of each match a scorer opened, so that the page reloaded without a connection shows
// the match and its entries. IndexedDB rather than localStorage: it survives as long, holds more, and a write
// is committed (or not) as a whole, so an entry is never half stored.

import type { Entry } from "./types.js";

export const DB_NAME = "rstat-console";
const DB_VERSION = 1;
const OUTBOX = "outbox";
const SNAPSHOTS = "snapshots";

/** Where the outbox keeps its entries: IndexedDB in the browser, a Map in some tests. */
export interface EntryStore {
  /** the entries of one scope (a match), in the order they were made */
  list(scope: string): Promise<Entry[]>;
  put(entry: Entry): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Where the scorer keeps the last known state of a match (any JSON value). */
export interface SnapshotStore {
  load<T>(scope: string): Promise<T | undefined>;
  save(scope: string, value: unknown): Promise<void>;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export function openDatabase(factory: IDBFactory = indexedDB, name: string = DB_NAME): Promise<IDBDatabase> {
  const request = factory.open(name, DB_VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(OUTBOX)) {
      db.createObjectStore(OUTBOX, { keyPath: "id" }).createIndex("scope", "scope");
    }
    if (!db.objectStoreNames.contains(SNAPSHOTS)) db.createObjectStore(SNAPSHOTS);
  };
  return done(request);
}

export class IdbStore implements EntryStore, SnapshotStore {
  constructor(readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB, name: string = DB_NAME): Promise<IdbStore> {
    return new IdbStore(await openDatabase(factory, name));
  }

  async list(scope: string): Promise<Entry[]> {
    const tx = this.db.transaction(OUTBOX, "readonly");
    const found = await done(tx.objectStore(OUTBOX).index("scope").getAll(scope) as IDBRequest<Entry[]>);
    return found.sort((a, b) => a.seq - b.seq);
  }

  async put(entry: Entry): Promise<void> {
    const tx = this.db.transaction(OUTBOX, "readwrite");
    tx.objectStore(OUTBOX).put(entry);
    await committed(tx);
  }

  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(OUTBOX, "readwrite");
    tx.objectStore(OUTBOX).delete(id);
    await committed(tx);
  }

  async load<T>(scope: string): Promise<T | undefined> {
    const tx = this.db.transaction(SNAPSHOTS, "readonly");
    return (await done(tx.objectStore(SNAPSHOTS).get(scope))) as T | undefined;
  }

  async save(scope: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(SNAPSHOTS, "readwrite");
    tx.objectStore(SNAPSHOTS).put(value, scope);
    await committed(tx);
  }

  close(): void {
    this.db.close();
  }
}

/** The same contract in memory: for tests of code that uses the outbox, and a browser without IndexedDB
 * (private windows of some browsers), where entries then last as long as the page. */
export class MemoryStore implements EntryStore, SnapshotStore {
  readonly entries = new Map<string, Entry>();
  readonly snapshots = new Map<string, unknown>();

  list(scope: string): Promise<Entry[]> {
    const found = [...this.entries.values()].filter((e) => e.scope === scope).sort((a, b) => a.seq - b.seq);
    return Promise.resolve(found.map((e) => structuredClone(e)));
  }

  put(entry: Entry): Promise<void> {
    this.entries.set(entry.id, structuredClone(entry));
    return Promise.resolve();
  }

  remove(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  load<T>(scope: string): Promise<T | undefined> {
    return Promise.resolve(structuredClone(this.snapshots.get(scope)) as T | undefined);
  }

  save(scope: string, value: unknown): Promise<void> {
    this.snapshots.set(scope, structuredClone(value));
    return Promise.resolve();
  }
}
