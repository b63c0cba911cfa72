/* The dashboard's figures, live: the fragment [data-dashboard-stats] is fetched again and swapped in by HTMX
 * (hx-get, hx-trigger in templates/dashboard/home.html: once a minute, for the pipeline figures that have no
 * event, and on "stats-stale"). This script only says when the figures are stale: on camera, detection and
 * alert events (from live-status.js), at most every few seconds, and once more after a burst, so the last
 * event of a burst is never left out.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-dashboard-stats]");
  if (!box) return;
  var MIN_INTERVAL = 3000;
  var last = 0;
  var timer = null;

  function stale() {
    timer = null;
    last = Date.now();
    if (window.htmx) window.htmx.trigger(box, "stats-stale");
  }

  document.addEventListener("vms:live", function (e) {
    var event = (e.detail || {}).event || "";
    if (!/^(camera\.|detection\.created|alert\.)/.test(event) || timer) return;
    timer = setTimeout(stale, Math.max(0, MIN_INTERVAL - (Date.now() - last)));
  });
})();
