// The ward picker of the admin's user form: type part of a ward's name (with or without accents: "an binh" finds
// "Xã An Bình") to narrow the list; the count of chosen wards follows the ticks. Without JavaScript the list still works.
(function () {
  var fold = function (s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐÐ]/g, 'd').toLowerCase();
  };
  document.querySelectorAll('[data-ward-picker]').forEach(function (picker) {
    var filter = picker.querySelector('[data-ward-filter]');
    var count = picker.querySelector('[data-ward-count]');
    var rows = Array.prototype.slice.call(picker.querySelectorAll('[data-ward-name]'));
    var template = count.textContent.replace(/\d+/, '{0}');
    filter.hidden = false;
    filter.addEventListener('input', function () {
      var q = fold(filter.value.trim());
      rows.forEach(function (row) { row.hidden = q !== '' && fold(row.getAttribute('data-ward-name')).indexOf(q) < 0; });
    });
    // Enter in the filter box must not send the whole form.
    filter.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
    picker.addEventListener('change', function () {
      count.textContent = template.replace('{0}', picker.querySelectorAll('input[type=checkbox]:checked').length);
    });
  });
})();
