/* Eligo data entry: the "Use µmol/L" button beside a figure that fits another unit.
 * It chooses that unit in the field's unit list and lets the form's change event run
 * the live panel again. The buttons are rendered hidden and shown here, so that without
 * JavaScript no button does nothing; the question beside the field stays either way. */
(function () {
  "use strict";

  function reveal(root) {
    var buttons = (root || document).querySelectorAll("[data-switch-unit][hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-switch-unit]");
    if (!button) return;
    event.preventDefault();
    var select = document.querySelector('select[name="' + button.getAttribute("data-switch-unit") + '"]');
    if (!select) return;
    select.value = button.getAttribute("data-unit");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    select.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
