/* The questionnaire form in the browser: no rules here.
   On every change the form is posted to the server's evaluate endpoint, which applies
   the questionnaire's relevance, calculations and checks with the same code as a save;
   this script only shows and hides fields, fills calculated values and shows problems
   of the fields the person has already touched. Without it the form still works. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-evaluate-url]");
  if (!form) return;
  var url = form.getAttribute("data-evaluate-url");
  var touched = new Set();
  var timer = null;
  var sent = 0;
  var lastChanged = "";

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setErrors(list, messages) {
    while (list.firstChild) list.removeChild(list.firstChild);
    messages.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    var holder = list.closest("[data-field]");
    if (holder) holder.classList.toggle("has-error", messages.length > 0);
  }

  function apply(state) {
    var relevant = new Set(state.relevant);
    form.querySelectorAll("[data-field]").forEach(function (el) {
      el.hidden = !relevant.has(el.getAttribute("data-field"));
    });
    form.querySelectorAll("[data-section]").forEach(function (el) {
      var names = (el.getAttribute("data-fields") || "").split(" ");
      el.hidden = !names.some(function (name) { return relevant.has(name); });
    });
    form.querySelectorAll("[data-calculated]").forEach(function (el) {
      var value = state.calculated[el.getAttribute("data-calculated")];
      el.textContent = value === undefined || value === null || value === "" ? "—" : value;
    });
    form.querySelectorAll("[data-errors-for]").forEach(function (list) {
      var key = list.getAttribute("data-errors-for");
      if (touched.has(key)) setErrors(list, state.problems[key] || []);
    });
    applyOdk(state);
  }

  /* What the form's definition decides, computed by the server: the choices of
     cascading selects, labels with ${field} in them, repeat counts, trigger values. */
  function applyOdk(state) {
    var cascade = false;
    Object.keys(state.choices || {}).forEach(function (name) {
      var allowed = new Set(state.choices[name]);
      var holder = form.querySelector('[data-field="' + name + '"]');
      if (!holder) return;
      holder.querySelectorAll("option[value], input[type=radio], input[type=checkbox]").forEach(function (input) {
        if (input.value === "") return;
        var ok = allowed.has(input.value);
        var shown = input.tagName === "OPTION" ? input : input.closest("label") || input;
        shown.hidden = !ok;
        input.disabled = !ok;
        if (!ok && (input.selected || input.checked)) {
          input.selected = false;
          input.checked = false;
          cascade = true;
        }
      });
    });
    Object.keys(state.labels || {}).forEach(function (name) {
      form.querySelectorAll('[data-label-for="' + name + '"]').forEach(function (el) {
        el.textContent = state.labels[name];
      });
    });
    var resized = false;
    Object.keys(state.repeat_counts || {}).forEach(function (name) {
      var wanted = state.repeat_counts[name];
      var repeats = form.querySelectorAll('[data-repeat="' + name + '"]');
      if (!Array.isArray(wanted)) {
        if (repeats.length) resized = fitEntries(repeats[0], wanted) || resized;
        return;
      }
      // A repeat inside a repeat: a count per entry of the outer repeat, in the order
      // the entries show (the entries saved before membership was kept, shown after the
      // outer repeat, are left as they are).
      var inner = Array.prototype.filter.call(repeats, function (repeat) {
        return repeat.parentElement.closest("[data-entry]");
      });
      inner.forEach(function (repeat, i) {
        if (i < wanted.length) resized = fitEntries(repeat, wanted[i]) || resized;
      });
    });
    Object.keys(state.set || {}).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input && input.type !== "radio" && input.type !== "checkbox") input.value = state.set[name];
    });
    // New outer entries get their inner counts from the next evaluation.
    if (cascade || resized) schedule(50);
  }

  /* Give a repeat the number of entries its repeat_count asks; true if it changed. */
  function fitEntries(repeat, wanted) {
    var entries = repeat.querySelector(":scope > .entries");
    var before = entries.children.length;
    var own = ":scope > .add-entry, :scope > .entries > [data-entry] > .remove-entry";
    repeat.querySelectorAll(own).forEach(function (b) { b.hidden = true; });
    while (entries.children.length > wanted) entries.lastElementChild.remove();
    while (entries.children.length < wanted) {
      var count = entries.children.length;
      addEntry(repeat, false);
      if (entries.children.length === count) break; // nothing to copy: a read-only repeat
    }
    repeat.querySelectorAll(own).forEach(function (b) { b.hidden = true; });
    return entries.children.length !== before;
  }

  function evaluate() {
    var number = ++sent;
    form.setAttribute("aria-busy", "true");
    var body = new URLSearchParams(new FormData(form));
    body.set("_changed", lastChanged);
    lastChanged = "";
    fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) throw new Error("evaluate: " + response.status);
        return response.json();
      })
      .then(function (state) {
        if (number !== sent) return; // a newer answer is on its way
        apply(state);
        form.setAttribute("data-evaluated", String(number));
        form.removeAttribute("aria-busy");
      })
      .catch(function () {
        // Offline or logged out: nothing is lost, the server checks again on save.
        form.removeAttribute("aria-busy");
      });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(evaluate, delay);
  }

  function changed(event) {
    if (event.target.name) {
      touched.add(event.target.name);
      lastChanged = event.target.name;
    }
    schedule(event.type === "input" ? 400 : 50);
  }

  function nextIndex(repeat) {
    // A repeat inside a repeat shows its entries in each outer entry: the indexes are
    // counted over all of them, as the inputs' names share one list.
    var highest = -1;
    var name = repeat.getAttribute("data-repeat");
    form.querySelectorAll('[data-repeat="' + name + '"] > .entries > [data-entry]').forEach(function (entry) {
      var index = parseInt(entry.getAttribute("data-entry"), 10);
      if (index > highest) highest = index;
    });
    return highest + 1;
  }

  function addEntry(repeat, focus) {
    var entries = repeat.querySelector(":scope > .entries");
    var template = repeat.querySelector(":scope > template");
    if (!template) return;
    var placeholder = repeat.getAttribute("data-placeholder") || "__index__";
    entries.insertAdjacentHTML("beforeend", template.innerHTML.split(placeholder).join(String(nextIndex(repeat))));
    var first = entries.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
    if (focus && first) first.focus();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("click", function (event) {
    var add = event.target.closest(".add-entry");
    if (add) {
      addEntry(add.closest("[data-repeat]"), true);
      evaluate();
      return;
    }
    var remove = event.target.closest(".remove-entry");
    if (remove) {
      remove.closest("[data-entry]").remove();
      evaluate();
    }
  });
  form.setAttribute("data-ready", "true");
})();
