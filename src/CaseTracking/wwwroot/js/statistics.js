// Enhancement only: draws the table's figures as a chart when Chart.js loaded; the table stays the source. The figure is
// hidden in the page and shown only once the chart can be drawn (no Chart.js, no JavaScript: the table alone).
(function () {
  var table = document.getElementById('stats');
  var canvas = document.getElementById('chart');
  if (!table || !canvas || typeof Chart === 'undefined' || table.tBodies[0].rows.length === 0) return;
  canvas.parentNode.hidden = false;
  var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var labels = rows.map(function (r) { return r.cells[0].textContent.trim(); });
  var colours = ['#0b4f8a', '#1b5e20', '#7a4100'];
  var datasets = [1, 2, 3].map(function (i) {
    return { label: heads[i], data: rows.map(function (r) { return Number(r.cells[i].textContent); }), backgroundColor: colours[i - 1] };
  });
  // The active-case line is an order of magnitude above the monthly bars: it gets its own scale on the right,
  // so the bars stay readable beside it.
  datasets[2].type = 'line'; datasets[2].borderColor = colours[2]; datasets[2].yAxisID = 'active';
  new Chart(canvas, { type: 'bar', data: { labels: labels, datasets: datasets }, options: { animation: false, scales: {
    y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: heads[1] + ' / ' + heads[2] } },
    active: { position: 'right', beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false }, title: { display: true, text: heads[3] } } } } });
})();
