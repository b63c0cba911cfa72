/* Live detection feeds: every [data-live-feed] list shows the newest detections first and takes new ones from
 * the console socket (`vms:live` events from live-status.js: detection.created / detection.updated with the
 * detection_public payload). A feed with data-feed-camera shows only that camera. Text is set with
 * textContent: plates and camera names are data, not markup.
 */
(function () {
  "use strict";

  var MAX_ITEMS = 50;
  var feeds = Array.prototype.slice.call(document.querySelectorAll("[data-live-feed]"));
  if (!feeds.length) return;

  function safeUrl(url) {
    return typeof url === "string" && /^(\/(?!\/)|https?:\/\/)/.test(url) ? url : null;
  }

  function field(item, name, tag, className) {
    var el = item.querySelector('[data-field="' + name + '"]');
    if (!el) {
      el = document.createElement(tag);
      el.dataset.field = name;
      if (className) el.className = className;
      item.appendChild(el);
    }
    return el;
  }

  function fill(box, item, p) {
    item.dataset.detectionId = String(Number(p.id));
    item.dataset.feedCameraId = String(Number(p.camera_id));
    var thumb = item.querySelector(".thumb");
    if (!thumb) {
      thumb = document.createElement("span");
      thumb.className = "thumb";
      item.appendChild(thumb);
    }
    var src = safeUrl(p.plate_crop_url) || safeUrl(p.snapshot_url);
    if (src) {
      var img = thumb.querySelector("img") || thumb.appendChild(document.createElement("img"));
      img.alt = "";
      img.src = src;
    }
    var plate = field(item, "plate_text", "a", "plate mono");
    plate.textContent = p.plate_text || "—";
    plate.href = (box.dataset.detailUrl || "/detections/0/").replace(/\/0\/$/, "/" + Number(p.id) + "/");
    // A resident: the plate was on an allow list when stored (detection_public's allow_list).
    var resident = item.querySelector('[data-field="allow_list"]');
    if (p.allow_list) {
      if (!resident) {
        resident = document.createElement("span");
        resident.dataset.field = "allow_list";
        resident.className = "badge resident";
        plate.insertAdjacentElement("afterend", resident);
      }
      resident.textContent = "resident · " + p.allow_list;
      resident.title = "On the allow list " + p.allow_list;
    } else if (resident) {
      resident.remove();
    }
    field(item, "vehicle_class", "span").textContent = p.vehicle_class || "";
    field(item, "camera_name", "span", "muted").textContent = p.camera_name || "";
    var time = field(item, "last_seen", "time", "muted");
    time.dateTime = p.last_seen || "";
    time.textContent = window.vmsTime.format(p.last_seen);
  }

  function upsert(box, event, p) {
    var list = box.querySelector("[data-feed-items]");
    if (!list) return;
    var item = list.querySelector('[data-detection-id="' + String(Number(p.id)) + '"]');
    if (!item) {
      if (event === "detection.updated" && list.children.length >= MAX_ITEMS) return;
      item = document.createElement("li");
      item.className = "feed-item new";
      var empty = list.querySelector(".empty-row");
      if (empty) empty.remove();
      list.insertBefore(item, list.firstChild);
      setTimeout(function () { item.classList.remove("new"); }, 4000);
      while (list.children.length > MAX_ITEMS) list.removeChild(list.lastChild);
    }
    fill(box, item, p);
  }

  function wants(box, p) {
    return !box.dataset.feedCamera || Number(box.dataset.feedCamera) === Number(p.camera_id);
  }

  var pending = [];
  var loading = 0;

  feeds.forEach(function (box) {
    var list = box.querySelector("[data-feed-items]");
    if (!list || !list.hasAttribute("data-load") || !box.dataset.src) return;
    loading += 1;
    fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (html) list.innerHTML = html; })
      .catch(function () {})
      .then(function () {
        list.removeAttribute("data-load");
        loading -= 1;
        if (!loading) { pending.forEach(function (args) { handle(args[0], args[1]); }); pending = []; }
      });
  });

  function handle(event, p) {
    feeds.forEach(function (box) { if (wants(box, p)) upsert(box, event, p); });
  }

  document.addEventListener("vms:live", function (e) {
    var d = e.detail || {};
    if (d.event !== "detection.created" && d.event !== "detection.updated") return;
    if (!d.payload || d.payload.id === undefined) return;
    if (loading) pending.push([d.event, d.payload]);
    else handle(d.event, d.payload);
  });
})();
