// How a queued item looks, on its case (beside its form) and in the outbox on "Hồ sơ của tôi": "chờ gửi" while
// waiting; a refusal in plain words with the text kept and what the user can do (copy, edit / another month, send
// again, discard).
import { drop, retry } from './outbox.js';
import { saveDraft, keyOf } from './drafts.js';

/** Which sentence explains a refusal, by the API's code (docs/api.md). */
function explain(item, t, when) {
  const p = item.problem ?? {};
  if (item.state === 'signin') return t('Offline.SignInAgain');
  if (p.fields?.includes('X-Captured-At')) return t('Offline.Conflict.Clock');
  switch (p.code) {
    case 'review.period-duplicate': return t('Offline.Conflict.Duplicate') + (p.by ? ` (${p.by}, ${when(p.at)})` : '');
    case 'case.not-found': case 'review.not-assigned': case 'progress.not-assigned': return t('Offline.Conflict.Gone');
    case 'case.terminal': return t('Offline.Conflict.Terminal');
    case 'concurrency.stale': return t('Offline.Conflict.Stale');
  }
  if (p.status === 400) return t('Offline.Conflict.Invalid');
  return t('Offline.Conflict.Rule', t('Code.' + p.code) ?? p.detail ?? p.status);
}

/** What the user wrote, as one text to copy. */
export const textOf = item => [item.body.summary, item.body.note].filter(Boolean).join('\n');

function el(tag, { dataset, ...props } = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  Object.assign(e.dataset, dataset);
  e.append(...children.filter(c => c != null));
  return e;
}

function button(label, testid, onclick) {
  return el('button', { type: 'button', className: 'secondary', textContent: label, onclick, dataset: { testid } });
}

/** One item; the buttons act and then ask for a re-render through the outbox's change event. */
/** Refused by the server (a rule, the case, the sign-in): it waits for the user, it will not go by itself. */
export const refusedItem = item => item.state === 'conflict' || item.state === 'signin';

export function render(item, { t, when, user, withCase }) {
  const waiting = !refusedItem(item);
  const title = item.form === 'review' ? t('Offline.Review', item.body.period ? item.body.period.split('-').reverse().map(Number).join('/') : '—')
    : t('Offline.Progress');
  const box = el('div', { className: `banner ${waiting ? 'warn' : 'bad'}`, dataset: { testid: 'outbox-item', state: item.state, key: item.key } },
    el('p', {}, el('strong', { className: `badge ${waiting ? 'warn' : 'bad'}`, dataset: { testid: 'outbox-badge' },
      textContent: !waiting ? t('Offline.Refused') : item.state === 'sending' ? t('Offline.Sending') : t('Offline.Queued') }),
      ` ${withCase ? item.person + ' · ' : ''}${title} · ${t('Offline.CapturedOn', when(item.capturedAt))}`),
    waiting ? el('p', { textContent: t('Offline.QueuedNote') }) : el('p', { role: 'alert', dataset: { testid: 'outbox-problem' }, textContent: explain(item, t, when) }));
  const text = textOf(item);
  if (text) box.append(el('textarea', { readOnly: true, value: text, rows: 3, ariaLabel: title, dataset: { testid: 'outbox-text' } }));
  const actions = el('p');
  if (!waiting) {
    if (text) actions.append(button(t('Offline.Copy'), 'outbox-copy', async () => {
      await navigator.clipboard?.writeText(text).catch(() => {});
      actions.append(el('span', { role: 'status', textContent: ' ' + t('Offline.Copied') }));
    }));
    if (item.state === 'signin') actions.append(el('a', { className: 'button', href: `/login?returnUrl=${encodeURIComponent(location.pathname)}`, textContent: t('Offline.SignInLink') }));
    else if (['concurrency.stale'].includes(item.problem?.code) || item.problem?.fields?.includes('X-Captured-At'))
      actions.append(button(t('Offline.Retry'), 'outbox-retry', () => retry(item, user)));
    if (item.problem?.status !== 404 && item.problem?.code !== 'case.terminal')
      actions.append(button(t('Offline.Edit'), 'outbox-edit', async () => {
        // Back into the form as a draft, and out of the outbox. A month already logged is left out, so the form opens
        // on a month that can be saved (the user may pick another one there).
        const fields = { ...item.fields };
        if (item.problem?.code === 'review.period-duplicate') delete fields['Review.Period'];
        await saveDraft(keyOf(user, item.caseId, item.form), fields);
        await drop(item);
        const target = `/cases/${item.caseId}`;
        if (location.pathname !== target) { location.assign(`${target}#${item.form}-h`); return; }
        location.hash = `${item.form}-h`;
        location.reload();
      }));
    actions.append(button(t('Offline.Discard'), 'outbox-discard', async () => { if (confirm(t('Offline.DiscardConfirm'))) await drop(item); }));
  }
  if (withCase) actions.append(el('a', { href: `/cases/${item.caseId}`, className: 'button secondary', textContent: t('Offline.OpenCase') }));
  if (actions.childElementCount) box.append(actions);
  return box;
}
