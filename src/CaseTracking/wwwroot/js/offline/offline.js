// The reviewer's offline layer, loaded by _Layout for reviewers only; the plain forms work without it.
// - registers the service worker (/sw.js) that keeps the reviewer's pages for use with no connection;
// - keeps drafts of the review and progress forms (drafts.js) and queues a form saved offline (outbox.js);
// - wipes the device's copy: at sign-out, for cases no longer on "Hồ sơ của tôi", after KeepDays without a connection.
import { get, put, del, wipe, forget, held, dropPages, serverNow, PAGES } from './store.js';
import { keep, fieldsOf, keyOf } from './drafts.js';
import { enqueue, mine, flush, send, drop } from './outbox.js';
import { render, refusedItem } from './view.js';

const cfg = document.querySelector('script[data-offline]').dataset;
const texts = JSON.parse(cfg.text);
const user = cfg.user;
const keepDays = Number(cfg.keepDays) || 7;
/** A text from the .resx (undefined when missing), {0}… filled in. */
const t = (key, ...args) => texts[key]?.replace(/\{(\d)\}/g, (_, i) => args[i] ?? '');
const when = iso => new Date(iso).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'vi-VN', { dateStyle: 'short', timeStyle: 'short' });
const main = document.querySelector('main');

function banner(className, testid, text) {
  const b = Object.assign(document.createElement('div'), { className: `banner ${className}`, textContent: text });
  b.dataset.testid = testid;
  b.setAttribute('role', 'status');
  main.prepend(b);
  return b;
}

// --- How fresh is this page, and how long has the phone been without the server? ---
// A page served from the phone's copy carries the render time of a page already seen; a newer one came from the server.
const rendered = Date.parse(cfg.rendered);
const seen = (await get('meta', 'lastRendered')) ?? 0;
const fresh = rendered > seen;
// More than KeepDays since the phone last had a page from the server: everything it holds goes (pages, drafts, the
// outbox), even what was never sent, and the user is told. Checked before this page counts as contact, so the first
// page after a long absence wipes too (the service worker no longer shows pages that old, so that page is fresh).
const lastOnline = await get('meta', 'lastOnline');
if (lastOnline != null && Date.now() - lastOnline > keepDays * 864e5) {
  const { drafts, outbox } = await held();
  await forget();
  // Said once: from here the clock starts again at the next page from the server.
  await del('meta', 'lastOnline');
  const b = banner('warn', 'expired', t('Offline.Expired', keepDays));
  if (drafts + outbox > 0) b.append(' ' + t('Offline.ExpiredLost', drafts + outbox));
}
if (fresh) {
  await put('meta', rendered, 'lastRendered'); await put('meta', Date.now(), 'lastOnline');
  // The phone's clock against the server's (see serverNow in store.js).
  await put('meta', rendered - Date.now(), 'clockOffset');
}
else banner('warn', 'old-copy', t('Offline.OldCopy', when(cfg.rendered)));
// Another reviewer on this phone (the last one's session expired without signing out): not their pages.
if ((await get('meta', 'user')) !== user) { await dropPages(); await put('meta', user, 'user'); }

