// Small behaviours of every page, declared with data-* attributes instead of inline
// handlers (the Content-Security-Policy allows no inline script):
//   <button data-print>                          prints the page
//   <select data-autosubmit>                     submits its form on change
//   <input data-on-change-set="preset=custom">   sets another field of its form on change
(function () {
  function once(el, type, fn) {
    if (el.dataset.gzBound) { return; }
    el.dataset.gzBound = "1";
    el.addEventListener(type, function () { fn(el); });
  }
  function print() { window.print(); }
  function submit(el) { el.form.submit(); }
  // Until every template uses the attributes: the few inline handlers still in templates
  // get the same behaviour here (the browser refuses to run the inline code itself). Only
  // these exact texts are recognised; nothing is evaluated.
  var legacy = {
    "click window.print()": print,
    "change this.form.submit()": submit,
    "change this.form.preset.value='custom'": function (el) { el.form.elements.preset.value = "custom"; }
  };
  function bind(root) {
    root.querySelectorAll("[data-print]").forEach(function (el) { once(el, "click", print); });
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) { once(el, "change", submit); });
    root.querySelectorAll("[data-on-change-set]").forEach(function (el) {
      var pair = el.dataset.onChangeSet.split("=");
      once(el, "change", function () { el.form.elements[pair[0]].value = pair[1]; });
    });
    ["click", "change"].forEach(function (type) {
      root.querySelectorAll("[on" + type + "]").forEach(function (el) {
        var fn = legacy[type + " " + el.getAttribute("on" + type).trim()];
        if (fn) { once(el, type, fn); }
      });
    });
  }
  function start() {
    bind(document);
    document.body.addEventListener("htmx:load", function (evt) { bind(evt.detail.elt); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
