/* Eligo screening forms: "Add another" rows for medication courses and history events.
 * Each group is a Django formset; the row template holds the empty form with __prefix__. */
(function () {
  "use strict";

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("tpl-" + prefix);
    if (!total || !template) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var group = document.querySelector('[data-prefix="' + prefix + '"] tbody');
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var first = null;
    while (holder.firstElementChild) {
      var row = holder.firstElementChild;
      group.appendChild(row);
      if (!first) first = row;
    }
    total.value = String(index + 1);
    var input = first && first.querySelector("select, input:not([type=hidden])");
    if (input) input.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    event.preventDefault();
    addRow(button.getAttribute("data-add-row"));
  });
})();
