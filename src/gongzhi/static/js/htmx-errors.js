// Show the answer of a refused action (400/403/409/422) in place, like a success.
document.body.addEventListener("htmx:beforeSwap", function (evt) {
  var s = evt.detail.xhr.status;
  if (s === 400 || s === 403 || s === 409 || s === 422) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
