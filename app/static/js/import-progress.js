// The import page's progress: poll the job's status and reload the page when it is done.
// Without JavaScript the page refreshes itself (a <noscript> refresh).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.finished) { window.location.assign(box.dataset.pageUrl); return; }
        bar.max = s.total || 1;
        bar.value = s.done;
        count.textContent = s.done + " of " + s.total + " records.";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
