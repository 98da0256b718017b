// Keeps the countdowns of the page current without reloading; the server's text stands
// where scripts do not run. The translated phrases come from the script tag's data-*
// attributes (cases/_countdown.html), so the page needs no inline script.
(function () {
  var T = document.currentScript.dataset;
  function fmt(s, o) { return s.replace(/%\((\w+)\)[sd]/g, function (_, k) { return o[k]; }); }
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - Date.now();
      var over = left < 0, secs = Math.floor(Math.abs(left) / 1000);
      var d = Math.floor(secs / 86400), h = Math.floor(secs % 86400 / 3600), m = Math.floor(secs % 3600 / 60);
      var span = d ? fmt(T.d, {d: d, h: h}) : h ? fmt(T.h, {h: h, m: m}) : fmt(T.m, {m: m});
      el.textContent = fmt(over ? T.over : T.left, {what: el.dataset.what, span: span});
      if (over) { el.classList.add("overdue"); el.classList.remove("soon"); var tr = el.closest("tr"); if (tr) tr.classList.add("overdue"); }
      else if (left < 4 * 3600 * 1000) { el.classList.add("soon"); }
    });
  }
  setInterval(tick, 30000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
