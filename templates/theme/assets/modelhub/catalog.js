/* modelhub catalog: faceted search over a chunked static index (see generator/render/catalog_index.py).
   First load: meta.json + columns.json + list.json (url and name of every card; a url without "/" is short for
   meta.url[0] + url + meta.url[1]). Each query word loads one term
   shard, once; the titles and summaries of the shown page come from docs chunks, filled in when they arrive.
   Filter state lives in the URL query string (?q=&task=a,b&sort=&page=), so a reload or a shared link restores it.
   Card text is untrusted: everything is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("mh-catalog");
  if (!root) return;
  var INDEX = root.getAttribute("data-index");
  var BASE = root.getAttribute("data-base") || "";
  var PAGE_SIZE = 20;
  var FACET_SHOWN = 8;
  var WORD = /[\p{L}\p{N}]+/gu;
  var SAFE_URL = /^[A-Za-z0-9_\-./#]*$/;
  /* In a site that enables material's search, ?q= belongs to it (it opens its search box and later deletes the
     parameter), so the catalog's free text travels as ?query= there; a catalog of its own keeps ?q=. */
  var QUERY = document.querySelector('[data-md-component="search"]') ? "query" : "q";

  var meta = null, columns = null, list = null, stop = {}, facetById = {};
  var chunks = new Map(), loaded = new Map(), shards = new Map();
  var state = { q: "", sort: "relevance", page: 1, filters: {} };
  var expanded = {};
  var sequence = 0;
  var api = window.mhCatalog = { ready: false, renders: 0, completes: 0, lastQueryMs: null, lastCompleteMs: null,
    lastCount: null };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fetchJSON(path, fresh) {
    var url = INDEX + path + (fresh ? "" : "?v=" + meta.version);
    return fetch(url, fresh ? { cache: "no-cache" } : {}).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  /* ---- URL state ------------------------------------------------------------------------------------ */
  function readURL() {
    var params = new URLSearchParams(location.search);
    state.q = params.get(QUERY) || "";
    state.sort = params.get("sort") || "relevance";
    state.page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    state.filters = {};
    meta.facets.forEach(function (facet) {
      var raw = params.get(facet.id);
      if (!raw) return;
      var wanted = {};
      raw.split(",").forEach(function (key) { if (key) wanted[key] = true; });
      var ids = [];
      facet.values.forEach(function (value, id) { if (wanted[value[0]]) ids.push(id); });
      if (ids.length) state.filters[facet.id] = ids;
    });
  }
  function writeURL() {
    var params = new URLSearchParams();
    if (state.q) params.set(QUERY, state.q);
    meta.facets.forEach(function (facet) {
      var ids = state.filters[facet.id];
      if (ids && ids.length) params.set(facet.id, ids.map(function (id) { return facet.values[id][0]; }).join(","));
    });
    if (state.sort !== "relevance") params.set("sort", state.sort);
    if (state.page > 1) params.set("page", String(state.page));
    var search = params.toString();
    var url = location.pathname + (search ? "?" + search : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }
  /* The address follows the state once the results are drawn: history.replaceState is a round trip to the browser
     that would hold up the results by a few milliseconds, and the changes of one frame make one write. */
  var urlPending = false;
  function scheduleURL() {
    if (urlPending) return;
    urlPending = true;
    requestAnimationFrame(function () {
      setTimeout(function () { urlPending = false; writeURL(); }, 0);
    });
  }

  /* ---- text search ---------------------------------------------------------------------------------- */
  function shardKey(term) {
    var key = "";
    for (var ch of term.slice(0, 2)) {
      key += /[a-z0-9]/.test(ch) ? ch : "_" + ch.codePointAt(0).toString(16);
    }
    return key;
  }
  function queryTerms(text) {
    var found = (text.toLowerCase().match(WORD) || []).filter(function (t) {
      return t.length >= meta.min_term && !stop[t];
    });
    return Array.from(new Set(found));
  }
  function loadShard(key) {
    if (!shards.has(key)) {
      var known = meta.shards.indexOf(key) >= 0;
      shards.set(key, known ? fetchJSON("terms/" + key + ".json") : Promise.resolve({ t: [], s: [], w: [] }));
    }
    return shards.get(key);
  }
  function lowerBound(list, term) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid] < term) lo = mid + 1; else hi = mid; }
    return lo;
  }
  /* ``seen[doc]`` = max(``seen[doc]``, ``weight``) for the documents of one delta-encoded posting list; the
     documents seen for the first time are added to ``touched``. */
  function mark(seen, touched, deltas, weight) {
    for (var j = 0, doc = 0; j < deltas.length; j++) {
      doc += deltas[j];
      if (seen[doc] === 0) touched.push(doc);
      if (weight > seen[doc]) seen[doc] = weight;
    }
  }
  /* Scores of the documents matching every term (prefix match), or null when there is no query: per term, the best
     weight of its matching index terms (strong 6, weak 1; an exact match more), summed over the terms. The shards are
     requested at once, before anything else the search does, so the network works while the rest waits. */
  function textScores(terms) {
    if (!terms.length) return Promise.resolve(null);
    return Promise.all(terms.map(function (term) { return loadShard(shardKey(term)); })).then(function (loaded) {
      var n = meta.count, total = new Float32Array(n), hits = new Uint8Array(n), seen = new Float32Array(n);
      var lists = [];
      for (var k = 0; k < terms.length; k++) {
        var term = terms[k], shard = loaded[k], touched = [];
        for (var i = lowerBound(shard.t, term); i < shard.t.length && shard.t[i].startsWith(term); i++) {
          var exact = shard.t[i] === term ? 2 : 0;
          mark(seen, touched, shard.s[i], 6 + exact);
          mark(seen, touched, shard.w[i], 1 + exact / 2);
        }
        for (var d = 0; d < touched.length; d++) {
          var doc = touched[d];
          total[doc] += seen[doc];
          hits[doc]++;
          seen[doc] = 0;
        }
        lists.push(touched);
      }
      if (terms.length > 1) {  /* a match has every term */
        lists.forEach(function (docs) {
          for (var e = 0; e < docs.length; e++) if (hits[docs[e]] !== terms.length) total[docs[e]] = 0;
        });
      }
      return total;
    });
  }

  /* ---- filtering and facet counts ----------------------------------------------------------------- */
  var NONE = [];
  function valuesOf(facetId, doc) {
    var v = columns[facetId][doc];
    return v === -1 ? NONE : typeof v === "number" ? [v] : v;
  }
  /* Does ``column[doc]`` (-1, one id or a list of ids) hold an id in ``set``? */
  function hasAny(column, doc, set) {
    var v = column[doc];
    if (typeof v === "number") return v >= 0 && set[v] === 1;
    for (var k = 0; k < v.length; k++) if (set[v[k]] === 1) return true;
    return false;
  }
  function countInto(column, doc, counts) {
    var v = column[doc];
    if (typeof v === "number") { if (v >= 0) counts[v]++; return; }
    for (var k = 0; k < v.length; k++) counts[v[k]]++;
  }
  function compute(scores) {
    var facets = meta.facets, n = meta.count;
    var active = facets.filter(function (f) { return state.filters[f.id] && state.filters[f.id].length; });
    var wanted = active.map(function (f) {
      var set = new Uint8Array(f.values.length);
      state.filters[f.id].forEach(function (id) { set[id] = 1; });
      return set;
    });
    var counts = {}, tallies = [], cols = [];
    facets.forEach(function (f) {
      counts[f.id] = new Uint32Array(f.values.length);
      tallies.push(counts[f.id]);
      cols.push(columns[f.id]);
    });
    var activeCols = active.map(function (f) { return columns[f.id]; });
    var activeAt = active.map(function (f) { return facets.indexOf(f); });
    var results = [];
    for (var doc = 0; doc < n; doc++) {
      if (scores && scores[doc] === 0) continue;
      var failed = -1, failures = 0;
      for (var a = 0; a < active.length && failures < 2; a++) {
        if (!hasAny(activeCols[a], doc, wanted[a])) { failures++; failed = a; }
      }
      if (failures > 1) continue;
      if (failures === 0) {
        results.push(doc);
        for (var f = 0; f < cols.length; f++) countInto(cols[f], doc, tallies[f]);
      } else {
        countInto(cols[activeAt[failed]], doc, tallies[activeAt[failed]]);
      }
    }
    var dates = columns.date;
    if (state.sort === "newest" || state.sort === "oldest") {
      var sign = state.sort === "newest" ? -1 : 1;
      results.sort(function (x, y) {
        var dx = dates[x], dy = dates[y];
        if (dx === dy) return x - y;
        if (dx < 0) return 1;
        if (dy < 0) return -1;
        return sign * (dx - dy);
      });
    } else if (scores && state.sort === "relevance") {
      results.sort(function (x, y) { return scores[y] - scores[x] || x - y; });
    }
    return { results: results, counts: counts };
  }

  /* ---- rendering ------------------------------------------------------------------------------------ */
  function chunkOf(id) { return Math.floor(id / meta.chunk); }
  /* Titles and summaries of ``ids``: the chunks they are in, fetched once and kept. */
  function details(ids) {
    var needed = Array.from(new Set(ids.map(chunkOf)));
    return Promise.all(needed.map(function (c) {
      if (!chunks.has(c)) {
        var pending = fetchJSON("docs/" + c + ".json");
        chunks.set(c, pending);
        pending.then(function (rows) { loaded.set(c, rows); });
      }
      return chunks.get(c);
    }));
  }
  function facetName(facetId, id) {
    var facet = facetById[facetId];
    return facet && facet.values[id] ? facet.values[id][1] : "";
  }
  /* One checkbox per facet value, made when first shown and kept: a search updates counts and order in place, so
     the box a keyboard user just toggled keeps the focus. */
  var facetNodes = {};
  function facetValue(facet, id) {
    var nodes = facetNodes[facet.id] || (facetNodes[facet.id] = {});
    if (!nodes[id]) {
      var label = el("label", "mh-facet__value");
      var input = el("input");
      input.type = "checkbox";
      input.setAttribute("data-facet", facet.id);
      input.setAttribute("data-value", facet.values[id][0]);
      input.addEventListener("change", function () { toggle(facet.id, id); });
      label.appendChild(input);
      label.appendChild(el("span", "mh-facet__name", facet.values[id][1]));
      label.appendChild(el("span", "mh-facet__count"));
      nodes[id] = label;
    }
    return nodes[id];
  }
  /* ``box``'s children become ``wanted``, in order, moving only the nodes out of place. */
  function arrange(box, wanted) {
    for (var i = 0; i < wanted.length; i++) {
      if (box.childNodes[i] !== wanted[i]) box.insertBefore(wanted[i], box.childNodes[i] || null);
    }
    while (box.childNodes.length > wanted.length) box.removeChild(box.lastChild);
  }
  function renderFacets(counts) {
    meta.facets.forEach(function (facet) {
      var box = root.querySelector('.mh-facet[data-facet="' + facet.id + '"] .mh-facet__values');
      if (!box) return;
      var tally = counts[facet.id], selected = {};
      (state.filters[facet.id] || []).forEach(function (id) { selected[id] = true; });
      var ids = [];
      for (var id = 0; id < tally.length; id++) if (tally[id] > 0 || selected[id]) ids.push(id);
      ids.sort(function (x, y) { return tally[y] - tally[x] || x - y; });
      var limit = expanded[facet.id] ? ids.length : FACET_SHOWN;
      var shown = ids.filter(function (id, i) { return i < limit || selected[id]; }).map(function (id) {
        var label = facetValue(facet, id), count = String(tally[id]);
        label.firstChild.checked = !!selected[id];
        if (label.lastChild.textContent !== count) label.lastChild.textContent = count;
        return label;
      });
      box.parentNode.hidden = shown.length === 0;
      if (ids.length > FACET_SHOWN) {
        var more = facetNodes[facet.id].more;
        if (!more) {
          more = facetNodes[facet.id].more = el("button", "mh-facet__more");
          more.type = "button";
          more.addEventListener("click", function () { expanded[facet.id] = !expanded[facet.id]; run(); });
        }
        more.textContent = expanded[facet.id] ? "Show fewer" : "Show all " + ids.length;
        shown.push(more);
      }
      arrange(box, shown);
    });
  }
  function renderActive() {
    var box = document.getElementById("mh-active");
    box.textContent = "";
    meta.facets.forEach(function (facet) {
      (state.filters[facet.id] || []).forEach(function (id) {
        var chip = el("button", "mh-active__chip", facet.label + ": " + facet.values[id][1] + " ✕");
        chip.type = "button";
        chip.title = "Remove this filter";
        chip.addEventListener("click", function () { toggle(facet.id, id); });
        box.appendChild(chip);
      });
    });
    if (box.childNodes.length) {
      var clear = el("button", "mh-active__clear", "Clear all");
      clear.type = "button";
      clear.addEventListener("click", function () { state.filters = {}; state.page = 1; run(); });
      box.appendChild(clear);
    }
  }
  function fillDetails(item, id) {
    var rows = loaded.get(chunkOf(id));
    if (!rows) return false;
    var row = rows[id % meta.chunk];
    item.querySelector(".mh-result__title").textContent = row[0];
    item.querySelector(".mh-result__summary").textContent = row[1];
    item.removeAttribute("data-pending");
    return true;
  }
  function renderResults(ids) {
    var rows = document.createDocumentFragment();
    var dates = columns.date;
    ids.forEach(function (id) {
      var url = list.u[id].indexOf("/") < 0 ? meta.url[0] + list.u[id] + meta.url[1] : list.u[id];
      var item = el("li", "mh-result");
      item.setAttribute("data-doc", id);
      var head = el("div", "mh-result__head");
      var link = el("a", "mh-result__name", list.n[id]);
      if (SAFE_URL.test(url)) link.href = BASE + url;
      head.appendChild(link);
      if (dates[id] >= 0) head.appendChild(el("time", "mh-result__date", meta.dates[dates[id]]));
      item.appendChild(head);
      item.appendChild(el("div", "mh-result__title"));
      var badges = el("div", "mh-result__badges");
      ["task", "language", "edition", "engine"].forEach(function (facetId) {
        valuesOf(facetId, id).forEach(function (v) {
          badges.appendChild(el("span", "mh-badge mh-badge--" + facetId, facetName(facetId, v)));
        });
      });
      valuesOf("status", id).forEach(function (v) {
        var key = facetById.status.values[v][0];
        if (key === "deprecated" || key === "check-errors" || key === "verified") {
          badges.appendChild(el("span", "mh-badge mh-badge--" + key, facetName("status", v)));
        }
      });
      item.appendChild(badges);
      item.appendChild(el("p", "mh-result__summary"));
      if (!fillDetails(item, id)) item.setAttribute("data-pending", "");
      rows.appendChild(item);
    });
    document.getElementById("mh-results").replaceChildren(rows);
  }
  function renderPager(total) {
    var pager = document.getElementById("mh-pager");
    pager.textContent = "";
    var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (pages === 1) return;
    function button(label, page, current) {
      var b = el("button", "mh-pager__page" + (current ? " mh-pager__page--current" : ""), label);
      b.type = "button";
      b.disabled = current || page < 1 || page > pages;
      b.setAttribute("data-page", page);
      b.addEventListener("click", function () { state.page = page; run(); window.scrollTo(0, root.offsetTop); });
      pager.appendChild(b);
    }
    button("‹ Previous", state.page - 1, false);
    var first = Math.max(1, Math.min(state.page - 3, pages - 6)), last = Math.min(pages, first + 6);
    for (var p = first; p <= last; p++) button(String(p), p, p === state.page);
    button("Next ›", state.page + 1, false);
  }

  /* ---- one search ----------------------------------------------------------------------------------- */
  function run(started) {
    started = started || performance.now();
    var mine = ++sequence;
    return textScores(queryTerms(state.q)).then(function (scores) {
      if (mine !== sequence) return;
      var out = compute(scores);
      var total = out.results.length;
      var pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      if (state.page > pages) state.page = pages;
      var ids = out.results.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE);
      renderFacets(out.counts);
      renderActive();
      renderResults(ids);
      renderPager(total);
      scheduleURL();
      var filtered = state.q || Object.keys(state.filters).some(function (k) { return state.filters[k].length; });
      document.getElementById("mh-count").textContent = total === meta.count && !filtered
        ? "All " + total + " models"
        : total + (total === 1 ? " model" : " models") + " of " + meta.count;
      api.lastQueryMs = performance.now() - started;
      api.lastCount = total;
      api.renders++;
      root.setAttribute("data-mh-count", String(total));
      root.setAttribute("data-mh-renders", String(api.renders));
      /* titles and summaries follow as their chunks arrive */
      return details(ids).then(function () {
        if (mine !== sequence) return;
        document.querySelectorAll("#mh-results [data-pending]").forEach(function (item) {
          fillDetails(item, Number(item.getAttribute("data-doc")));
        });
        api.lastCompleteMs = performance.now() - started;
        api.completes = (api.completes || 0) + 1;
        root.setAttribute("data-mh-complete", String(api.completes));
      });
    }).catch(function (error) {
      scheduleURL();
      document.getElementById("mh-count").textContent = "Search failed: " + error.message;
      root.setAttribute("data-mh-error", error.message);
    });
  }
  function toggle(facetId, id) {
    var ids = (state.filters[facetId] || []).slice(), at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1); else ids.push(id);
    state.filters[facetId] = ids;
    state.page = 1;
    run();
  }

  /* ---- start ---------------------------------------------------------------------------------------- */
  var query = document.getElementById("mh-query"), sort = document.getElementById("mh-sort");
  fetch(INDEX + "meta.json", { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error("catalog index missing (" + r.status + ")");
    return r.json();
  }).then(function (loaded) {
    meta = loaded;
    meta.stopwords.forEach(function (w) { stop[w] = true; });
    meta.facets.forEach(function (facet) { facetById[facet.id] = facet; });
    return Promise.all([fetchJSON("columns.json"), fetchJSON("list.json")]);
  }).then(function (both) {
    columns = both[0];
    list = both[1];
    readURL();
    query.value = state.q;
    sort.value = state.sort;
    query.addEventListener("input", function () {
      var started = performance.now();
      state.q = query.value;
      state.page = 1;
      run(started);
    });
    sort.addEventListener("change", function () { state.sort = sort.value; state.page = 1; run(); });
    window.addEventListener("popstate", function () { readURL(); query.value = state.q; sort.value = state.sort; run(); });
    return run().then(function () { api.ready = true; root.setAttribute("data-mh-ready", "true"); });
  }).catch(function (error) {
    document.getElementById("mh-count").textContent = "The catalog index could not be loaded: " + error.message;
    root.setAttribute("data-mh-error", error.message);
  });
})();
