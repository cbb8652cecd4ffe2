// After a page comes back with errors, or with a confirmation, bring the user to it: the first field marked
// invalid (its <details> opened), else whatever the page marked with data-focus. Works without it too: the
// confirmation's URL carries #done.
document.addEventListener('DOMContentLoaded', () => {
  const target = document.querySelector('[aria-invalid="true"]') || document.querySelector('[data-focus]') || document.querySelector('main [role=alert]');
  if (!target) return;
  const details = target.closest('details');
  if (details) details.open = true;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
});
