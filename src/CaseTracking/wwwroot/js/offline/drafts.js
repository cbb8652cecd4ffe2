// Drafts: what the user types in a review or progress form is kept on the phone at every keystroke, per user, case
// and form, and put back when the page opens again (reload, closed tab, no connection, signed in again). It is
// removed only once the server has the entry, or when the user discards it.
import { get, put, del } from './store.js';

const SKIP = new Set(['SeenVersion', 'FormKey', '__RequestVerificationToken']);

/** The form's own fields by name (radio: the checked one), without the hidden ones every form carries. */
export function fieldsOf(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || SKIP.has(el.name) || el.type === 'submit') continue;
    if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; else out[el.name] ??= ''; continue; }
    out[el.name] = el.value;
  }
  return out;
}

export function fill(form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      if (el.type === 'radio') el.checked = el.value === value; else el.value = value;
    }
  }
}

export const keyOf = (user, caseId, name) => `${user}|${caseId}|${name}`;
export const saveDraft = (key, fields) => put('drafts', { fields, at: new Date().toISOString() }, key);
export const dropDraft = key => del('drafts', key);

/** Keeps the form's draft and shows that it is one; returns the draft's key. */
export async function keep(form, key, t, when) {
  const mark = document.createElement('div');
  mark.className = 'banner warn';
  mark.dataset.testid = 'draft-' + form.dataset.offlineForm;
  mark.setAttribute('role', 'status');
  mark.hidden = true;
  form.prepend(mark);
  const show = at => {
    mark.hidden = false;
    mark.textContent = t('Offline.Draft', when(at)) + ' ';
    const discard = document.createElement('button');
    discard.type = 'button'; discard.className = 'link'; discard.textContent = t('Offline.DraftDiscard');
    discard.onclick = async () => { await dropDraft(key); location.reload(); };
    mark.append(discard);
  };
  const draft = await get('drafts', key);
  if (draft) { fill(form, draft.fields); show(draft.at); const d = form.closest('details'); if (d) d.open = true; }
  const save = async () => { const at = new Date().toISOString(); await saveDraft(key, fieldsOf(form)); show(at); };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  return { clear: async () => { await dropDraft(key); mark.hidden = true; } };
}
