/* ROI zones on the camera page: drawn over the live picture for everyone; edited by admins.
 *
 * Points are normalised to 0–1 of the picture (the player box takes the video's
 * aspect ratio, so the canvas covers exactly the picture). The editor posts all
 * zones at once as JSON to the zones view, which calls camera_set_zones.
 * Names are user data: they go into input.value, textContent and canvas text only.
 */
(function () {
  "use strict";

  var canvas = document.getElementById("zone-canvas");
  var video = document.getElementById("live-video");
  if (!canvas || !video) return;
  var editor = document.getElementById("zone-editor");
  var dataEl = document.getElementById("zones-data");
  var COLORS = ["#3aa0ff", "#2fbf71", "#e8a33d", "#e5484d", "#b07cff", "#27c6c6"];

  function validPoint(p) {
    return Array.isArray(p) && p.length === 2 && p.every(function (v) { return typeof v === "number" && isFinite(v); });
  }

  var zones = [];
  try {
    var initial = JSON.parse(dataEl ? dataEl.textContent : "[]");
    if (Array.isArray(initial)) {
      zones = initial.filter(function (z) { return z && Array.isArray(z.points) && z.points.every(validPoint); })
        .map(function (z) { return { name: String(z.name == null ? "" : z.name), points: z.points.slice() }; });
    }
  } catch (e) { zones = []; }
  var current = [];

  function resize() {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    canvas.height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    draw();
  }

  function path(ctx, points, close) {
    ctx.beginPath();
    points.forEach(function (p, i) {
      var x = p[0] * canvas.width, y = p[1] * canvas.height;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    if (close) ctx.closePath();
  }

  function draw() {
    var ctx = canvas.getContext("2d");
    var ratio = window.devicePixelRatio || 1;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.lineWidth = 2 * ratio;
    ctx.font = (13 * ratio) + "px system-ui, sans-serif";
    zones.forEach(function (zone, i) {
      if (zone.points.length < 2) return;
      var color = COLORS[i % COLORS.length];
      path(ctx, zone.points, true);
      ctx.strokeStyle = color;
      ctx.fillStyle = color + "33";
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = "#fff";
      ctx.fillText(zone.name, zone.points[0][0] * canvas.width + 4 * ratio, zone.points[0][1] * canvas.height - 4 * ratio);
    });
    if (current.length) {
      path(ctx, current, false);
      ctx.strokeStyle = "#fff";
      ctx.setLineDash([6 * ratio, 4 * ratio]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#fff";
      current.forEach(function (p) {
        ctx.beginPath();
        ctx.arc(p[0] * canvas.width, p[1] * canvas.height, 3.5 * ratio, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  }

  if (window.ResizeObserver) new ResizeObserver(resize).observe(canvas);
  window.addEventListener("resize", resize);
  resize();

  if (!editor) return;

  canvas.classList.add("editing");
  var list = document.getElementById("zone-drafts");
  var form = document.getElementById("zones-form");
  var input = document.getElementById("zones-input");
  var hint = editor.querySelector("[data-drawing-hint]");

  function renderList() {
    list.textContent = "";
    zones.forEach(function (zone, i) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLORS[i % COLORS.length];
      var name = document.createElement("input");
      name.type = "text";
      name.maxLength = 100;
      name.value = zone.name;
      name.setAttribute("aria-label", "Zone name");
      name.className = "zone-name-input";
      name.addEventListener("input", function () { zone.name = name.value; draw(); });
      var info = document.createElement("small");
      info.className = "muted";
      info.textContent = zone.points.length + " points";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "Remove";
      remove.addEventListener("click", function () { zones.splice(i, 1); renderList(); draw(); });
      li.append(swatch, name, info, remove);
      list.appendChild(li);
    });
    hint.textContent = current.length ? current.length + " points placed; close the polygon when done." : "";
  }

  function finish() {
    if (current.length < 3) {
      hint.textContent = "A zone needs at least 3 points.";
      return false;
    }
    zones.push({ name: "Zone " + (zones.length + 1), points: current });
    current = [];
    renderList();
    draw();
    var inputs = list.querySelectorAll("input");
    if (inputs.length) { inputs[inputs.length - 1].focus(); inputs[inputs.length - 1].select(); }
    return true;
  }

  canvas.addEventListener("click", function (event) {
    var rect = canvas.getBoundingClientRect();
    var clamp = function (v) { return Math.min(1, Math.max(0, Math.round(v * 10000) / 10000)); };
    current.push([clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)]);
    renderList();
    draw();
  });

  editor.addEventListener("click", function (event) {
    var action = event.target.dataset && event.target.dataset.action;
    if (!action) return;
    if (action === "finish") finish();
    else if (action === "undo") { current.pop(); renderList(); draw(); }
    else if (action === "discard") { current = []; renderList(); draw(); }
    else if (action === "snapshot") {
      if (video.paused) {
        var hls = video._hls;
        if (hls && hls.liveSyncPosition) video.currentTime = hls.liveSyncPosition;
        video.play();
        event.target.textContent = "Freeze picture";
      } else {
        video.pause();
        event.target.textContent = "Back to live";
      }
    }
  });

  form.addEventListener("submit", function (event) {
    if (current.length >= 3) finish();
    else if (current.length) {
      // Saving now would silently drop the points being placed.
      event.preventDefault();
      hint.textContent = "Close the polygon (at least 3 points) or discard the drawing before saving.";
      return;
    }
    input.value = JSON.stringify(zones.map(function (z) { return { name: z.name, points: z.points }; }));
  });

  renderList();
})();
