/* Watch-list alerts in every console page: a toast for each new alert (event alert.created on the console
 * socket) with its list, the entry's note and a link to its clip where its camera records; at most three
 * toasts, the rest behind a "+N more" counter that opens the alerts page; a sound (WebAudio, the user's
 * server-side setting) and, where the user allowed it and the page is hidden, a browser notification; rows
 * added to open-alert tables ([data-open-alerts]), the open count in the navigation ([data-open-alert-count]);
 * a later sighting (alert.updated) updates the alert's cameras and count; acknowledging (operators) from the
 * toast or a table, everywhere at once (event alert.acknowledged). Needs live-status.js for the socket.
 * Text only through textContent. window.vmsAlertSound.started and window.vmsAlertNotifications.shown count
 * what was played and shown (tests read them).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var cfg = (script && script.dataset) || {};
  var canAck = cfg.canAck === "1";
  var ackUrl = cfg.ackUrl || "/watchlists/alerts/0/acknowledge/";
  var detailUrl = cfg.detectionUrl || "/detections/0/";
  var countUrl = cfg.countUrl || "/api/alerts/?state=open";
  var alertsUrl = cfg.alertsUrl || "/watchlists/alerts/";
  var soundUrl = cfg.soundUrl || "/watchlists/alerts/sound/";
  var soundOn = cfg.sound === "1";
  var MAX_TOASTS = 3;
  var MAX_KEPT = 100;  // toasts kept behind the counter (the alerts page has them all)

  window.vmsAlertSound = { started: 0, enabled: soundOn };
  window.vmsAlertNotifications = { shown: 0 };

  // Only the console's own paths: a payload field never becomes a javascript: link.
  function safePath(url) { return typeof url === "string" && /^\/(?!\/)/.test(url) ? url : null; }

  function clipLink(p) {
    var url = safePath(p.detection && p.detection.clip_url);
    if (!url) return null;
    var link = el("a", "", "Play clip");
    link.href = url;
    link.dataset.clip = "";
    return link;
  }

  function withId(template, id) { return template.replace(/\/0\/(acknowledge\/)?$/, "/" + Number(id) + "/$1"); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  var container = window.vmsToasts.container;  // toasts.js
  var el = window.vmsToasts.el;

  function refreshCount() {
    var targets = document.querySelectorAll("[data-open-alert-count]");
    if (!targets.length) return;
    fetch(countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || typeof data.count !== "number") return;
        targets.forEach(function (t) { t.textContent = data.count ? String(data.count) : ""; t.hidden = !data.count; });
      })
      .catch(function () {});
  }

  function acknowledge(id, button) {
    if (button) button.disabled = true;
    return fetch(withId(ackUrl, id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      closed(id);
    }).catch(function () { if (button) button.disabled = false; });
  }

  function ackButton(id) {
    var button = el("button", "small", "Acknowledge");
    button.type = "button";
    button.dataset.ack = String(Number(id));
    button.addEventListener("click", function () { acknowledge(id, button); });
    return button;
  }

  function camerasText(p) {
    var names = Array.isArray(p.cameras) && p.cameras.length ? p.cameras : [p.camera_name || ""];
    var text = names.map(String).join(", ");
    return Number(p.sightings) > 1 ? text + " ×" + Number(p.sightings) : text;
  }

  // The pattern only where it says more than the plate (a wildcard, a folded confusable).
  function patternText(p) { return p.pattern && p.pattern !== p.plate_text ? " (" + p.pattern + ")" : ""; }

  function layoutToasts() {
    var box = container();
    var items = box.querySelectorAll(".alert-toast");
    for (var i = 0; i < items.length; i++) {
      items[i].hidden = i >= MAX_TOASTS;
      if (i >= MAX_KEPT) items[i].remove();
    }
    var hidden = Math.max(0, Math.min(items.length, MAX_KEPT) - MAX_TOASTS);
    var more = box.querySelector(".toast-more");
    if (!hidden) { if (more) more.remove(); return; }
    if (!more) {
      more = el("a", "toast toast-more");
      more.href = alertsUrl;
      more.dataset.toastMore = "";
      box.appendChild(more);
    }
    more.textContent = "+" + hidden + " more";
    box.appendChild(more);  // always last
  }

  function toast(p) {
    var box = container();
    var item = el("div", "toast alert-toast");
    item.dataset.alertId = String(Number(p.id));
    var title = el("a", "toast-title", "Watch list " + (p.watchlist_name || ""));
    title.href = alertsUrl;
    var body = el("p");
    var link = el("a", "plate mono", p.plate_text || "");
    link.href = withId(detailUrl, p.detection && p.detection.id);
    body.appendChild(link);
    body.appendChild(document.createTextNode(patternText(p) + " at "));
    body.appendChild(el("span", "", camerasText(p))).dataset.field = "cameras";
    var actions = el("div", "toast-actions");
    var clip = clipLink(p);
    if (clip) actions.appendChild(clip);
    if (canAck) actions.appendChild(ackButton(p.id));
    var close = el("button", "link", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () { item.remove(); layoutToasts(); });
    actions.appendChild(close);
    item.appendChild(title);
    item.appendChild(body);
    if (p.note) item.appendChild(el("p", "alert-note", p.note)).dataset.field = "note";
    item.appendChild(actions);
    box.insertBefore(item, box.firstChild);
    layoutToasts();
  }

  function updated(p) {
    var key = String(Number(p.id));
    document.querySelectorAll('[data-alert-id="' + key + '"] [data-field=cameras]').forEach(function (node) {
      node.textContent = camerasText(p);
    });
  }

  // --- sound (WebAudio: nothing to download) and browser notifications ---

  var audio = null;

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    return audio;
  }

  // Browsers start audio only after a gesture on the page: the first click or key wakes the context.
  function wake() { var ctx = audioContext(); if (ctx && ctx.state === "suspended") ctx.resume(); }
  document.addEventListener("pointerdown", wake, { once: true, capture: true });
  document.addEventListener("keydown", wake, { once: true, capture: true });

  function beep() {
    if (!soundOn) return;
    var ctx = audioContext();
    if (!ctx) return;
    if (ctx.state === "suspended") ctx.resume();
    var start = ctx.currentTime;
    [[880, 0], [660, 0.18]].forEach(function (tone) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.3, start + tone[1] + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[1] + 0.16);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(start + tone[1]);
      osc.stop(start + tone[1] + 0.17);
    });
    window.vmsAlertSound.started += 1;
  }

  function notify(p) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
    var text = (p.plate_text || "") + " at " + camerasText(p) + (p.note ? " — " + p.note : "");
    try {
      var note = new Notification("Watch list " + (p.watchlist_name || ""), { body: text, tag: "vms-alert-" + Number(p.id) });
      note.onclick = function () { window.focus(); window.location.href = alertsUrl; };
      window.vmsAlertNotifications.shown += 1;
    } catch (err) { /* some browsers allow notifications from a service worker only */ }
  }

  function soundButton(button) {
    button.textContent = "Alert sound: " + (soundOn ? "on" : "off");
    button.setAttribute("aria-pressed", soundOn ? "true" : "false");
    var form = button.form;
    if (form && form.elements.sound) form.elements.sound.value = soundOn ? "0" : "1";
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("[data-sound-form]")) return;
    e.preventDefault();
    var wanted = form.elements.sound.value;
    var body = new FormData();
    body.append("sound", wanted);
    fetch(soundUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      soundOn = !!data.sound;
      window.vmsAlertSound.enabled = soundOn;
      form.querySelectorAll("[data-sound-toggle]").forEach(soundButton);
      if (soundOn) beep();  // the user's click: a sample, and the audio is allowed from now on
    }).catch(function () {});
  });

  // Permission is asked on the user's click only, never on load.
  document.querySelectorAll("[data-notify-enable]").forEach(function (button) {
    if (!("Notification" in window)) return;
    function show() {
      button.hidden = Notification.permission === "granted";
      button.textContent = Notification.permission === "denied"
        ? "Browser notifications: blocked (browser settings)" : "Browser notifications: allow";
      button.disabled = Notification.permission === "denied";
    }
    show();
    button.addEventListener("click", function () {
      var asked = Notification.requestPermission(show);
      if (asked && asked.then) asked.then(show);
    });
  });

  function addRow(p) {
    document.querySelectorAll("[data-open-alerts] tbody").forEach(function (tbody) {
      if (tbody.querySelector('[data-alert-id="' + String(Number(p.id)) + '"]')) return;
      var empty = tbody.querySelector(".empty-row");
      if (empty) empty.remove();
      var row = el("tr");
      row.dataset.alertId = String(Number(p.id));
      var plate = el("td", "plate mono");
      var link = el("a", "", p.plate_text || "");
      link.href = withId(detailUrl, p.detection && p.detection.id);
      plate.appendChild(link);
      row.appendChild(plate);
      row.appendChild(el("td", "", (p.watchlist_name || "") + patternText(p)));
      row.appendChild(el("td", "", p.note || "")).dataset.field = "note";
      row.appendChild(el("td", "", camerasText(p))).dataset.field = "cameras";
      var clipCell = el("td");
      var clip = clipLink(p);
      if (clip) clipCell.appendChild(clip);
      row.appendChild(clipCell);
      var when = el("td");
      var time = el("time", "", window.vmsTime.format(p.created_at));
      time.dateTime = p.created_at || "";
      when.appendChild(time);
      row.appendChild(when);
      var action = el("td");
      if (canAck) action.appendChild(ackButton(p.id));
      else action.appendChild(el("span", "badge error", "open"));
      row.appendChild(action);
      tbody.insertBefore(row, tbody.firstChild);
    });
    // A live row on the alerts page is shown: "Acknowledge all shown" takes it too.
    if (!document.querySelector("#alert-list[data-open-alerts]")) return;
    document.querySelectorAll("[data-ack-shown-form]").forEach(function (form) {
      var input = el("input");
      input.type = "hidden";
      input.name = "alert";
      input.value = String(Number(p.id));
      form.appendChild(input);
    });
  }

  function closed(id) {
    var key = String(Number(id));
    document.querySelectorAll('#toasts [data-alert-id="' + key + '"], [data-open-alerts] [data-alert-id="' + key + '"]')
      .forEach(function (node) { node.remove(); });
    layoutToasts();
    refreshCount();
  }

  // Server-rendered acknowledge forms go through fetch too, so the page stays.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("[data-ack-form]")) return;
    var row = form.closest("[data-alert-id]");
    if (!row) return;
    e.preventDefault();
    acknowledge(row.dataset.alertId, form.querySelector("button"));
  });

  document.addEventListener("vms:live", function (e) {
    var d = e.detail || {};
    if (!d.payload || d.payload.id === undefined) return;
    if (d.event === "alert.created") { toast(d.payload); addRow(d.payload); refreshCount(); beep(); notify(d.payload); }
    else if (d.event === "alert.updated") updated(d.payload);
    else if (d.event === "alert.acknowledged") closed(d.payload.id);
  });

  refreshCount();
})();
