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
  var source = new EventSource("/events?page=" + encodeURIComponent(live.getAttribute("data-page")));
  source.addEventListener("update", function (event) {
    pending = event.data;
    apply();
  });
  window.setInterval(apply, 500);
})();
