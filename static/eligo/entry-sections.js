/* Eligo's data-entry form: one section at a time, the reason for change where the
 * user is, and the sticky save bar kept clear of the focused field.
 *
 * Without this script the page is one long form with jump links to each section.
 * With it the links become WAI-ARIA tabs (arrow keys, Home and End move between
 * them); the chosen section is kept in the URL hash (#section-labs), so a reload,
 * Back and a save come back to it. Sections are only hidden, never removed: the
 * form stays one form, so every value typed in any section is posted, to the live
 * panel as to the save. A link to a field in a hidden section (the error summary,
 * the panel's missing facts) opens that section first.
 */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  if (!form) return;
  var root = document.documentElement;
  // Posted without the URL's hash: a redirect would carry it on to the next page. The
  // section travels in the form instead (entry_section), and the save comes back to it.
  form.setAttribute("action", location.pathname + location.search);

  /* --- The sticky save bar never hides the focused field --------------------------- */
  // The page's scroll-padding-bottom (eligo.css) follows the bar's height, which grows
  // when the reason box opens or the buttons wrap on a tablet.
  var bar = form.querySelector("[data-save-bar]");
  function measureBar() {
    if (bar) root.style.setProperty("--save-bar-height", bar.offsetHeight + "px");
  }
  measureBar();
  if (bar && "ResizeObserver" in window) new ResizeObserver(measureBar).observe(bar);
  // The browser does not scroll a field that is already partly in view: one half under
  // the bar stays there. Scroll it clear, at once (not smoothly), so it reads whole.
  function keepClear(field) {
    if (!bar || bar.contains(field) || !field.getBoundingClientRect) return;
    var box = field.getBoundingClientRect();
    var gap = box.bottom + 8 - bar.getBoundingClientRect().top;
    if (gap > 0 && box.top - gap >= 0) window.scrollBy({ top: gap, behavior: "instant" });
  }
  form.addEventListener("focusin", function (event) {
    keepClear(event.target);
    window.requestAnimationFrame(function () {
      keepClear(event.target);
    });
  });

  /* --- Reason for change: shown when a saved value changes -------------------------- */
  var reasonBox = form.querySelector("[data-reason-box]");
  var covers = form.querySelector("[data-reason-covers]");
  var announce = form.querySelector("[data-changed-announce]");
  var savedItems = Array.prototype.slice.call(form.querySelectorAll(".entry-item[data-saved]"));

  function controlsOf(item) {
    return Array.prototype.filter.call(
      item.querySelectorAll("input, select, textarea"),
      function (c) {
        if (!c.name || c.type === "hidden" || /__confirm$/.test(c.name)) return false;
        // A row added to saved rows is new data, not a change: only saved rows count.
        var row = c.closest("tr.entry-row");
        var id = row && row.querySelector('input[name$="-row_id"]');
        return !row || (id && id.value);
      }
    );
  }
  function stateOf(item) {
    return controlsOf(item)
      .map(function (c) {
        if (c.type === "checkbox" || c.type === "radio") return c.checked ? c.name + "=" + c.value : "";
        return c.name + "=" + c.value;
      })
      .join("&");
  }
  var snapshot = savedItems.map(stateOf);
  var changedBefore = [];

  function changedItems() {
    return savedItems.filter(function (item, i) {
      return item.hasAttribute("data-changed") || stateOf(item) !== snapshot[i];
    });
  }
  function reasonGiven() {
    return Array.prototype.some.call(reasonBox.querySelectorAll("select, input[type=text]"), function (c) {
      return c.value;
    });
  }
  function updateChanged() {
    if (!reasonBox) return;
    var changed = changedItems();
    savedItems.forEach(function (item) {
      var on = changed.indexOf(item) !== -1;
      item.classList.toggle("is-changed", on);
      var note = item.querySelector(".changed-note");
      if (note) note.hidden = !on;
    });
    var invalid = reasonBox.querySelector(".is-invalid");
    reasonBox.hidden = !changed.length && !invalid && !reasonGiven();
    // The words come from the page (data-words-*), in the user's language.
    if (covers) {
      covers.textContent = "";
      if (changed.length) {
        covers.appendChild(document.createTextNode(reasonBox.getAttribute("data-words-changed") + " "));
        changed.forEach(function (item, i) {
          var link = document.createElement("a");
          link.href = "#" + item.id;
          link.textContent = item.getAttribute("data-label");
          covers.appendChild(link);
          if (i < changed.length - 1) covers.appendChild(document.createTextNode(", "));
        });
        covers.appendChild(document.createTextNode(". "));
      }
    }
    var fresh = changed.filter(function (item) {
      return changedBefore.indexOf(item) === -1;
    });
    if (announce && fresh.length) {
      var names = fresh.map(function (item) { return item.getAttribute("data-label"); });
      announce.textContent = reasonBox
        .getAttribute("data-words-announce")
        .replace("%(fields)s", names.join(", "));
    }
    changedBefore = changed;
    measureBar();
  }
  if (reasonBox) {
    updateChanged();
    form.addEventListener("input", updateChanged);
    form.addEventListener("change", updateChanged);
  }

  /* --- Sections as tabs ------------------------------------------------------------ */
  var list = document.querySelector("[data-section-list]");
  var tabs = list ? Array.prototype.slice.call(list.querySelectorAll("a[data-section]")) : [];
  if (tabs.length < 2) return; // one section: nothing to step through
  var panels = {};
  tabs.forEach(function (tab) {
    var code = tab.getAttribute("data-section");
    var panel = document.getElementById("section-" + code);
    panels[code] = panel;
    tab.parentElement.setAttribute("role", "presentation");
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
  });
  list.setAttribute("role", "tablist");
  var nav = document.querySelector("[data-section-nav]");
  list.setAttribute("aria-label", nav.getAttribute("data-tablist-label"));
  root.classList.add("entry-tabs");

  function codeOf(tab) {
    return tab.getAttribute("data-section");
  }
  function byHash(hash) {
    try {
      var id = decodeURIComponent((hash || "").replace(/^#/, ""));
      return id ? document.getElementById(id) : null;
    } catch (e) {
      return null; // a malformed address: nothing to open
    }
  }
  function sectionFor(hash) {
    var el = byHash(hash);
    var panel = el && el.closest(".entry-section[data-section]");
    return panel ? panel.getAttribute("data-section") : null;
  }
  function select(code, history_) {
    if (!panels[code]) return;
    tabs.forEach(function (tab) {
      var on = codeOf(tab) === code;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      tab.classList.toggle("active", on);
      panels[codeOf(tab)].hidden = !on;
    });
    var hash = "#section-" + code;
    if (history_ === "push" && location.hash !== hash) window.history.pushState(null, "", hash);
    if (history_ === "replace") window.history.replaceState(null, "", hash);
    // A save (or a refusal) comes back to the section the user was in.
    var current = form.querySelector("[data-current-section]");
    if (current) current.value = code;
  }
  function showTop(code) {
    var panel = panels[code];
    if (panel.getBoundingClientRect().top < 0) panel.scrollIntoView({ block: "start" });
  }

  list.addEventListener("keydown", function (event) {
    var i = tabs.indexOf(event.target);
    if (i === -1) return;
    var to = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") to = tabs[(i + 1) % tabs.length];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") to = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") to = tabs[0];
    else if (event.key === "End") to = tabs[tabs.length - 1];
    else if (event.key === " ") to = tabs[i];
    if (!to) return;
    event.preventDefault();
    select(codeOf(to), "replace");
    to.focus();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    if (tabs.indexOf(link) !== -1 || link.hasAttribute("data-step")) {
      // A tab, or Previous/Next at the foot of a section.
      event.preventDefault();
      var code = link.getAttribute("data-section") || link.getAttribute("data-step");
      select(code, "push");
      showTop(code);
      if (link.hasAttribute("data-step")) document.getElementById("h-" + code).focus();
      return;
    }
    // Any other link into the form: open the section that holds its target first.
    var href = link.getAttribute("href");
    var target = byHash(href);
    if (!target) return;
    var code = sectionFor(href);
    if (code) select(code, "none");
    if (target.matches("input, select, textarea, button")) {
      event.preventDefault();
      window.history.pushState(null, "", href);
      target.focus();
    }
  });

  // Back and Forward: the section of the address; an address outside the form (the
  // panel's #criterion-E8b) leaves the section as it is.
  window.addEventListener("popstate", function () {
    var code = sectionFor(location.hash) || (location.hash ? null : codeOf(tabs[0]));
    if (code) select(code, "none");
  });
  window.addEventListener("hashchange", function () {
    var code = sectionFor(location.hash);
    if (code) select(code, "none");
  });

  // The first section with an error opens when a save comes back refused; otherwise
  // the one in the URL, or the first.
  var open = form.getAttribute("data-open-section");
  select(open || sectionFor(location.hash) || codeOf(tabs[0]), open ? "replace" : "none");
  var target = !open && byHash(location.hash);
  if (target && !target.matches(".entry-section")) target.scrollIntoView({ block: "center" });
})();
