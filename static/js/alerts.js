/* Watch-list alerts in every console page: a toast for each new alert (event alert.created on the console
 * socket), rows added to open-alert tables ([data-open-alerts]), the open count in the navigation
 * ([data-open-alert-count]); each with a link to the alert's clip where its camera records; acknowledging (operators) from the toast or a table, everywhere at once
 * (event alert.acknowledged). Needs live-status.js for the socket. Text only through textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var cfg = (script && script.dataset) || {};
  var canAck = cfg.canAck === "1";
  var ackUrl = cfg.ackUrl || "/watchlists/alerts/0/acknowledge/";
  var detailUrl = cfg.detectionUrl || "/detections/0/";
  var countUrl = cfg.countUrl || "/api/alerts/?state=open";

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

  function container() {
    var box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "toasts";
      box.className = "toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "assertive");
      document.body.appendChild(box);
    }
    return box;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

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

  function toast(p) {
    var box = container();
    var item = el("div", "toast alert-toast");
    item.dataset.alertId = String(Number(p.id));
    var title = el("strong", "", "Watch list " + (p.watchlist_name || ""));
    var body = el("p");
    var link = el("a", "plate mono", p.plate_text || "");
    link.href = withId(detailUrl, p.detection && p.detection.id);
    body.appendChild(link);
    body.appendChild(document.createTextNode(" at " + (p.camera_name || "") + " (" + (p.pattern || "") + ")"));
    var actions = el("div", "toast-actions");
    var clip = clipLink(p);
    if (clip) actions.appendChild(clip);
    if (canAck) actions.appendChild(ackButton(p.id));
    var close = el("button", "link", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () { item.remove(); });
    actions.appendChild(close);
    item.appendChild(title);
    item.appendChild(body);
    item.appendChild(actions);
    box.insertBefore(item, box.firstChild);
    while (box.children.length > 5) box.removeChild(box.lastChild);
  }

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
      row.appendChild(el("td", "", (p.watchlist_name || "") + " " + (p.pattern || "")));
      row.appendChild(el("td", "", p.camera_name || ""));
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
  }

  function closed(id) {
    var key = String(Number(id));
    document.querySelectorAll('#toasts [data-alert-id="' + key + '"], [data-open-alerts] [data-alert-id="' + key + '"]')
      .forEach(function (node) { node.remove(); });
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
    if (d.event === "alert.created") { toast(d.payload); addRow(d.payload); refreshCount(); }
    else if (d.event === "alert.acknowledged") closed(d.payload.id);
  });

  refreshCount();
})();
