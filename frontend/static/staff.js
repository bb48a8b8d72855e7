/* Staff screens over the staff API. The token lives in sessionStorage (this tab only) and is
   sent as "Authorization: Bearer ..." by fetch; it is never put in a cookie or a URL. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("staff-config").textContent);
  var S = cfg.s, KEY = "jdih.staff.token";
  var $ = function (id) { return document.getElementById(id); };

  function token() { try { return sessionStorage.getItem(KEY); } catch (e) { return null; } }

  function show(el, text, kind) {
    el.textContent = "";
    if (!text) return;
    var p = document.createElement("p");
    p.className = kind === "ok" ? "msg-ok" : kind === "warn" ? "msg-warn" : "msg-bad";
    p.textContent = text;
    el.appendChild(p);
    return p;
  }

  /* the message of a problem+json answer, in the page's language */
  function problemText(body, status) {
    if (status === 401) return S.badToken + (body && (body.detail_id || body.detail) ? " " + (cfg.lang === "en" ? body.detail : body.detail_id) : "");
    if (body && (body.detail || body.detail_id)) return cfg.lang === "en" ? body.detail : (body.detail_id || body.detail);
    return S.rejected + " (HTTP " + status + ")";
  }

  function api(method, url, body, isForm) {
    var headers = { "Accept": "application/json" };
    var t = token();
    if (t) headers["Authorization"] = "Bearer " + t;
    if (body !== undefined && !isForm) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    return fetch(url, { method: method, headers: headers, body: body }).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!r.ok) { var err = new Error(problemText(data, r.status)); err.status = r.status; err.body = data; throw err; }
        return data;
      });
    }, function () { throw new Error(S.network); });
  }

  /* ---- sign in ---- */
  function setSignedIn(on) {
    $("signin-form").hidden = on;
    $("signed-in").hidden = !on;
    $("signed-in-text").textContent = on ? S.signedIn : "";
    Array.prototype.forEach.call(document.querySelectorAll("[data-needs-token]"), function (el) { el.hidden = !on; });
  }
  $("signin-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var value = $("token").value.trim();
    if (!value) return;
    try { sessionStorage.setItem(KEY, value); } catch (e) { /* private mode: the token lives for this page only */ }
    api("GET", "/api/v1/jobs?state=running").then(function () {
      $("token").value = "";
      show($("signin-msg"), "");
      setSignedIn(true);
      $("file").focus();
    }, function (err) {
      sessionStorage.removeItem(KEY);
      show($("signin-msg"), err.message);
      setSignedIn(false);
    });
  });
  $("signout").addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    setSignedIn(false);
    $("token").focus();
  });
  if (token()) {
    api("GET", "/api/v1/jobs?state=running").then(function () { setSignedIn(true); },
      function () { sessionStorage.removeItem(KEY); setSignedIn(false); });
  }

  /* ---- upload: drag and drop, checks before sending, job progress ---- */
  var fileInput = $("file"), drop = $("dropzone"), chosen = $("chosen");
  function fmtSize(n) { return n > 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB"; }
  function checkFile(f) {
    if (!f) return S.needToken;
    if (!/\.(pdf|txt|md)$/i.test(f.name)) return S.badType;
    if (f.size > cfg.maxBytes) return S.tooBig;
    return null;
  }
  fileInput.addEventListener("change", function () {
    var f = fileInput.files[0];
    chosen.textContent = f ? f.name + " · " + fmtSize(f.size) : "";
    show($("upload-msg"), f ? checkFile(f) : "");
  });
  ["dragenter", "dragover"].forEach(function (n) {
    drop.addEventListener(n, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (n) {
    drop.addEventListener(n, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    if (ev.dataTransfer && ev.dataTransfer.files.length) {
      fileInput.files = ev.dataTransfer.files;
      fileInput.dispatchEvent(new Event("change"));
    }
  });

  var STAGES = ["reading", "parsing", "embedding", "writing"];
  function describe(job) {
    var p = job.progress || {}, parts = [];
    if (job.state === "queued") return S.queued;
    if (job.state === "done") { p = (job.result || {}).progress || p; parts.push(S.finished); }
    if (p.stage && job.state !== "done") parts.push(S["stage." + p.stage] || p.stage);
    if (p.pages_read != null) parts.push(p.pages_read + " " + S.pages);
    if (p.ocr_pages_total) parts.push((p.ocr_pages_done || 0) + "/" + p.ocr_pages_total + " " + S.ocr);
    if (p.articles != null) parts.push(p.articles + " " + S.articles);
    if (p.chunks_embedded != null) parts.push(p.chunks_embedded + " " + S.chunks);
    return parts.join(" · ") || S.running;
  }
  function poll(url) {
    api("GET", url).then(function (job) {
      var bar = $("job-progress"), stage = (job.progress || {}).stage;
      bar.value = job.state === "done" ? 4 : Math.max(0, STAGES.indexOf(stage));
      $("job-text").textContent = describe(job);
      if (job.state === "done") return finished(job);
      if (job.state === "failed") {
        var e = job.error || {};
        show($("upload-msg"), S.failed + ": " + (cfg.lang === "en" ? e.message : (e.message_id || e.message)));
        $("upload-button").disabled = false;
        return;
      }
      setTimeout(function () { poll(url); }, 1000);
    }, function (err) {
      show($("upload-msg"), err.message);
      $("upload-button").disabled = false;
    });
  }
  function finished(job) {
    var r = job.result || {}, id = r.work_id || job.work_id;
    var msg = $("upload-msg");
    var p = show(msg, S.done + " ", "ok");
    p.setAttribute("data-done", id);
    var a = document.createElement("a");
    a.href = "/peraturan/" + encodeURIComponent(id); a.textContent = S.open + " (" + id + ")";
    p.appendChild(a);
    p.appendChild(document.createTextNode(" · "));
    var s = document.createElement("a");
    s.href = "/?semua=1"; s.textContent = S.search;
    p.appendChild(s);
    if (r.warnings && r.warnings.length) {
      var w = document.createElement("p"); w.className = "msg-warn";
      w.textContent = S.warnings + ": " + r.warnings.map(function (x) { return x.message_id && cfg.lang !== "en" ? x.message_id : (x.message || JSON.stringify(x)); }).join("; ");
      msg.appendChild(w);
    }
    $("upload-button").disabled = false;
    $("edit-id").value = id;
    loadWork(id);
  }
  $("upload-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = fileInput.files[0], problem = checkFile(f);
    if (problem) { show($("upload-msg"), problem); return; }
    var form = new FormData();
    form.append("file", f, f.name);
    var wid = $("up-work_id").value.trim(), judul = $("up-judul").value.trim();
    if (wid) form.append("work_id", wid);
    if (judul) form.append("judul", judul);
    if ($("metadata_only").checked) form.append("metadata_only", "true");
    $("upload-button").disabled = true;
    show($("upload-msg"), S.uploading, "warn");
    $("job").hidden = true;
    api("POST", "/api/v1/regulations", form, true).then(function (res) {
      show($("upload-msg"), "");
      $("job").hidden = false;
      $("job-progress").value = 0;
      $("job-text").textContent = describe(res.job);
      poll(res.links.job);
    }, function (err) {
      show($("upload-msg"), S.rejected + ": " + err.message);
      $("upload-button").disabled = false;
    });
  });

  /* ---- metadata edit, prefilled from the catalogue and the parsed heading ---- */
  var FIELDS = ["jenis", "noPeraturan", "tahun", "judul", "judul_en", "tempatTerbit", "tanggal_penetapan",
                "tanggal_pengundangan", "sumber", "subjek", "bidangHukum", "teuBadan"];
  var PARSED = { jenis: "jenis", noPeraturan: "nomor", tahun: "tahun", judul: "judul", judul_en: "judul_en",
                 tempatTerbit: "tempat", tanggal_penetapan: "tanggal_penetapan", tanggal_pengundangan: "tanggal_pengundangan" };
  var loaded = null, loadedValues = {};
  function loadWork(id) {
    show($("load-msg"), "");
    return api("GET", "/api/v1/regulations/" + encodeURIComponent(id)).then(function (reg) {
      loaded = reg.id;
      var rec = reg.catalogue || {};
      FIELDS.forEach(function (f) {
        var v = rec[f];
        if ((v === undefined || v === null || v === "") && PARSED[f]) v = reg[PARSED[f]];
        v = v === undefined || v === null ? "" : String(v);
        $("m-" + f).value = v;
        loadedValues[f] = v;
      });
      $("meta-form").hidden = false;
      $("relations").hidden = false;
      show($("load-msg"), S.loaded.replace("{id}", reg.id), "ok");
      loadRelations();
    }, function (err) { show($("load-msg"), err.message); $("meta-form").hidden = true; $("relations").hidden = true; });
  }
  $("load-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = $("edit-id").value.trim().toLowerCase();
    if (id) loadWork(id);
  });
  $("meta-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var changes = {}, n = 0;
    FIELDS.forEach(function (f) {
      var v = $("m-" + f).value.trim();
      if (v !== loadedValues[f]) { changes[f] = v === "" ? null : (f === "tahun" ? parseInt(v, 10) : v); n++; }
    });
    if (!n) { show($("meta-msg"), S.nothing, "warn"); return; }
    api("PATCH", "/api/v1/regulations/" + encodeURIComponent(loaded), changes).then(function () {
      Object.keys(changes).forEach(function (f) { loadedValues[f] = $("m-" + f).value.trim(); });
      show($("meta-msg"), S.saved, "ok");
    }, function (err) { show($("meta-msg"), err.message); });
  });

  /* ---- relations ---- */
  function loadRelations() {
    var list = $("rel-list");
    list.textContent = "";
    api("GET", "/api/v1/regulations/" + encodeURIComponent(loaded) + "/relations").then(function (data) {
      var rels = (data.outgoing || []).concat(data.incoming || []);
      if (!rels.length) { var li = document.createElement("li"); li.textContent = S.noRelations; list.appendChild(li); return; }
      rels.forEach(function (r) {
        var li = document.createElement("li");
        li.textContent = r.type.replace(/_/g, " ") + " " + (r.other || "") + (r.article ? " (Pasal " + r.article + ")" : "") + " ";
        if (r.direction === "outgoing") {
          var b = document.createElement("button");
          b.type = "button"; b.className = "secondary"; b.textContent = S.remove;
          b.setAttribute("aria-label", S.remove + ": " + r.type + " " + r.other);
          b.addEventListener("click", function () {
            api("DELETE", "/api/v1/regulations/" + encodeURIComponent(loaded) + "/relations?type=" +
                encodeURIComponent(r.type) + "&target=" + encodeURIComponent(r.other)).then(loadRelations,
              function (err) { show($("rel-msg"), err.message); });
          });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
    }, function (err) { show($("rel-msg"), err.message); });
  }
  $("rel-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { type: $("rel-type").value, target: $("rel-target").value.trim().toLowerCase() };
    var art = $("rel-article").value.trim(), cit = $("rel-citation").value.trim();
    if (art) body.article = art;
    if (cit) body.citation = cit;
    api("POST", "/api/v1/regulations/" + encodeURIComponent(loaded) + "/relations", body).then(function () {
      show($("rel-msg"), S.saved, "ok");
      loadRelations();
    }, function (err) { show($("rel-msg"), err.message); });
  });

  /* ---- the services' legal basis ---- */
  function linkLabel(l) {
    var r = l.regulation || {};
    return (r.singkatan || r.jenis || "") + " " + (r.nomor || "") + "/" + (r.tahun || "") + (r.judul ? " – " + r.judul : "");
  }
  function svcButton(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary"; b.textContent = text;
    b.setAttribute("aria-label", text + ": " + label);
    b.addEventListener("click", onClick);
    return b;
  }
  function loadService() {
    var id = $("svc-id").value, list = $("svc-list");
    list.textContent = "";
    return api("GET", "/api/v1/services/" + encodeURIComponent(id)).then(function (svc) {
      $("svc-add").hidden = false;
      var lb = svc.legal_basis || {};
      var links = (lb.local || []).concat(lb.national || [], lb.removed || []);
      if (!links.length) { var none = document.createElement("li"); none.textContent = S.svcNone; list.appendChild(none); }
      links.forEach(function (l) {
        var li = document.createElement("li"), label = linkLabel(l), work = encodeURIComponent(l.regulation.id);
        var state = l.state === "confirmed" && l.origin === "staff" ? "added" : l.state;  // added by staff
        li.className = "svc-link svc-link-" + state;
        li.textContent = label + " — " + (S["svcState." + state] || state) +
          (l.state === "proposed" && l.confidence != null ? " (" + Math.round(l.confidence * 100) + "%)" : "") + " ";
        var base = "/api/v1/services/" + encodeURIComponent(id) + "/links/" + work;
        if (l.state === "proposed") {
          li.appendChild(svcButton(S.svcConfirm, label, function () {
            api("POST", base + "/confirm").then(loadService, function (err) { show($("svc-msg"), err.message); });
          }));
        }
        if (l.state !== "removed") {
          li.appendChild(svcButton(S.remove, label, function () {
            api("DELETE", base).then(loadService, function (err) { show($("svc-msg"), err.message); });
          }));
        }
        list.appendChild(li);
      });
    }, function (err) { show($("svc-msg"), err.message); });
  }
  $("svc-load").addEventListener("submit", function (ev) {
    ev.preventDefault();
    show($("svc-msg"), "");
    loadService();
  });
  $("svc-add").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { regulation: $("svc-reg").value.trim().toLowerCase() };
    var arts = $("svc-articles").value.split(",").map(function (x) { return x.trim(); }).filter(Boolean);
    var note = $("svc-note").value.trim();
    if (arts.length) body.articles = arts;
    if (note) body.note = note;
    api("POST", "/api/v1/services/" + encodeURIComponent($("svc-id").value) + "/links", body).then(function () {
      show($("svc-msg"), S.saved, "ok");
      loadService();
    }, function (err) { show($("svc-msg"), err.message); });
  });
})();
