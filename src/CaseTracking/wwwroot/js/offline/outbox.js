// The outbox: a form saved on the phone, sent to the JSON API (the sign-in cookie is accepted on /api) when the
// connection allows. Each item keeps the Idempotency-Key made when the user tapped save and the If-Match of the version
// they saw, so a resend after a lost answer replays the first answer instead of logging twice. X-Captured-At carries
// when it was saved on the phone; the server keeps it beside its own time (event header capturedAt).
import { put, del, all, dropPages, serverNow } from './store.js';

const ROUTES = { review: id => `/api/cases/${id}/reviews`, progress: id => `/api/cases/${id}/progress` };
export const changed = () => document.dispatchEvent(new CustomEvent('ct-outbox'));

/** An item: { key, user, caseId, form, body, fields, ifMatch, capturedAt, state, problem }. */
export async function enqueue(item) { await put('outbox', item); changed(); }
export async function mine(user) { return (await all('outbox')).filter(i => i.user === user).sort((a, b) => a.capturedAt.localeCompare(b.capturedAt)); }
export async function drop(item) { await del('outbox', item.key); changed(); }

/**
 * Sends one item. 'sent' (2xx, also a replayed answer), 'waiting' (no connection, server unavailable: stays
 * queued), or a refusal kept on the item for the user to act on: 'signin' (401), 'conflict' (anything else).
 */
export async function send(item) {
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': item.key, 'X-Captured-At': item.capturedAt };
  if (item.ifMatch != null && item.ifMatch !== '') headers['If-Match'] = `"${item.ifMatch}"`;
  let res;
  try {
    res = await fetch(ROUTES[item.form](item.caseId), { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(item.body) });
  } catch {
    return 'waiting'; // the request (or its answer) was lost: the same key makes the next try safe
  }
  if (res.ok) { await del('outbox', item.key); return 'sent'; }
  if (res.status >= 500 || res.status === 408 || res.status === 429) return 'waiting';
  const problem = await res.json().catch(() => ({}));
  if (problem.code === 'concurrency.stale') Object.assign(problem, await whatChanged(item));
  item.state = res.status === 401 ? 'signin' : 'conflict';
  item.problem = { status: res.status, code: problem.code, detail: problem.detail, fields: Object.keys(problem.errors ?? {}), by: problem.by, at: problem.at };
  // 404: the case is out of the reviewer's scope now (transferred, reassigned); its cached page goes.
  if (res.status === 404) await dropPages([`/cases/${item.caseId}`]);
  await put('outbox', item);
  return item.state;
}

/**
 * A 409 says only that the case moved on since the user saw it (If-Match is checked before the rules). The history
 * since then tells the user what they need to know: that month already logged (by whom, when), or the case ended.
 */
async function whatChanged(item) {
  const res = await fetch(`/api/cases/${item.caseId}/history`, { credentials: 'same-origin' }).catch(() => null);
  const history = res?.ok ? await res.json() : [];
  const since = (Array.isArray(history) ? history : history.entries ?? []).filter(e => e.version > Number(item.ifMatch));
  const same = since.find(e => item.form === 'review' && e.type === 'review_logged' && e.data?.period === item.body.period);
  if (same) return { code: 'review.period-duplicate', by: same.userDisplayName ?? same.user, at: same.timestamp };
  if (since.some(e => ['case_released', 'case_revoked', 'case_closed'].includes(e.type))) return { code: 'case.terminal' };
  return {};
}

let timer;
/** Sends what is waiting, one at a time (a lock keeps two tabs from sending the same item at once; a twin is harmless anyway). */
export async function flush(user) {
  const run = async () => {
    for (const item of await mine(user)) {
      if (item.state === 'conflict') continue; // waits for the user's choice
      if (!navigator.onLine) break;
      item.state = 'sending'; changed();
      const outcome = await send(item);
      if (outcome === 'waiting') { item.state = 'queued'; await put('outbox', item); }
    }
  };
  await (navigator.locks ? navigator.locks.request('ct-outbox', run) : run());
  changed();
  // Still waiting (a flaky connection that says it is online): try again in a while.
  clearTimeout(timer);
  if ((await mine(user)).some(i => i.state === 'queued')) timer = setTimeout(() => flush(user), 20000);
}

/** "Send again" after the case changed (409): the user has seen it, so send against the current version. */
export async function retry(item, user) {
  if (item.problem?.code === 'concurrency.stale') {
    const res = await fetch(`/api/cases/${item.caseId}`, { credentials: 'same-origin' }).catch(() => null);
    const etag = res?.ok ? res.headers.get('ETag')?.replace(/\D/g, '') : null;
    if (etag) item.ifMatch = etag;
  }
  // Refused for the phone's clock: the user has set it right since; the time of this tap is the honest one left.
  if (item.problem?.fields?.includes('X-Captured-At')) item.capturedAt = await serverNow();
  item.state = 'queued'; delete item.problem;
  await put('outbox', item);
  await flush(user);
}
