// The reviewer's service worker, registered by js/offline/offline.js (reviewers only). It keeps the reviewer's own
// pages ("Hồ sơ của tôi" and the case pages they opened) usable with no connection. Writes never pass through it:
// the outbox (js/offline/outbox.js) sends them itself. Workbox comes from npm via ops/frontend, never from a CDN.
importScripts('/lib/workbox/workbox-sw.js');
workbox.setConfig({ modulePathPrefix: '/lib/workbox/', debug: false });
const { registerRoute, setCatchHandler } = workbox.routing;
const { NetworkFirst, StaleWhileRevalidate } = workbox.strategies;

const PAGES = 'ct-pages', STATIC = 'ct-static';
// How long a cached page may be shown (CaseTracking:Offline:KeepDays, on the registration URL).
const keepDays = Number(new URL(self.location).searchParams.get('days')) || 7;
const reviewerPage = url => url.pathname === '/my-cases' || /^\/cases\/[0-9a-f-]{36}$/i.test(url.pathname);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));

const pagePlugin = {
  // One entry per page whatever the query (?period=, ?done=): the last copy seen.
  cacheKeyWillBeUsed: async ({ request }) => new URL(request.url).pathname,
  // Only a reviewer's page as the server rendered it for them: not a redirect to sign-in, not an error, not another
  // role's page (a supervisor signing in on the same phone after the reviewer's session expired).
  cacheWillUpdate: async ({ response }) =>
    response.status === 200 && !response.redirected && (await response.clone().text()).includes('data-offline') ? response : null,
  // A case that answers 404/403 left the reviewer's organisation (transfer, reassignment, end): forget its copy.
  fetchDidSucceed: async ({ request, response }) => {
    if (response.status === 404 || response.status === 403) await (await caches.open(PAGES)).delete(new URL(request.url).pathname);
    return response;
  },
  // Older than the allowed days: not shown, and removed (offline.js also wipes on the same limit).
  cachedResponseWillBeUsed: async ({ cacheName, cachedResponse, request }) => {
    const date = Date.parse(cachedResponse?.headers.get('date') ?? '');
    if (!cachedResponse || !(Date.now() - date > keepDays * 864e5)) return cachedResponse;
    await (await caches.open(cacheName)).delete(new URL(request.url).pathname);
    return null;
  }
};

// Network first, the copy when there is no answer. How long to wait depends on the connection the phone reports: on
// 2G/3G the copy after 0.8 s (the page then says it is the phone's copy and from when); otherwise the fresh page
// unless the network gives nothing for 4 s. After a save (?done=) the fresh page only, however long it takes.
const quick = new NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 0.8, plugins: [pagePlugin] });
const patient = new NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 4, plugins: [pagePlugin] });
const fresh = new NetworkFirst({ cacheName: PAGES, plugins: [pagePlugin] });
const slow = () => ['slow-2g', '2g', '3g'].includes(self.navigator.connection?.effectiveType);
registerRoute(({ request, url }) => request.mode === 'navigate' && reviewerPage(url),
  options => (options.url.searchParams.has('done') ? fresh : slow() ? quick : patient).handle(options));
registerRoute(({ url }) => url.origin === self.location.origin && /^\/(css|js|lib\/htmx|lib\/workbox|icons)\/|^\/manifest\.webmanifest$/.test(url.pathname),
  new StaleWhileRevalidate({ cacheName: STATIC }));

// A page never visited, with no connection: the list of cases if it is on the phone, else the browser's own page.
setCatchHandler(async ({ request }) =>
  request.mode === 'navigate' && (await caches.match('/my-cases', { cacheName: PAGES })) || Response.error());

// The first page was loaded before this worker took control: offline.js asks for it and its files to be kept.
self.addEventListener('message', e => {
  if (e.data?.type !== 'keep') return;
  e.waitUntil((async () => {
    const statics = await caches.open(STATIC);
    for (const url of e.data.files) await statics.add(url).catch(() => {});
    const page = new URL(e.data.page);
    if (!reviewerPage(page)) return;
    const response = await fetch(page, { credentials: 'same-origin' }).catch(() => null);
    if (response && await pagePlugin.cacheWillUpdate({ response })) await (await caches.open(PAGES)).put(page.pathname, response);
  })());
});
