// Draws the trend of published estimates (progressive enhancement: the page's table holds the
// same figures). Data come from the page (data-trend), numbers in the page's language.
(function () {
  "use strict";
  if (!window.echarts) return;
  var nodes = document.querySelectorAll(".estimate-trend");
  Array.prototype.forEach.call(nodes, function (node) {
    var rows = JSON.parse(node.getAttribute("data-trend") || "[]");
    var dutch = node.getAttribute("data-lang") !== "en";
    var locale = dutch ? "nl-NL" : "en-GB";
    var format = function (v) { return Math.round(v).toLocaleString(locale); };
    var names = dutch ? ["geregistreerd", "schatting", "95%-interval"] : ["registered", "estimate", "95% interval"];
    var chart = echarts.init(node, null, { renderer: "svg", locale: dutch ? "NL" : "EN" });
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var r = rows[items[0].dataIndex];
          return r.year + "<br>" + names[0] + ": " + format(r.registered) + "<br>" + names[1] + ": " + format(r.total) +
            "<br>" + names[2] + ": " + format(r.low) + " – " + (r.high_open ? "> " : "") + format(r.high);
        }
      },
      legend: { data: names, bottom: 0 },
      grid: { bottom: 60 },
      xAxis: { type: "category", data: rows.map(function (r) { return String(r.year); }) },
      yAxis: { type: "value", axisLabel: { formatter: format } },
      series: [
        { name: names[0], type: "bar", data: rows.map(function (r) { return r.registered; }), itemStyle: { color: "#8fb3d1" } },
        { name: names[1], type: "line", data: rows.map(function (r) { return Math.round(r.total); }), itemStyle: { color: "#01689b" } },
        { name: names[2], type: "boxplot", itemStyle: { color: "transparent", borderColor: "#01689b" },
          data: rows.map(function (r) { return [r.low, r.low, r.total, r.high, r.high]; }) }
      ]
    });
  });
})();
