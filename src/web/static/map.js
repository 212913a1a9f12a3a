// Redraws the server's tile map of police units (/kaart) as an ECharts map series, with
// tooltips in the page's language's number format (progressive enhancement: the SVG tiles and
// the table beside them hold the same figures). Tiles are rectangles in their approximate
// places, registered as a GeoJSON map; each keeps the server's colour class, so the page's
// legend holds for both. Uses the vendored ECharts.
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
  var rows = 0;
  var features = data.units.map(function (u) {
    // Columns to the east, rows to the south, as the server's tiles (120 by 84 with a gap of 6).
    var x0 = u.column * 1.05, y0 = -u.row * 0.75;
    rows = Math.max(rows, u.row + 1);
    return {
      type: 'Feature', properties: { name: u.name },
      geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 - 0.7], [x0, y0 - 0.7], [x0, y0]]] }
    };
  });
  echarts.registerMap('politie-eenheden', { type: 'FeatureCollection', features: features });
  var holder = document.createElement('div');
  holder.id = 'map-chart';
  holder.setAttribute('role', 'img');
  holder.setAttribute('aria-label', svg.querySelector('title').textContent);
  svg.parentNode.insertBefore(holder, svg);
  svg.style.display = 'none';
  holder.style.height = Math.round(holder.clientWidth * (rows * 0.75) / 4.2) + 'px';
  // Long names break after their first hyphen, as on the server's tiles.
  var wrap = function (name) {
    var at = name.indexOf('-');
    return name.length > 12 && at > 0 ? name.slice(0, at + 1) + '\n' + name.slice(at + 1) : name;
  };
  var chart = echarts.init(holder, null, { renderer: 'svg' });
  chart.setOption({
    aria: { enabled: true },
    tooltip: {
      trigger: 'item',
      formatter: function (p) { return echarts.format.encodeHTML(p.name) + ': ' + format(p.data ? p.data.value : null); }
    },
    series: [{
      type: 'map', map: 'politie-eenheden', aspectScale: 1, roam: false, selectedMode: false,
      layoutCenter: ['50%', '50%'], layoutSize: '100%',
      emphasis: { label: { show: true }, itemStyle: { borderColor: '#1a1a1a', borderWidth: 2 } },
      label: { show: true, fontSize: 11, lineHeight: 14 },
      itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
      data: data.units.map(function (u) {
        var published = u.value !== null;
        var item = {
          name: u.name, value: u.value,
          label: {
            color: u.dark ? '#ffffff' : '#1a1a1a',
            formatter: wrap(u.name) + '\n{v|' + format(u.value) + '}',
            rich: { v: { fontWeight: 'bold', fontSize: published ? 13 : 11, color: u.dark ? '#ffffff' : '#1a1a1a' } }
          },
          itemStyle: { areaColor: published ? u.colour : '#e6e6e6' },
          emphasis: { itemStyle: { areaColor: published ? u.colour : '#e6e6e6' }, label: { color: u.dark ? '#ffffff' : '#1a1a1a' } }
        };
        // Not published: grey and hatched, as on the server's tiles and in the legend.
        if (!published) item.itemStyle.decal = { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: Math.PI / 4, color: '#8a8a8a' };
        return item;
      })
    }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
