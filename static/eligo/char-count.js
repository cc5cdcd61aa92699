/* Eligo: a live character count under each text field with a limit.
 * The server marks such fields with data-char-count (screening/forms/limits.py) and
 * says the limit in their help text; the browser stops typing at maxlength without a
 * word, so the count tells how much room is left, and the limit being reached is
 * announced once to screen readers. */
(function () {
  "use strict";

  var SELECTOR = "[data-char-count][maxlength]";

  function counterFor(field) {
    var id = field.id + "_count";
    var counter = document.getElementById(id);
    if (counter) return counter;
    counter = document.createElement("div");
    counter.id = id;
    counter.className = "form-text char-count";
    var shown = document.createElement("span");
    shown.className = "char-count-text";
    var said = document.createElement("span");
    said.className = "visually-hidden";
    said.setAttribute("aria-live", "polite");
    counter.appendChild(shown);
    counter.appendChild(said);
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + id : id);
    return counter;
  }

  function update(field) {
    if (!field.id) return;
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!(limit > 0)) return;
    var used = field.value.length;
    var counter = counterFor(field);
    var full = used >= limit;
    counter.querySelector(".char-count-text").textContent =
      used.toLocaleString("en") + " of " + limit.toLocaleString("en") + " characters" +
      (full ? " — limit reached" : "");
    counter.classList.toggle("char-count-full", full);
    var said = counter.querySelector("[aria-live]");
    var words = full ? "Limit of " + limit.toLocaleString("en") + " characters reached." : "";
    if (said.textContent !== words) said.textContent = words;
  }

  function updateAll(root) {
    var fields = root.querySelectorAll(SELECTOR);
    for (var i = 0; i < fields.length; i++) update(fields[i]);
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches(SELECTOR)) update(field);
  });
  // Fields that arrive later (an htmx swap) get their counter too.
  document.addEventListener("htmx:afterSettle", function (event) {
    updateAll(event.target || document);
  });
  updateAll(document);
})();
