// Kiosque — progressive enhancement only: every action works without this file.
// Mark read / star without reloading, and keyboard shortcuts j/k (next/previous item),
// o (open), m (toggle read), s (toggle kept).
(function () {
  "use strict";

  function submitInPlace(form) {
    var body = new URLSearchParams(new FormData(form));
    var token = body.get("_csrf") || "";
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { form.submit(); return; }
      return response.json().then(function (state) { applyState(form, state); });
    }).catch(function () { form.submit(); });
  }

  function applyState(form, state) {
    var article = form.closest("[data-item]");
    if (!article || !state) return;
    if (typeof state.read === "boolean") {
      article.classList.toggle("item--unread", !state.read);
      var readForm = article.querySelector("form[data-toggle=read]");
      if (readForm && state.readAction) {
        readForm.action = state.readAction;
        readForm.querySelector("button").textContent = state.readLabel;
      }
    }
    if (typeof state.starred === "boolean") {
      var starForm = article.querySelector("form[data-toggle=star]");
      if (starForm && state.starAction) {
        starForm.action = state.starAction;
        var button = starForm.querySelector("button");
        button.textContent = state.starLabel;
        button.setAttribute("aria-pressed", state.starred ? "true" : "false");
      }
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-toggle]") || !window.fetch) return;
    event.preventDefault();
    submitInPlace(form);
  });

  var current = -1;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-item]")); }
  function focusItem(index) {
    var list = items();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (el, i) { el.classList.toggle("is-current", i === current); });
    var link = list[current].querySelector(".item__title a");
    if (link) link.focus();
  }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    var list = items();
    var item = list[current];
    switch (event.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current - 1); break;
      case "o": if (item) { var a = item.querySelector(".item__title a"); if (a) a.click(); } break;
      case "m": if (item) { var r = item.querySelector("form[data-toggle=read]"); if (r) submitInPlace(r); } break;
      case "s": if (item) { var s = item.querySelector("form[data-toggle=star]"); if (s) submitInPlace(s); } break;
      default: return;
    }
    event.preventDefault();
  });
})();
