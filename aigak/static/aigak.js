/* Behaviour every page shares, kept out of the pages: the Content-Security-Policy
   allows no inline script or event handler. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var form = all.getAttribute("data-check-all");
      document.querySelectorAll('input[type=checkbox][name=ids][form="' + form + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  /* A search or filter form sends only the fields that hold something: clean addresses,
     no "?q=&status=&f_gender=". */
  document.querySelectorAll("form[method=get]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name], select[name]").forEach(function (input) {
        if (!input.value) { input.disabled = true; }
      });
      window.setTimeout(function () {
        form.querySelectorAll("[name]:disabled").forEach(function (input) { input.disabled = false; });
      }, 0);
    });
  });
})();