// --- The service worker; the first page was fetched before it took control, so ask it to keep that page too. ---
if ('serviceWorker' in navigator) {
  const uncontrolled = !navigator.serviceWorker.controller;
  navigator.serviceWorker.register(`/sw.js?days=${keepDays}`).then(async () => {
    const reg = await navigator.serviceWorker.ready;
    const files = performance.getEntriesByType('resource').map(e => e.name)
      .filter(u => u.startsWith(location.origin) && /\/(css|js|lib)\//.test(u));
    if (uncontrolled) reg.active?.postMessage({ type: 'keep', page: location.href, files });
  }).catch(() => {});
}

// --- "Hồ sơ của tôi" from the server lists every case the reviewer still has: forget the copies of the others. ---
const list = document.querySelector('[data-testid=my-cases]');
if (list && fresh && 'caches' in window) {
  const ids = new Set([...list.querySelectorAll('[data-case-id]')].map(c => c.dataset.caseId));
  const cache = await caches.open(PAGES);
  for (const req of await cache.keys()) {
    const m = new URL(req.url).pathname.match(/^\/cases\/([0-9a-f-]{36})$/i);
    if (m && !ids.has(m[1])) await cache.delete(req);
  }
}

// --- The review and progress forms: drafts, and saving through the outbox. ---
for (const form of document.querySelectorAll('form[data-offline-form]')) {
  const name = form.dataset.offlineForm, caseId = form.dataset.case;
  const draft = await keep(form, keyOf(user, caseId, name), t, when);
  form.addEventListener('submit', async ev => {
    if (form.dataset.native) return; // the fallback below: the server's page answers, as without JavaScript
    ev.preventDefault();
    const button = ev.submitter ?? form.querySelector('[type=submit]');
    button.disabled = true;
    const fields = fieldsOf(form);
    const body = {};
    for (const [k, v] of Object.entries(fields)) if (v !== '') body[k.slice(k.indexOf('.') + 1).replace(/^./, c => c.toLowerCase())] = v;
    const item = { key: 'offline-' + crypto.randomUUID(), user, caseId, form: name, person: form.dataset.person, body, fields,
      ifMatch: form.elements.SeenVersion?.value, capturedAt: await serverNow(), state: 'queued' };
    await enqueue(item);
    const outcome = navigator.onLine ? await send(item) : 'waiting';
    if (outcome === 'sent') { await draft.clear(); location.assign(`/cases/${caseId}?done=${name}#done`); return; }
    if (outcome === 'conflict') {
      // Refused while the user is looking: the server's own page shows the errors next to the fields.
      await drop(item);
      form.dataset.native = '1';
      form.submit();
      return;
    }
    // Waiting (no connection) or asking to sign in again: the text now lives in the outbox, shown above the form.
    form.reset();
    await draft.clear();
    button.disabled = false;
    flush(user);
  });
}

// --- The outbox, on the case (beside its form) and on "Hồ sơ của tôi" (all of the reviewer's). ---
async function show() {
  const items = await mine(user);
  for (const box of document.querySelectorAll('[data-offline-queue]')) {
    const here = items.filter(i => i.caseId === box.dataset.case && i.form === box.dataset.offlineQueue);
    box.replaceChildren(...here.map(i => render(i, { t, when, user })));
    if (here.length) box.closest('details')?.setAttribute('open', '');
  }
  const outbox = document.querySelector('[data-offline-outbox]');
  if (outbox) {
    outbox.hidden = items.length === 0;
    outbox.querySelector('[data-items]').replaceChildren(...items.map(i => render(i, { t, when, user, withCase: true })));
  }
  for (const card of document.querySelectorAll('[data-case-id]')) {
    card.querySelector('[data-testid=queued-badge]')?.remove();
    const here = items.filter(i => i.caseId === card.dataset.caseId);
    if (here.length) {
      // One the server refused waits for the user: "chưa gửi được", not "chờ gửi" (which would go by itself).
      const refused = here.some(refusedItem);
      const badge = Object.assign(document.createElement('span'), { className: `badge ${refused ? 'bad' : 'warn'}`, textContent: t(refused ? 'Offline.Refused' : 'Offline.Queued') });
      badge.dataset.testid = 'queued-badge';
      badge.dataset.state = refused ? 'refused' : 'queued';
      card.append(badge);
    }
  }
}
document.addEventListener('ct-outbox', show);
await show();

// --- Connection state: say it, and send what waits as soon as it returns (and now, on this visit). ---
let offlineNote;
const onConnection = () => {
  offlineNote?.remove(); offlineNote = null;
  if (!navigator.onLine) offlineNote = banner('warn', 'offline', t('Offline.Offline'));
  else flush(user);
};
addEventListener('online', onConnection);
addEventListener('offline', onConnection);
onConnection();

// --- Sign-out wipes the device's copy (the server's Clear-Site-Data does it too, where this script did not run). ---
const logout = document.querySelector('form[action="/logout"]');
logout?.addEventListener('submit', async ev => {
  if (logout.dataset.wiped) return;
  ev.preventDefault();
  const waiting = (await mine(user)).length;
  if (waiting && !confirm(t('Offline.LogoutConfirm', waiting))) return;
  await wipe();
  logout.dataset.wiped = '1';
  logout.submit();
});
