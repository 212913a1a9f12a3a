// Draws the chart of the explorer's view (progressive enhancement: the page's HTML table holds
// the same figures). The page builds the chart's data and its words; this only draws them,
// with the page's language's number format. Uses the vendored Apache ECharts.
(function () {
  'use strict';
  var holder = document.getElementById('chart');
  if (!holder || typeof echarts === 'undefined') return;
  var data;
  try { data = JSON.parse(holder.getAttribute('data-chart')); } catch (e) { return; }
  var lang = holder.getAttribute('data-lang') === 'en' ? 'en-GB' : 'nl-NL';
  var numbers = new Intl.NumberFormat(lang);
  var format = function (v) { return v === null || v === undefined ? (lang === 'en-GB' ? 'suppressed' : 'onderdrukt') : numbers.format(v); };
  if (!data.series || data.series.length === 0 || data.labels.length === 0) { holder.remove(); return; }
  var option = {
    aria: { enabled: true },
    tooltip: { trigger: 'axis', valueFormatter: format },
    legend: { type: 'plain', bottom: 0 },
    grid: { left: 60, right: 20, top: 20, bottom: 30 + 22 * Math.ceil(data.series.length / 3) },
    xAxis: { type: 'category', data: data.labels, axisLabel: { interval: 0, rotate: data.kind === 'bar' ? 30 : 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: function (v) { return numbers.format(v); } } },
    series: data.series.map(function (s) {
      return { type: data.kind, name: s.name, data: s.data, connectNulls: false };
    })
  };
  if (data.series.length === 1) option.legend.show = false;
  holder.style.height = (320 + 22 * Math.ceil(data.series.length / 3)) + 'px';
  var chart = echarts.init(holder, null, { renderer: 'svg' });
  chart.setOption(option);
  window.addEventListener('resize', function () { chart.resize(); });
})();
