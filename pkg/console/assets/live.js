// engagehub console: live parts. An element with data-live="<url>" has its
// content replaced by the HTML fragment at that URL every data-every ms
// (default 2000). Pages are complete without this script; it only keeps
// them current. No dependencies, no network beyond the console itself.
(function () {
  "use strict";
  function refresh(el) {
    var every = parseInt(el.getAttribute("data-every") || "2000", 10);
    fetch(el.getAttribute("data-live"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        if (res.status === 401) { window.location.assign("/console/signin"); return null; }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html !== null) { el.innerHTML = html; }
        if (el.getAttribute("data-stop") !== "true" && !el.querySelector("[data-done]")) {
          window.setTimeout(function () { refresh(el); }, every);
        }
      })
      .catch(function () { window.setTimeout(function () { refresh(el); }, every * 2); });
  }
  function selectAll(form, on) {
    var boxes = form.querySelectorAll("input[type=checkbox][name=event]");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = on; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelectorAll("[data-live]");
    for (var i = 0; i < live.length; i++) {
      (function (el) {
        var every = parseInt(el.getAttribute("data-every") || "2000", 10);
        window.setTimeout(function () { refresh(el); }, every);
      })(live[i]);
    }
    var toggles = document.querySelectorAll("[data-select-all]");
    for (var j = 0; j < toggles.length; j++) {
      toggles[j].addEventListener("change", function (e) { selectAll(e.target.form, e.target.checked); });
    }
  });
})();
