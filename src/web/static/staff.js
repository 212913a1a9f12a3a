// Staff workspace charts: the estimates with their 95% intervals beside the registered counts,
// the links per weight band of a linkage, and the people found again across years. Data come
// from the page (data-* attributes), never from the network.
(function () {
  "use strict";
  if (!window.echarts) return;
  var dutch = (document.documentElement.lang || "nl") === "nl";
  var word = function (nl, en) { return dutch ? nl : en; };
  var draw = function (id, attribute, options) {
    var node = document.getElementById(id);
    if (!node) return;
    var rows = JSON.parse(node.getAttribute(attribute) || "[]");
    echarts.init(node, null, { renderer: "svg" }).setOption(options(rows));
  };

  draw("estimate-chart", "data-estimates", function (rows) {
    return {
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
    };
  });

  draw("linkage-bands", "data-bands", function (bands) {
    var ordered = bands.slice().sort(function (a, b) { return a.from - b.from; });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", name: word("log2-gewicht", "log2 weight"),
               data: ordered.map(function (b) { return b.from + " – " + b.to; }) },
      yAxis: { type: "value", name: word("koppelingen", "links") },
      series: [{ name: word("koppelingen", "links"), type: "bar", itemStyle: { color: "#01689b" },
                 data: ordered.map(function (b) { return b.links; }) }]
    };
  });

  draw("linkage-across-chart", "data-years", function (years) {
    var series = function (name, key, color) {
      return { name: name, type: "bar", itemStyle: { color: color }, data: years.map(function (y) { return y[key]; }) };
    };
    var names = [word("slachtoffers", "victims"), word("van wie eerder geregistreerd", "of whom registered before"),
                 word("verdachten", "suspects"), word("van wie ook slachtoffer", "of whom also a victim")];
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: names },
      xAxis: { type: "category", data: years.map(function (y) { return String(y.year); }) },
      yAxis: { type: "value" },
      series: [series(names[0], "victims", "#8fb3d1"), series(names[1], "victims_seen_before", "#01689b"),
               series(names[2], "suspects", "#e3a76f"), series(names[3], "suspects_also_victims", "#a34f00")]
    };
  });
})();
