// Search form: the stages of the chosen pathway only, and commune suggestions as you type.
(function () {
  "use strict";

  function stageFilter() {
    var pathway = document.getElementById("pathway");
    var stage = document.getElementById("stage");
    if (!pathway || !stage) { return; }
    function apply() {
      var chosen = pathway.value;
      var groups = stage.querySelectorAll("optgroup");
      var keep = false;
      groups.forEach(function (g) {
        var show = !chosen || g.getAttribute("data-pathway") === chosen;
        g.hidden = !show;
        g.disabled = !show;
        if (show && stage.selectedOptions.length && stage.selectedOptions[0].parentNode === g) { keep = true; }
      });
      if (!keep) {
        var first = chosen ? stage.querySelector('optgroup[data-pathway="' + CSS.escape(chosen) + '"] option') : null;
        stage.value = first ? first.value : "";
      }
    }
    pathway.addEventListener("change", apply);
    stage.addEventListener("change", function () {
      var opt = stage.selectedOptions[0];
      if (opt && opt.parentNode && opt.parentNode.getAttribute) {
        var p = opt.parentNode.getAttribute("data-pathway");
        if (p && pathway.value !== p) { pathway.value = p; apply(); }
      }
    });
    apply();
  }

  function communeSuggestions() {
    var input = document.getElementById("commune");
    var list = document.getElementById("commune-suggestions");
    if (!input || !list) { return; }
    var url = input.getAttribute("data-suggest-url");
    var timer = null, active = -1, items = [], seq = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      items = [];
    }
    function choose(i) {
      if (i < 0 || i >= items.length) { return; }
      input.value = items[i].label;
      close();
    }
    function highlight(i) {
      var lis = list.querySelectorAll("li");
      lis.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (lis[i]) {
        input.setAttribute("aria-activedescendant", lis[i].id);
        lis[i].scrollIntoView({ block: "nearest" });
      }
    }
    function render(communes) {
      list.textContent = "";
      items = communes;
      if (!communes.length) { close(); return; }
      communes.forEach(function (c, i) {
        var li = document.createElement("li");
        li.id = "commune-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = c.label;
        var cp = document.createElement("span");
        cp.className = "cp";
        cp.textContent = (c.postal_codes || []).join(", ");
        li.appendChild(name);
        li.appendChild(cp);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++seq;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { communes: [] }; })
        .then(function (data) { if (mine === seq) { render(data.communes || []); } })
        .catch(function () { if (mine === seq) { close(); } });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    stageFilter();
    communeSuggestions();
  });
})();
