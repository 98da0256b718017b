// Small behaviours of every page, declared with data-* attributes instead of inline
// handlers (the Content-Security-Policy allows no inline script):
//   <button data-print>                          prints the page
//   <select data-autosubmit>                     submits its form on change
//   <input data-on-change-set="preset=custom">   sets another field of its form on change
//   <button data-nav-toggle aria-controls=ID>     opens and closes the menu on a phone
//   <input data-filter-list>                     hides the choices of its .unit-picker that
//                                                do not contain the typed text
(function () {
  // Styles that need the script (the folded menu) apply only where it runs.
  document.documentElement.classList.add("js");
  function once(el, type, fn) {
    if (el.dataset.gzBound) { return; }
    el.dataset.gzBound = "1";
    el.addEventListener(type, function () { fn(el); });
  }
  function print() { window.print(); }
  function submit(el) { el.form.submit(); }
  function filterList(el) {
    var text = el.value.trim().toLowerCase();
    var picker = el.closest(".unit-picker");
    if (!picker) { return; }
    picker.querySelectorAll(".unit-list label").forEach(function (label) {
      var hit = !text || label.textContent.toLowerCase().indexOf(text) >= 0;
      label.hidden = !hit && !label.querySelector("input").checked;
    });
  }
  function toggleNav(el) {
    var nav = document.getElementById(el.getAttribute("aria-controls"));
    var open = nav.classList.toggle("open");
    el.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function bind(root) {
    root.querySelectorAll("[data-nav-toggle]").forEach(function (el) { once(el, "click", toggleNav); });
    root.querySelectorAll("[data-filter-list]").forEach(function (el) { once(el, "input", filterList); });
    root.querySelectorAll("[data-print]").forEach(function (el) { once(el, "click", print); });
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) { once(el, "change", submit); });
    root.querySelectorAll("[data-on-change-set]").forEach(function (el) {
      var pair = el.dataset.onChangeSet.split("=");
      once(el, "change", function () { el.form.elements[pair[0]].value = pair[1]; });
    });
  }
  function start() {
    bind(document);
    document.body.addEventListener("htmx:load", function (evt) { bind(evt.detail.elt); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
