// git zen dashboard: progressive enhancement only; every page works without this file.
// - served pages: search results as you type (from /api/v1/recall), and a reload when the
//   records change (polls /api/v1/version).
// - static site: search from the embedded index (search-index.js), also for ?q= in the URL.
// Record text is only ever put into the page with textContent, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var mode = body.getAttribute("data-mode");
  var root = body.getAttribute("data-root") || "";

  function recordHref(id) {
    return mode === "static" ? root + "r/" + encodeURIComponent(id) + ".html" : "/r/" + encodeURIComponent(id);
  }

  function show(hits, query) {
    var live = document.getElementById("live-results");
    var server = document.getElementById("server-results");
    var count = document.getElementById("result-count");
    if (!live) { return; }
    while (live.firstChild) { live.removeChild(live.firstChild); }
    if (query === null) { if (server) { server.hidden = false; } return; }
    if (server) { server.hidden = true; }
    if (count) { count.textContent = hits.length + " records match"; }
    var list = document.createElement("ol");
    list.className = "rows";
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      item.className = "row";
      var a = document.createElement("a");
      a.href = recordHref(hit.id);
      a.textContent = hit.title;
      item.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + hit.kind + " · " + hit.status;
      item.appendChild(meta);
      if (hit.snippet) {
        var p = document.createElement("p");
        p.className = "snippet";
        p.textContent = hit.snippet;
        item.appendChild(p);
      }
      list.appendChild(item);
    });
    live.appendChild(list);
  }

  function staticSearch(query) {
    var index = window.ZEN_INDEX || [];
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return index.filter(function (r) {
      var text = (r.title + " " + r.tags.join(" ") + " " + r.text).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    }).slice(0, 100);
  }

  var pending = null;
  function search(query) {
    query = query.trim();
    if (!query) { show([], null); return; }
    if (mode === "static") { show(staticSearch(query), query); return; }
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(function () {
      fetch("/api/v1/recall?all=1&limit=50&q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) { show(hits, query); })
        .catch(function () {});
    }, 150);
  }

  var box = document.getElementById("q");
  if (box) {
    box.addEventListener("input", function () { search(box.value); });
    if (mode === "static") {
      var q = new URLSearchParams(window.location.search).get("q");
      if (q) { box.value = q; search(q); }
    }
  }

  // Live: reload when the records changed since this page was rendered.
  var meta = document.querySelector('meta[name="zen-version"]');
  if (mode === "served" && meta && window.fetch) {
    var seen = meta.getAttribute("content");
    setInterval(function () {
      fetch("/api/v1/version", { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (v) {
          if (v && v.version && v.version !== seen) {
            seen = v.version;
            if (!(box && box.value && document.activeElement === box)) { window.location.reload(); }
          }
        })
        .catch(function () {});
    }, 2000);
  }
})();
