// Draws the chart of a published table (progressive enhancement: the page's HTML table holds
// the same figures). Uses the vendored Apache ECharts when it is there.
(function () {
  'use strict';
  var holder = document.getElementById('chart');
  if (!holder || typeof echarts === 'undefined') return;
  var name = holder.getAttribute('data-table');
  var english = document.documentElement.lang === 'en';
  fetch('/api/v1/tables/' + encodeURIComponent(name))
    .then(function (r) { return r.json(); })
    .then(function (table) {
      var dims = table.dimensions;
      var year = dims.findIndex(function (d) { return d.name === 'year'; });
      // The series: the first dimension other than year, its root and children.
      var other = dims.findIndex(function (d, i) { return i !== year; });
      var roots = dims.map(function (d) { return d.codes[0].code; });
      var labels = {};
      dims.forEach(function (d) { d.codes.forEach(function (c) { labels[d.name + ':' + c.code] = c.label; }); });
      var wanted = other < 0 ? [] : dims[other].codes.filter(function (c) {
        return c.parent === null || c.parent === roots[other];
      }).map(function (c) { return c.code; });
      var lookup = {};
      table.cells.forEach(function (cell) { lookup[cell.key.join('\u001f')] = cell.value; });
      function value(codes) { var v = lookup[codes.join('\u001f')]; return v === null || v === undefined ? null : v; }
      var option;
      var stage = dims.findIndex(function (d) { return d.name === 'stage'; });
      if (stage >= 0 && year >= 0) {
        // The funnel: suspects who reached at least each stage, per year (a sum of furthest
        // stages; unknown when a part is suppressed).
        var steps = [['registered', 'prosecuted', 'convicted'], ['prosecuted', 'convicted'], ['convicted']];
        var names = english ? ['registered or further', 'prosecuted or further', 'convicted']
                            : ['ingeschreven of verder', 'vervolgd of verder', 'veroordeeld'];
        var yearCodes = dims[year].codes.filter(function (c) { return c.parent !== null; }).map(function (c) { return c.code; });
        option = {
          xAxis: { type: 'category', data: yearCodes },
          series: steps.map(function (parts, i) {
            return {
              type: 'bar', name: names[i],
              data: yearCodes.map(function (y) {
                var sum = 0;
                for (var p = 0; p < parts.length; p++) {
                  var key = roots.slice(); key[year] = y; key[stage] = parts[p];
                  var v = value(key);
                  if (v === null) return null;
                  sum += v;
                }
                return sum;
              })
            };
          })
        };
      } else if (year >= 0) {
        var years = dims[year].codes.filter(function (c) { return c.parent !== null; }).map(function (c) { return c.code; });
        var series = (other < 0 ? [null] : wanted).map(function (code) {
          return {
            type: 'line', connectNulls: false,
            name: code === null ? table.title : labels[dims[other].name + ':' + code],
            data: years.map(function (y) {
              var key = roots.slice(); key[year] = y; if (code !== null) key[other] = code; return value(key);
            })
          };
        });
        option = { xAxis: { type: 'category', data: years }, series: series };
      } else {
        var key = roots.slice();
        option = {
          xAxis: { type: 'category', data: wanted.slice(1).map(function (c) { return labels[dims[other].name + ':' + c]; }) },
          series: [{ type: 'bar', data: wanted.slice(1).map(function (c) { var k = key.slice(); k[other] = c; return value(k); }) }]
        };
      }
      option.yAxis = { type: 'value', name: english ? 'persons' : 'personen' };
      option.tooltip = { trigger: 'axis' };
      option.legend = { type: 'scroll', bottom: 0 };
      option.aria = { enabled: true };
      option.grid = { bottom: 60 };
      echarts.init(holder, null, { renderer: 'svg' }).setOption(option);
    })
    .catch(function () { holder.textContent = english ? 'The chart could not be drawn.' : 'De grafiek kon niet worden getekend.'; });
})();
