/* Behaviour every page shares, kept out of the pages: the Content-Security-Policy
   allows no inline script or event handler. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
