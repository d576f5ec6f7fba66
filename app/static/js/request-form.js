/* The request form, progressively enhanced. Without this script every "Add another" button
   saves the section and comes back with one more empty row; with it, the row is added at once.
   Inputs marked data-suggest also ask the server for matching taxonomy terms as one types. */
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  if (!form) { return; }

  function renumber(row, prefix, index) {
    var pattern = new RegExp("^" + prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-\\d+");
    var attrs = ["name", "id", "for", "aria-describedby"];
    var nodes = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
    nodes.forEach(function (node) {
      attrs.forEach(function (attr) {
        var value = node.getAttribute(attr);
        if (!value) { return; }
        var fresh = value.split(" ").map(function (part) {
          return part.replace(pattern, prefix + "-" + index);
        }).join(" ");
        node.setAttribute(attr, fresh);
      });
    });
    row.querySelectorAll("[data-repeat-number]").forEach(function (node) {
      node.textContent = String(index + 1);
    });
  }

  function clean(row) {
    row.querySelectorAll(".usa-error-message").forEach(function (node) {
      var id = node.id;
      node.parentNode.removeChild(node);
      row.querySelectorAll("[aria-describedby]").forEach(function (el) {
        var rest = el.getAttribute("aria-describedby").split(" ").filter(function (part) {
          return part !== id;
        });
        if (rest.length) { el.setAttribute("aria-describedby", rest.join(" ")); }
        else { el.removeAttribute("aria-describedby"); }
      });
    });
    row.querySelectorAll(".usa-form-group--error").forEach(function (node) {
      node.classList.remove("usa-form-group--error");
    });
    if (row.classList.contains("usa-form-group--error")) { row.classList.remove("usa-form-group--error"); }
    row.querySelectorAll(".usa-input--error, .usa-label--error").forEach(function (node) {
      node.classList.remove("usa-input--error");
      node.classList.remove("usa-label--error");
    });
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else { el.value = ""; }
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-repeat-add]");
    if (!button) { return; }
    var group = button.closest("[data-repeat]");
    var rows = group && group.querySelectorAll("[data-repeat-row]");
    if (!rows || !rows.length) { return; }
    event.preventDefault();
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    clean(row);
    renumber(row, group.getAttribute("data-repeat"), rows.length);
    last.parentNode.appendChild(row);
    var first = row.querySelector("input, textarea, select");
    if (first) { first.focus(); }
  });

  // Suggestions from the taxonomy as one types (the server-rendered list works without this).
  if (!window.fetch) { return; }
  var endpoint = form.getAttribute("data-taxonomy-url");
  if (!endpoint) { return; }
  var timers = {};
  form.addEventListener("input", function (event) {
    var input = event.target;
    var kind = input.getAttribute && input.getAttribute("data-suggest");
    var listId = input.getAttribute && input.getAttribute("list");
    if (!kind || !listId || input.value.trim().length < 2) { return; }
    clearTimeout(timers[listId]);
    timers[listId] = setTimeout(function () {
      var url = endpoint.replace("__kind__", encodeURIComponent(kind)) +
        "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (terms) {
          var list = document.getElementById(listId);
          if (!list || !terms.length) { return; }
          list.textContent = "";
          terms.forEach(function (term) {
            var option = document.createElement("option");
            option.value = term.code;
            option.textContent = term.title;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the full list stays */ });
    }, 200);
  });
})();
