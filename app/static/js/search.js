/* Search page, progressively enhanced: suggestions as one types, and facet changes that update
   the results without a full reload. Without this script every control still works as a GET form. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || !window.fetch || !window.history || !window.URLSearchParams) { return; }
  document.documentElement.classList.add("js-enhanced");

  function currentUrl() {
    var params = new URLSearchParams();
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if (!el.name || el.disabled) { continue; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { continue; }
      if (el.value === "" || (el.name === "sort" && el.value === "relevance")) { continue; }
      params.append(el.name, el.value);
    }
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  var phone = window.matchMedia ? window.matchMedia("(max-width: 39.99em)") : null;
  var status = document.getElementById("results-status");

  // On a phone the filters start closed, below the results.
  function closeFiltersOnPhone() {
    var filters = document.getElementById("filters");
    if (filters && phone && phone.matches) { filters.open = false; }
  }
  closeFiltersOnPhone();

  // After every update: the one live region's text changes, focus and view go to the count.
  function announce() {
    var count = document.getElementById("results-count");
    if (!count) { return; }
    var text = count.textContent.replace(/\s+/g, " ").trim();
    if (status) { status.textContent = text; }
    count.focus({ preventScroll: true });
    count.scrollIntoView({ block: "start" });
  }

  var pending = null;
  function load(url, push) {
    url = url.split("#")[0];
    var results = document.getElementById("results");
    var layout = document.querySelector(".search-layout");
    if (!layout) { window.location.assign(url); return; }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    if (results) { results.setAttribute("aria-busy", "true"); }
    fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(".search-layout");
        if (!fresh) { window.location.assign(url); return; }
        var oldFilters = document.getElementById("filters");
        var freshFilters = fresh.querySelector("#filters");
        if (oldFilters && freshFilters) { freshFilters.open = oldFilters.open; }
        layout.replaceWith(fresh);
        document.title = doc.title;
        if (push) { window.history.pushState({ url: url }, "", url); }
        shown = window.location.pathname + window.location.search;
        bind();
        announce();
      })
      .catch(function (err) { if (err.name !== "AbortError") { window.location.assign(url); } });
  }

  function bind() {
    var layout = document.querySelector(".search-layout");
    if (!layout) { return; }
    layout.addEventListener("change", function (event) {
      if (event.target.form === form && event.target.type === "checkbox") { load(currentUrl(), true); }
    });
    layout.addEventListener("click", function (event) {
      var link = event.target.closest("a.chip, a.chips__clear, .usa-pagination a");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      load(link.href, true);
    });
  }
  bind();

  var sort = document.getElementById("sort");
  if (sort) { sort.addEventListener("change", function () { load(currentUrl(), true); }); }
  // A link to a part of the page ("Skip to results") changes only the fragment: no reload.
  var shown = window.location.pathname + window.location.search;
  window.addEventListener("popstate", function () {
    var now = window.location.pathname + window.location.search;
    if (now === shown) { return; }
    load(window.location.href, false);
  });

  // Suggestions as one types, into the search box's datalist.
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  var timer = null;
  if (box && list) {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var value = box.value.trim();
      if (value.length < 2) { list.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch(box.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(value))
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.innerHTML = "";
            data.suggestions.forEach(function (text) {
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
})();
