/* The dashboards' charts: each [data-chart] container names its JSON endpoint in
   data-src (stats/api.py) and its labels in data-label-*; a click on a point opens the
   ledger filtered the same way (the point's "ledger" address). No inline script: the
   page's Content-Security-Policy forbids it. */
(function () {
  "use strict";

  function go(params) {
    var d = params && params.data;
    if (d && d.ledger) { window.location.href = d.ledger; }
  }

  function rate(v) { return v === null || v === undefined ? null : v; }

  function trend(el, rows) {
    var ds = el.dataset;
    var x = rows.map(function (r) { return r.label; });
    function series(name, key, axis, type) {
      return {
        name: name, type: type, yAxisIndex: axis,
        data: rows.map(function (r) { return { value: axis ? rate(r[key]) : r[key], ledger: r.ledger }; })
      };
    }
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 64, bottom: 30 },
      xAxis: { type: "category", data: x },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        series(ds.labelReceived, "received", 0, "bar"),
        series(ds.labelHandled, "handled", 0, "bar"),
        series(ds.labelRate, "response_rate", 1, "line"),
        series(ds.labelResolve, "resolve_rate", 1, "line"),
        series(ds.labelSatisfaction, "satisfaction_rate", 1, "line")
      ]
    };
  }

  function bar(el, rows, keys) {
    var ds = el.dataset;
    var names = { received: ds.labelReceived, handled: ds.labelHandled, overdue: ds.labelOverdue, buck_passing: ds.labelBuck };
    var list = rows.slice().reverse();
    return {
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 110, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: list.map(function (r) { return r.label; }), axisLabel: { width: 100, overflow: "truncate" } },
      series: keys.map(function (k) {
        return { name: names[k], type: "bar", data: list.map(function (r) { return { value: r[k], ledger: r.ledger }; }) };
      })
    };
  }

  function map(el, rows) {
    var ds = el.dataset;
    return {
      tooltip: {
        renderMode: "richText",
        formatter: function (p) { return p.data.name + "\n" + ds.labelOpen + " " + p.data.open + "  " + ds.labelOverdue + " " + p.data.overdue; }
      },
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "value", scale: true, name: "经度" },
      yAxis: { type: "value", scale: true, name: "纬度" },
      visualMap: {
        type: "piecewise", dimension: 3, orient: "horizontal", bottom: 0, left: "center",
        pieces: [
          { value: 0, label: "0", color: "#3a9d5d" },
          { min: 1, max: 2, label: "1–2", color: "#e6a23c" },
          { min: 3, label: "≥3", color: "#d9534f" }
        ],
        text: [ds.labelOverdue]
      },
      series: [{
        type: "scatter",
        symbolSize: function (v) { return 10 + Math.min(30, v[2] * 3); },
        data: rows.map(function (r) {
          return { name: r.label, value: [r.lon, r.lat, r.open, r.overdue], open: r.open, overdue: r.overdue, ledger: r.overdue ? r.ledger_overdue : r.ledger };
        }),
        label: { show: true, formatter: function (p) { return p.data.name; }, position: "right", fontSize: 10 }
      }]
    };
  }

  function draw(el) {
    if (!window.echarts) { return; }
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        if (!rows.length) { el.textContent = el.dataset.empty; el.classList.add("muted"); return; }
        var kind = el.dataset.chart;
        var option = kind === "trend" ? trend(el, rows)
          : kind === "map" ? map(el, rows)
          : kind === "rank" ? bar(el, rows, [el.dataset.key])
          : bar(el, rows, ["received", "handled"]);
        var chart = window.echarts.init(el, null, { renderer: "canvas" });
        chart.setOption(option);
        chart.on("click", go);
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
