/* Camera states, live: one WebSocket to /ws/console/, reconnecting with back-off.
 *
 * Elements with data-camera-id="ID" are updated from the events camera.status,
 * camera.updated and camera.deleted; inside them, [data-field=...] elements get
 * the new values: the one state badge (state, state_label) and why (state_reason). Everything is written with textContent: names are user data.
 *
 * Every message is also re-dispatched as a DOM event `vms:live` (detail: {event, payload}) so other scripts
 * (live feed, alert toasts, dashboard) share this one socket. Included twice on a page, it connects once.
 */
(function () {
  "use strict";

  if (window.vmsLiveStarted) return;
  window.vmsLiveStarted = true;

  var script = document.currentScript;
  var detailUrl = (script && script.dataset.detailUrl) || "/cameras/0/";
  var STATES = ["online", "offline", "frozen", "unknown", "pending", "ready", "error"];
  var attempts = 0;
  var socket = null;

  function label(state) {
    state = String(state || "unknown");
    return state.charAt(0).toUpperCase() + state.slice(1);
  }

  // The one state badge: its class and words come from the server (presenters.camera_state), so "Ready"
  // is never shown apart from the stream's state.
  function setBadge(el, state, text) {
    if (!el || !state) return;
    STATES.forEach(function (s) { el.classList.remove(s); });
    el.classList.add("badge");
    el.classList.add(String(state).replace(/[^a-z]/g, ""));
    el.textContent = text || label(state);
  }

  function setConnection(text, state) {
    document.documentElement.dataset.live = state;
    var el = document.getElementById("live-connection");
    if (el) el.textContent = text;
  }

  function containers(id) {
    return document.querySelectorAll('[data-camera-id="' + String(Number(id)) + '"]');
  }

  function addRow(payload) {
    var list = document.querySelector("[data-live-list] tbody");
    var template = document.getElementById("camera-row-template");
    if (!list || !template) return;
    var row = template.content.firstElementChild.cloneNode(true);
    row.dataset.cameraId = String(Number(payload.id));
    row.querySelector("a[data-field=name]").href = detailUrl.replace(/\/0\/$/, "/" + Number(payload.id) + "/");
    var empty = list.querySelector(".empty-row");
    if (empty) empty.remove();
    list.appendChild(row);
  }

  function update(payload) {
    if (!payload || payload.id === undefined) return;
    var found = containers(payload.id);
    if (!found.length) {
      addRow(payload);
      found = containers(payload.id);
    }
    found.forEach(function (box) {
      box.querySelectorAll("[data-field=name]").forEach(function (el) {
        if (payload.name !== undefined) el.textContent = payload.name;
      });
      box.querySelectorAll("[data-field=state]").forEach(function (el) {
        setBadge(el, payload.state, payload.state_label);
      });
      if (payload.state_reason !== undefined) {
        box.querySelectorAll("[data-field=state_reason_text]").forEach(function (el) {
          el.textContent = payload.state_reason || "";
        });
        box.querySelectorAll("[data-field=state_reason]").forEach(function (el) { el.hidden = !payload.state_reason; });
      }
    });
    document.dispatchEvent(new CustomEvent("vms:camera", { detail: payload }));
  }

  function remove(payload) {
    containers(payload.id).forEach(function (box) {
      if (box.hasAttribute("data-camera-page")) {
        var notice = box.querySelector("[data-deleted-notice]");
        if (notice) notice.hidden = false;
        box.classList.add("deleted");
      } else {
        box.remove();
      }
    });
  }

  function handle(message) {
    var data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    if (!data || typeof data.event !== "string") return;
    document.dispatchEvent(new CustomEvent("vms:live", { detail: { event: data.event, payload: data.payload } }));
    if (data.event === "camera.status" || data.event === "camera.updated") update(data.payload);
    else if (data.event === "camera.deleted") remove(data.payload || {});
  }

  // Pushes sent before the socket opened (a camera provisioned within a second of being added) or while it
  // was closed are missed: read the cameras on this page afresh once it is open.
  function catchUp() {
    if (!document.querySelector("[data-camera-id]")) return;
    fetch("/api/streaming/cameras", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (streams) {
        streams.forEach(function (stream) {
          if (!containers(stream.camera_id).length) return;
          update({
            id: stream.camera_id, name: stream.name, state: stream.state, state_label: stream.state_label,
            state_reason: stream.state_reason,
          });
        });
      })
      .catch(function () { /* the next push or reconnect brings the truth */ });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/console/");
    socket.onopen = function () { attempts = 0; setConnection("live", "open"); catchUp(); };
    socket.onmessage = handle;
    socket.onclose = function (event) {
      socket = null;
      if (event.code === 4401) { setConnection("not logged in", "refused"); return; }
      // Back-off: 1 s, 2 s, 4 s … up to 30 s, with jitter so consoles don't reconnect in step.
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts)) * (0.75 + Math.random() * 0.5);
      attempts += 1;
      setConnection("reconnecting…", "closed");
      setTimeout(connect, delay);
    };
  }

  connect();
})();
