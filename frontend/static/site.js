/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  function swap(form, target, statusEl, url, push) {
    var ctrl = swap.ctrl;
    if (ctrl) ctrl.abort();
    ctrl = swap.ctrl = ("AbortController" in window) ? new AbortController() : null;
    target.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { "X-Fragment": "results" }, signal: ctrl ? ctrl.signal : undefined })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        target.innerHTML = html;
        target.removeAttribute("aria-busy");
        var summary = target.querySelector("[data-summary]");
        if (statusEl && summary) statusEl.textContent = summary.textContent.trim();
        if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
        document.title = document.title.replace(/^.*? – /, "");
        var q = form.querySelector("[name=q]");
        if (q && q.value.trim()) document.title = q.value.trim() + " – " + document.title;
      })
      .catch(function (e) {
        if (e && e.name === "AbortError") return;
        target.removeAttribute("aria-busy");
        form.submit(); /* the network or the server failed: fall back to a plain page load */
      });
  }

  function queryUrl(form) {
    var params = new URLSearchParams(new FormData(form));
    return form.getAttribute("action") + "?" + params.toString();
  }

  /* search: results as you type (debounced), Enter without a page reload */
  var search = document.querySelector("form[data-instant]");
  if (search && window.fetch && window.URLSearchParams) {
    var results = document.querySelector("[data-results]");
    var status = document.getElementById("search-status");
    var input = search.querySelector("input[name=q]");
    var timer = null, last = input.value.trim();
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var v = input.value.trim();
        if (v === last || v.length < 3) return;
        last = v;
        swap(search, results, status, queryUrl(search), false);
      }, 350);
    });
    search.addEventListener("submit", function (ev) {
      if (!input.value.trim()) return;
      ev.preventDefault();
      clearTimeout(timer);
      last = input.value.trim();
      swap(search, results, status, queryUrl(search), true);
    });
  }

  /* ask: the answer replaces the previous one without a page reload */
  var ask = document.querySelector("form[data-ask]");
  if (ask && window.fetch && window.URLSearchParams) {
    var answer = document.querySelector("[data-answer]");
    var askStatus = document.getElementById("ask-status");
    var question = ask.querySelector("[name=q]");
    ask.addEventListener("submit", function (ev) {
      if (!question.value.trim()) return;
      ev.preventDefault();
      swap(ask, answer, askStatus, queryUrl(ask), true);
    });
    question.addEventListener("keydown", function (ev) { /* Enter asks; Shift+Enter is a new line */
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); ask.requestSubmit ? ask.requestSubmit() : ask.submit(); }
    });
  }
  window.addEventListener("popstate", function () { if (search || ask) location.reload(); });

  /* reader: copy a citation */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "absolute"; ta.style.left = "-9999px";
      document.body.appendChild(ta); ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      ok ? resolve() : reject(new Error("copy failed"));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy-cite"), function (btn) {
    btn.hidden = false;
    var label = btn.innerHTML;
    btn.addEventListener("click", function () {
      var text = btn.getAttribute("data-cite");
      copyText(text).then(function () {
        btn.textContent = btn.getAttribute("data-done");
      }, function () {
        btn.textContent = btn.getAttribute("data-failed").replace("%s", text);
      }).then(function () {
        btn.setAttribute("data-copied", "1");
        setTimeout(function () { btn.innerHTML = label; }, 2500);
      });
    });
  });

  /* reader: the table of contents starts closed on a phone; following a link closes it */
  var toc = document.querySelector("details[data-toc]");
  if (toc && window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
    toc.open = false;
    toc.addEventListener("click", function (ev) { if (ev.target.tagName === "A") toc.open = false; });
  }
  /* reader: the Pasal named in the address gets the keyboard focus, so Tab continues from it */
  function focusTarget() {
    var reader = document.querySelector(".reader");
    var id = decodeURIComponent(location.hash.slice(1)) || (reader && reader.getAttribute("data-target"));
    var el = id && document.getElementById(id);
    if (el && !el.classList.contains("pasal")) { el.scrollIntoView(); el = el.closest(".pasal"); }
    else if (el && !location.hash) el.scrollIntoView();
    if (el && el.classList.contains("pasal")) el.focus({ preventScroll: true });
  }
  if (document.querySelector(".reader")) { focusTarget(); window.addEventListener("hashchange", focusTarget); }
})();
