// Staff workspace: the chart of estimates with their 95% intervals beside the registered
// counts. Data come from the page (data-estimates), never from the network.
(function () {
  "use strict";
  var node = document.getElementById("estimate-chart");
  if (!node || !window.echarts) return;
  var rows = JSON.parse(node.getAttribute("data-estimates") || "[]");
  var chart = echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: ["geregistreerd", "schatting", "95%-interval"] },
    xAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
    yAxis: { type: "value" },
    series: [
      { name: "geregistreerd", type: "bar", data: rows.map(function (r) { return r.observed; }), itemStyle: { color: "#8fb3d1" } },
      { name: "schatting", type: "scatter", symbolSize: 12, data: rows.map(function (r) { return Math.round(r.estimate); }),
        itemStyle: { color: "#01689b" } },
      { name: "95%-interval", type: "boxplot", itemStyle: { color: "transparent", borderColor: "#01689b" },
        data: rows.map(function (r) { return [r.low, r.low, r.estimate, r.high, r.high]; }) }
    ]
  });
})();
