// The device's copy: one IndexedDB database with drafts (what is being typed) and the outbox (what was saved
// while offline), and the service worker's page cache. wipe() removes all of it (sign-out, too long offline).
const DB = 'casetracking-offline';
export const PAGES = 'ct-pages'; // the service worker's cache of the reviewer's pages (sw.js)

let opened;
function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('drafts');               // key: user|case|form
      req.result.createObjectStore('outbox', { keyPath: 'key' }); // key: the Idempotency-Key
      req.result.createObjectStore('meta');                 // lastOnline, user
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

// One request in its own transaction: small and enough for a handful of drafts.
async function run(store, mode, act) {
  const tx = (await db()).transaction(store, mode);
  const req = act(tx.objectStore(store));
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, 'readonly', s => s.get(key));
export const put = (store, value, key) => run(store, 'readwrite', s => s.put(value, key));
export const del = (store, key) => run(store, 'readwrite', s => s.delete(key));
export const all = (store) => run(store, 'readonly', s => s.getAll());

/** Everything the device holds for this app: IndexedDB, Cache Storage, the service worker. */
export async function wipe() {
  if (opened) (await opened).close();
  opened = undefined;
  await new Promise(resolve => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  await dropPages();
  const regs = await navigator.serviceWorker?.getRegistrations() ?? [];
  await Promise.all(regs.map(r => r.unregister()));
}

/**
 * What the user typed and saved on the phone (drafts, outbox) and the cached pages, but not the database itself nor the
 * service worker: after KeepDays without the server the copy goes, and the app keeps working from the next fresh page.
 */
export async function forget() {
  await run('drafts', 'readwrite', s => s.clear());
  await run('outbox', 'readwrite', s => s.clear());
  await dropPages();
}

/** Counts of what forget() would remove, to tell the user. */
export async function held() { return { drafts: (await all('drafts')).length, outbox: (await all('outbox')).length }; }

/**
 * Now by the server's clock: the phone's clock corrected by the difference seen on the last fresh page (offline.js
 * keeps it in meta.clockOffset). The server refuses a captured time after its own clock, so a phone whose clock runs
 * ahead would otherwise have every offline write refused. The offset leaves out the page's travel time, so the
 * corrected time errs early, never late.
 */
export async function serverNow() {
  const offset = Number(await get('meta', 'clockOffset')) || 0;
  return new Date(Date.now() + offset).toISOString();
}

/** The cached pages only: what the server showed (persons, addresses), not what the user typed. */
export async function dropPages(urls) {
  if (!('caches' in self)) return;
  if (!urls) { for (const name of await caches.keys()) await caches.delete(name); return; }
  const cache = await caches.open(PAGES);
  for (const url of urls) await cache.delete(url, { ignoreSearch: true });
}
