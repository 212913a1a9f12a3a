// Progressive enhancement of /zoeken: results follow typing and facet clicks without a page
// load. The server renders the results fragment (escaped HTML), so this script only swaps it.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch || !window.URLSearchParams) return;
  var input = document.getElementById("q");
  var timer = null;
  var latest = 0;

  function load(url, push) {
    var ticket = ++latest;
    var fragment = url + (url.indexOf("?") < 0 ? "?" : "&") + "partial=1";
    fetch(fragment, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ticket !== latest) return;  // A newer request is under way.
        results.innerHTML = html;
        if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
      })
      .catch(function () { window.location.href = url; });
  }

  function formUrl() {
    var params = new URLSearchParams(new FormData(form));
    return form.getAttribute("action") + "?" + params.toString();
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(formUrl(), false); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(formUrl(), true);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "sort") load(formUrl(), true);
  });
  results.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || link.getAttribute("href").indexOf("/zoeken?") !== 0) return;
    event.preventDefault();
    // Keep the form's hidden filters in step with the clicked facet.
    var params = new URLSearchParams(link.getAttribute("href").split("?")[1]);
    ["type", "year", "theme", "form", "status", "language"].forEach(function (name) {
      var field = form.querySelector("input[type=hidden][name=" + name + "]");
      var value = params.get(name);
      if (value && !field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = name;
        form.appendChild(field);
      }
      if (field) { if (value) field.value = value; else field.remove(); }
    });
    if (params.get("q") !== null) input.value = params.get("q");
    load(link.getAttribute("href"), true);
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
})();
