// The arb console's only script: live updates. The server sends the page's live region again
// (server-sent events) whenever what it shows changes; it replaces the region in place, unless
// the visitor is typing into one of its fields (then it waits until they stop).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource) {
    return;
  }
  var pending = null;
  function typing() {
    var a = document.activeElement;
    return a !== null && live.contains(a) &&
      (a.tagName === "INPUT" || a.tagName === "SELECT" || a.tagName === "TEXTAREA") &&
      a.value !== "";
  }
  function apply() {
    if (pending === null || typing()) {
      return;
    }
    live.innerHTML = pending;
    pending = null;
    live.setAttribute("data-updates", String(Number(live.getAttribute("data-updates") || "0") + 1));
  }
  var source = null;
  function connect() {
    source = new EventSource("/events?page=" + encodeURIComponent(live.getAttribute("data-page")));
    source.addEventListener("update", function (event) {
      pending = event.data;
      apply();
    });
  }
  // A page left for another (or kept in the back/forward cache) must let its stream go: the
  // browser allows only six connections to the console, and a held stream would block the next
  // page's loading.
  window.addEventListener("pagehide", function () {
    if (source !== null) {
      source.close();
      source = null;
    }
  });
  window.addEventListener("pageshow", function () {
    if (source === null) {
      connect();
    }
  });
  connect();
  window.setInterval(apply, 500);
})();
