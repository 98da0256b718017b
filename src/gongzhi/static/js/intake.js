// The staff intake form: Ctrl+Enter submits; a suggested matter's button sets the
// matter field (and tells htmx it changed).
(function () {
  function start() {
    var form = document.querySelector("[data-ctrl-enter]");
    if (!form) { return; }
    form.addEventListener("keydown", function (evt) {
      if (evt.key === "Enter" && (evt.ctrlKey || evt.metaKey)) {
        evt.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("click", function (evt) {
      var el = evt.target.closest("[data-set-field]");
      if (!el) { return; }
      var pair = el.dataset.setField.split("=");
      var field = form.elements[pair[0]];
      field.value = pair[1];
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
