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

  var pending = null;
  function load(url, push) {
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
        var focusedId = document.activeElement && document.activeElement.id;
        layout.replaceWith(fresh);
        document.title = doc.title;
        if (push) { window.history.pushState({ url: url }, "", url); }
        bind();
        var again = focusedId && document.getElementById(focusedId);
        if (again) { again.focus(); }
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
  window.addEventListener("popstate", function () { load(window.location.href, false); });

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
