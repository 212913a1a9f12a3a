// Redraws the server's tile map of police units (/kaart) as an ECharts map series, with a
// legend (visual map) and tooltips in the page's language's number format (progressive
// enhancement: the SVG tiles and the table beside them hold the same figures). Tiles are
// squares in their approximate places, registered as a GeoJSON map; uses the vendored ECharts.
(function () {
  'use strict';
  var svg = document.getElementById('map-svg');
  if (!svg || typeof echarts === 'undefined') return;
  var data;
  try { data = JSON.parse(svg.getAttribute('data-map')); } catch (e) { return; }
  if (!data.units || data.units.length === 0) return;
  var lang = data.lang === 'en' ? 'en-GB' : 'nl-NL';
  var numbers = new Intl.NumberFormat(lang, data.rates ? { minimumFractionDigits: 1, maximumFractionDigits: 1 } : {});
  var format = function (v) { return v === null || v === undefined ? data.not_published : numbers.format(v); };
  var features = data.units.map(function (u) {
    // Columns to the east, rows to the south; a small gap between tiles.
    var x0 = u.column * 1.05, y0 = -u.row * 0.75;
    return {
      type: 'Feature', properties: { name: u.name },
      geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 - 0.7], [x0, y0 - 0.7], [x0, y0]]] }
    };
  });
  echarts.registerMap('politie-eenheden', { type: 'FeatureCollection', features: features });
  var values = data.units.map(function (u) { return u.value; }).filter(function (v) { return v !== null; });
  var low = values.length ? Math.min.apply(null, values) : 0;
  var high = values.length ? Math.max.apply(null, values) : 1;
  var holder = document.createElement('div');
  holder.id = 'map-chart';
  holder.setAttribute('role', 'img');
  holder.setAttribute('aria-label', svg.querySelector('title').textContent);
  svg.parentNode.insertBefore(holder, svg);
  svg.style.display = 'none';
  var chart = echarts.init(holder, null, { renderer: 'svg' });
  chart.setOption({
    aria: { enabled: true },
    tooltip: {
      trigger: 'item',
      formatter: function (p) { return echarts.format.encodeHTML(p.name) + ': ' + format(p.data ? p.data.value : null); }
    },
    visualMap: {
      type: 'continuous', min: low, max: high === low ? low + 1 : high, calculable: false, left: 0, bottom: 0,
      text: [format(high), format(low)], inRange: { color: ['#deebf7', '#6baed6', '#08419c'] },
      outOfRange: { color: '#e6e6e6' }, formatter: function (v) { return format(v); }
    },
    series: [{
      type: 'map', map: 'politie-eenheden', aspectScale: 1, roam: false, selectedMode: false,
      label: { show: true, fontSize: 11, formatter: function (p) { return p.name + '\n' + format(p.data ? p.data.value : null); } },
      itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
      data: data.units.map(function (u) {
        var item = { name: u.name, value: u.value };
        // Not published: grey and hatched, outside the colour scale.
        if (u.value === null) {
          item.value = null;
          item.itemStyle = { areaColor: '#e6e6e6', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: Math.PI / 4, color: '#8a8a8a' } };
        }
        return item;
      })
    }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
