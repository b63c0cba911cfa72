// A camera's recordings: the day bar (spans, gaps, detection markers), play from a click, ±10 s, back 30 s,
// download a span. Every clip comes from Django (`data-clip-src`), never from the media server.
(function () {
  "use strict";
  var root = document.getElementById("recordings");
  if (!root) return;
  var bar = document.getElementById("timeline-bar");
  var video = document.getElementById("recording-video");
  var dateInput = document.getElementById("timeline-date");
  var atLabel = document.getElementById("timeline-at");
  var PLAY_SECONDS = 120;
  var day = null; // {start: Date, end: Date}
  var playingFrom = null; // Date the current clip starts at


  function block(kind, start, end, title) {
    var el = document.createElement("div");
    var span = day.end - day.start;
    el.className = "timeline-" + kind;
    el.style.left = (100 * (start - day.start) / span) + "%";
    el.style.width = Math.max(0.1, 100 * (end - start) / span) + "%";
    el.title = title;
    el.dataset.start = start.toISOString();
    bar.appendChild(el);
    return el;
  }

  function load() {
    fetch(root.dataset.timelineSrc + "?date=" + encodeURIComponent(dateInput.value), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        day = {start: new Date(data.start), end: new Date(data.end)};
        bar.textContent = "";
        data.gaps.forEach(function (g) { block("gap", new Date(g.start), new Date(g.end), "not recorded"); });
        data.spans.forEach(function (s) { block("span", new Date(s.start), new Date(s.end), "recorded"); });
        data.detections.forEach(function (d) {
          var at = new Date(d.first_seen);
          var mark = block(d.alerted ? "alert" : "detection", at, at, (d.plate_text || "vehicle") + " " + window.vmsTime.format(at));
          mark.dataset.detectionId = d.id;
        });
        root.dataset.loaded = String(data.spans.length);
      })
      .catch(function (status) { atLabel.textContent = "Recordings unavailable (" + status + ")."; });
  }

  function play(from) {
    playingFrom = from;
    video.src = root.dataset.clipSrc + "?start=" + encodeURIComponent(from.toISOString()) + "&duration=" + PLAY_SECONDS;
    video.play().catch(function () {});
    atLabel.textContent = "from " + window.vmsTime.format(from);
  }

  function current() {
    return playingFrom ? new Date(playingFrom.getTime() + video.currentTime * 1000) : new Date();
  }

  bar.addEventListener("click", function (event) {
    if (!day) return;
    var box = bar.getBoundingClientRect();
    // A span or a marker plays from its start; anywhere else, from the moment under the pointer.
    var onBlock = event.target !== bar && event.target.className !== "timeline-gap";
    var target = onBlock ? new Date(event.target.dataset.start)
      : new Date(day.start.getTime() + (day.end - day.start) * (event.clientX - box.left) / box.width);
    play(target);
  });
  root.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      play(new Date(current().getTime() + 1000 * Number(button.dataset.step)));
    });
  });
  root.querySelector("[data-back]").addEventListener("click", function () {
    play(new Date(Date.now() - 1000 * Number(root.querySelector("[data-back]").dataset.back)));
  });
  document.getElementById("timeline-download").addEventListener("submit", function (event) {
    event.preventDefault();
    // Wall times of the site's zone: the start goes without an offset, and the server reads it in that zone.
    var start = dateInput.value + "T" + document.getElementById("download-from").value;
    var end = dateInput.value + "T" + document.getElementById("download-to").value;
    var seconds = Math.round((new Date(end + "Z") - new Date(start + "Z")) / 1000);
    if (!(seconds > 0)) { atLabel.textContent = "Choose an end after the start."; return; }
    window.location.href = root.dataset.clipSrc + "?start=" + encodeURIComponent(start) +
      "&duration=" + seconds + "&download=1";
  });
  dateInput.value = window.vmsTime.today();  // the server reads ?date= in the site's zone too
  dateInput.addEventListener("change", load);
  load();
})();
