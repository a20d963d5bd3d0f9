/* modelhub: Copy URI buttons. Copies the button's data-mh-copy value; falls back to a selection when the
   Clipboard API is unavailable (plain http on another host). */
(function () {
  "use strict";
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-mh-copy]") : null;
    if (!button) return;
    event.preventDefault();
    var label = button.getAttribute("data-mh-label") || button.textContent;
    button.setAttribute("data-mh-label", label);
    copy(button.getAttribute("data-mh-copy")).then(function () {
      button.textContent = "Copied";
      button.classList.add("mh-copied");
    }, function () {
      button.textContent = "Copy failed: select the URI below";
    }).then(function () {
      setTimeout(function () { button.textContent = label; button.classList.remove("mh-copied"); }, 2000);
    });
  });
})();
