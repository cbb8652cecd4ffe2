// Opening a case: the term in months turns into the end date (start + months − 1 day, as decisions are written),
// and the chosen kind's legal range is stated beside it. The server does the same when script is off.
document.addEventListener('DOMContentLoaded', () => {
  const kind = document.getElementById('o-kind'), start = document.getElementById('o-starts');
  const months = document.getElementById('o-months'), ends = document.getElementById('o-ends'), hint = document.getElementById('o-months-hint');
  if (!kind || !start || !months || !ends) return;
  const fill = () => {
    const m = parseInt(months.value, 10);
    if (!start.value || !(m > 0)) return;
    const d = new Date(start.value + 'T00:00:00Z');
    const day = d.getUTCDate();
    d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() + m);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last)); d.setUTCDate(d.getUTCDate() - 1);
    ends.value = d.toISOString().slice(0, 10);
  };
  const range = () => {
    const o = kind.selectedOptions[0];
    if (o && hint) hint.textContent = hint.dataset.base + ' ' + o.textContent.split(' — ').pop();
  };
  if (hint) hint.dataset.base = hint.textContent;
  months.addEventListener('input', fill); start.addEventListener('change', fill); kind.addEventListener('change', range);
  range();
});
