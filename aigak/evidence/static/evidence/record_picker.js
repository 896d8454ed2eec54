// The record picker: an input marked data-record-picker="URL" lists, as one types, the
// records a search finds (name, questionnaire, id, date) in its datalist; picking one
// puts "questionnaire/record id" in the input. Without scripts the input takes an id.
(function () {
  "use strict";
  function label(record) {
    return [record.name, record.title, record.record_id, record.date].filter(Boolean).join(" · ");
  }
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.recordPicker;
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value.trim();
        if (query.length < 2 || query === asked || query.indexOf("/") > 0) return;
        asked = query;
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { records: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.records.forEach(function (record) {
              var option = document.createElement("option");
              option.value = record.questionnaire + "/" + record.record_id;
              option.label = label(record);
              option.textContent = label(record);
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }
  document.querySelectorAll("input[data-record-picker]").forEach(attach);
})();
