/* The admin's scheduled-job form: under the crontab choice, say in words when the
 * chosen schedule runs (django-celery-beat does this with an inline script, which
 * Eligo's Content-Security-Policy refuses; this is the same behaviour from a file).
 * The words come from the page's "readable-crontabs" data block, never as markup;
 * the label from the script tag, translated on the server. */
(function () {
  "use strict";

  var label = document.currentScript ? document.currentScript.dataset.label : "";

  function ready() {
    var data = document.getElementById("readable-crontabs");
    var select = document.getElementById("id_crontab");
    var help = document.querySelector(".field-crontab .help");
    if (!data || !select || !help) return;
    var readable = JSON.parse(data.textContent);
    var original = help.textContent;
    var translation = document.querySelector(".field-crontab_translation");
    if (translation) translation.style.display = "none";

    select.addEventListener("change", function () {
      help.textContent = original;
      var words = readable[select.value];
      if (words) {
        help.appendChild(document.createElement("br"));
        help.appendChild(document.createTextNode(label + " " + words));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
