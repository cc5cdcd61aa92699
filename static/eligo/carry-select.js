/* Eligo: "Select all" / "Select none" for the values a rescreening carries over, for
 * each section and for the whole list. Without JavaScript the list is plain checkboxes;
 * this only adds the buttons. */
(function () {
  "use strict";

  function buttons(scope, what, words) {
    var group = document.createElement("div");
    group.className = "btn-group btn-group-sm mb-1 carry-toggles";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", what);
    [[words.all, true], [words.none, false]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary";
      button.textContent = pair[0];
      button.setAttribute("aria-label", pair[0] + ": " + what);
      button.addEventListener("click", function () {
        scope.querySelectorAll("input[type=checkbox][name=carry]").forEach(function (box) {
          box.checked = pair[1];
        });
      });
      group.appendChild(button);
    });
    return group;
  }

  function setUp() {
    document.querySelectorAll("[data-carry-all]").forEach(function (all) {
      var legend = all.querySelector("legend");
      if (!all.querySelector("input[name=carry]")) return;
      // The page gives the words in the user's language.
      var words = {
        all: all.dataset.selectAll || "Select all",
        none: all.dataset.selectNone || "Select none",
      };
      var whole = buttons(all, legend ? legend.textContent.trim() : "", words);
      whole.dataset.carryToggles = "all";
      (legend || all.firstChild).insertAdjacentElement("afterend", whole);
      all.querySelectorAll("[data-carry-section]").forEach(function (section) {
        var title = section.querySelector("legend");
        var own = buttons(section, title ? title.textContent.trim() : "", words);
        own.dataset.carryToggles = section.dataset.carrySection;
        (title || section.firstChild).insertAdjacentElement("afterend", own);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
