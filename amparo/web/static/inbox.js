/* Findings inbox keyboard shortcuts: a progressive enhancement (the page works without it).
   j / k: next / previous finding; c, d, e: choose confirm, dismiss or escalate, then type
   the reason and press Enter; x: select for a bulk action; Escape: back to the finding. */
(function () {
  "use strict";
  var list = document.querySelector("[data-inbox]");
  if (!list) { return; }
  var hint = document.getElementById("shortcuts");
  if (hint) { hint.hidden = false; }
  var ACTIONS = { c: "confirm", d: "dismiss", e: "escalate" };

  function rows() { return Array.prototype.slice.call(list.querySelectorAll("li.finding")); }
  function rowOf(el) { return el && el.closest ? el.closest("li.finding") : null; }
  function focusRow(row) {
    if (!row) { return; }
    rows().forEach(function (r) { r.classList.remove("current"); });
    row.classList.add("current");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function choose(row, action) {
    var input = row.querySelector("input[name=reason]");
    row.querySelectorAll("button[name=action]").forEach(function (b) {
      b.classList.toggle("pending", b.value === action);
    });
    input.dataset.pending = action;
    input.focus();
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var target = ev.target;
    var row = rowOf(target);
    if (target.matches("input[type=text], input[type=date], select, textarea")) {
      if (ev.key === "Escape" && row) { focusRow(row); }
      if (ev.key === "Enter" && target.dataset.pending && target.value.trim()) {
        var button = target.form.querySelector("button[value=" + target.dataset.pending + "]");
        if (button) { ev.preventDefault(); button.click(); }
      }
      return;
    }
    var all = rows();
    var i = row ? all.indexOf(row) : -1;
    if (ev.key === "j") { ev.preventDefault(); focusRow(all[Math.min(all.length - 1, i + 1)]); }
    else if (ev.key === "k") { ev.preventDefault(); focusRow(all[Math.max(0, i - 1)]); }
    else if (row && ACTIONS[ev.key]) { ev.preventDefault(); choose(row, ACTIONS[ev.key]); }
    else if (row && ev.key === "x") {
      ev.preventDefault();
      var box = row.querySelector("input.select");
      box.checked = !box.checked;
    }
  });

  // After htmx swapped a decided row in place, keep the caseworker's place in the list.
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    var row = rowOf(ev.detail.elt) || document.getElementById(ev.detail.target.id);
    var next = row && row.nextElementSibling;
    focusRow(next || row);
  });
})();
