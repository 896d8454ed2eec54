// The report's filter form: the value list shows the values of the chosen field only.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-filters]");
  if (!form) return;
  var field = form.querySelector("[data-filter-field]"), value = form.querySelector("[data-filter-value]");
  function show() {
    value.value = "";
    value.querySelectorAll("optgroup").forEach(function (group) {
      var on = !field.value || group.dataset.field === field.value;
      group.hidden = !on; group.disabled = !on;
    });
  }
  field.addEventListener("change", show);
  show();
})();
