/* Camera health in every console page: a toast when a camera has been offline or frozen too long (event
 * camera.health, kind camera.offline, on the console socket), taken away when it is back (kind
 * camera.recovered, shown briefly). Needs live-status.js for the socket. Text only through textContent. */
(function () {
  "use strict";

  var container = window.vmsToasts.container;  // toasts.js
  var el = window.vmsToasts.el;

  function toastFor(id) { return document.querySelector('.toast[data-camera-health="' + String(Number(id)) + '"]'); }

  function show(body) {
    var camera = body.camera || {};
    var old = toastFor(camera.id);
    if (old) old.remove();
    var toast = el("div", "toast camera-health " + (body.kind === "camera.offline" ? "down" : "back"));
    toast.dataset.cameraHealth = String(Number(camera.id));
    toast.dataset.kind = String(body.kind);
    toast.appendChild(el("strong", "", String(body.title || "")));
    toast.appendChild(el("p", "", String(body.message || "")));
    var actions = el("div", "toast-actions");
    var link = el("a", "", "Open camera");
    link.href = "/cameras/" + Number(camera.id) + "/";
    actions.appendChild(link);
    var close = el("button", "small", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () { toast.remove(); });
    actions.appendChild(close);
    toast.appendChild(actions);
    container().appendChild(toast);
    if (body.kind === "camera.recovered") setTimeout(function () { toast.remove(); }, 10000);
  }

  document.addEventListener("vms:live", function (event) {
    var detail = event.detail || {};
    if (detail.event === "camera.health" && detail.payload && detail.payload.camera) show(detail.payload);
  });
})();
