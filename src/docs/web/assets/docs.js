// Callboard docs pages: the search box's live results and the /docs filter. Served as a file, so the pages'
// Content-Security-Policy allows no inline script; everything shown is built with text nodes, never as HTML.
/* global document, fetch, setTimeout, clearTimeout */
(function () {
  "use strict";

  /** Appends `text` to `parent`, wrapping the [start, end) ranges in <mark>. */
  function appendMarked(parent, text, ranges) {
    var at = 0;
    for (var i = 0; i < ranges.length; i++) {
      var start = ranges[i][0];
      var end = ranges[i][1];
      if (start < at || end > text.length || end <= start) continue;
      parent.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      parent.appendChild(mark);
      at = end;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function setupSearch(form) {
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector(".search-results");
    if (!input || !list) return;
    var endpoint = form.getAttribute("action");
    var timer = 0;
    var latest = 0;

    function show(hits, query) {
      list.textContent = "";
      if (hits.length === 0) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = "No section matches \u201c" + query + "\u201d.";
        list.appendChild(empty);
      }
      hits.forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.url;
        var title = document.createElement("span");
        title.className = "hit-title";
        appendMarked(title, hit.heading, hit.headingMatches || []);
        link.appendChild(title);
        if (hit.page && hit.page !== hit.heading) {
          var page = document.createElement("span");
          page.className = "hit-page";
          page.textContent = hit.page;
          link.appendChild(page);
        }
        if (hit.snippet) {
          var text = document.createElement("span");
          text.className = "hit-text";
          appendMarked(text, hit.snippet, hit.snippetMatches || []);
          link.appendChild(text);
        }
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = false;
    }

    function run() {
      var query = input.value.trim();
      if (query.length < 2) {
        list.hidden = true;
        return;
      }
      var ticket = ++latest;
      fetch(endpoint + "?format=json&q=" + encodeURIComponent(query), {
        headers: { accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { hits: [] };
        })
        .then(function (body) {
          if (ticket === latest) show(body.hits || [], query);
        })
        .catch(function () {
          list.hidden = true;
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        list.hidden = true;
        input.blur();
      }
      if (event.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("a");
        if (first) {
          event.preventDefault();
          first.focus();
        }
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) list.hidden = true;
    });
  }

  function setupFilter(input) {
    var items = document.querySelectorAll("[data-filter-text]");
    var none = document.querySelector(".no-match");
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-filter-text") || "";
        var match = words.every(function (word) {
          return text.indexOf(word) !== -1;
        });
        item.hidden = !match;
        if (match) shown++;
      });
      if (none) none.hidden = shown !== 0;
    }
    input.addEventListener("input", apply);
    apply();
  }

  document.querySelectorAll("form.site-search").forEach(setupSearch);
  var filter = document.querySelector("input.filter-box");
  if (filter) setupFilter(filter);
})();
