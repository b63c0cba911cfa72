/* The dashboard's figures, live: on camera, detection and alert events (from live-status.js) the server-rendered
 * fragment [data-dashboard-stats] is fetched again (at most every few seconds) and swapped in; and once a minute
 * anyway, for the pipeline figures that have no event.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-dashboard-stats]");
  if (!box) return;
  var url = box.dataset.src;
  var MIN_INTERVAL = 3000;
  var last = 0;
  var timer = null;
  var inFlight = false;

  function refresh() {
    timer = null;
    if (inFlight) { schedule(); return; }
    inFlight = true;
    last = Date.now();
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        box.innerHTML = html;  // server-rendered, escaped by the template
        box.dataset.refreshedAt = String(Date.now());
      })
      .catch(function () {})
      .then(function () { inFlight = false; });
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(refresh, Math.max(0, MIN_INTERVAL - (Date.now() - last)));
  }

  document.addEventListener("vms:live", function (e) {
    var event = (e.detail || {}).event || "";
    if (/^(camera\.|detection\.created|alert\.)/.test(event)) schedule();
  });
  setInterval(schedule, 60000);
})();
