/* Live players: every <video data-hls="..."> plays its camera.
 *
 * Where the page gives data-whep (the media server offers WebRTC), WHEP is tried
 * first; if it fails or no picture comes, HLS (hls.js, or native HLS in Safari).
 * HLS errors are retried with back-off: a path's HLS muxer starts on the first
 * request, so the first seconds may answer 404.
 */
(function () {
  "use strict";

  var WHEP_TIMEOUT_MS = 6000;

  function status(video, text, state) {
    var box = video.parentElement && video.parentElement.querySelector("[data-player-status]");
    video.dataset.state = state || text;
    if (box) {
      box.textContent = text;
      box.hidden = state === "playing";
    }
  }

  function waitIce(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      var done = function () { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 2000);
    });
  }

  function playWhep(video, url) {
    var pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    var gotTrack = new Promise(function (resolve) {
      pc.ontrack = function (event) {
        if (!video.srcObject) video.srcObject = event.streams[0] || new MediaStream([event.track]);
        resolve();
      };
    });
    var timeout = new Promise(function (_, reject) {
      setTimeout(function () { reject(new Error("no WebRTC picture in time")); }, WHEP_TIMEOUT_MS);
    });
    var attempt = pc.createOffer()
      .then(function (offer) { return pc.setLocalDescription(offer); })
      .then(function () { return waitIce(pc); })
      .then(function () {
        return fetch(url, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp });
      })
      .then(function (response) {
        if (response.status !== 201 && response.status !== 200) throw new Error("WHEP answered " + response.status);
        return response.text();
      })
      .then(function (answer) { return pc.setRemoteDescription({ type: "answer", sdp: answer }); })
      .then(function () { return gotTrack; })
      .then(function () { return video.play(); });
    return Promise.race([attempt, timeout]).then(
      function () { video.dataset.transport = "webrtc"; return pc; },
      function (error) { pc.close(); video.srcObject = null; throw error; }
    );
  }

  function playHls(video, url) {
    video.dataset.transport = "hls";
    var attempts = 0;
    if (window.Hls && window.Hls.isSupported()) {
      var start = function () {
        var hls = new window.Hls({ liveDurationInfinity: true, backBufferLength: 10, manifestLoadingMaxRetry: 6 });
        hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
          attempts = 0;
          var p = video.play();
          if (p && p.catch) p.catch(function () { status(video, "press play", "paused"); });
        });
        hls.on(window.Hls.Events.ERROR, function (_, data) {
          if (!data.fatal) return;
          if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && attempts < 3) {
            attempts += 1;
            hls.recoverMediaError();
            return;
          }
          hls.destroy();
          var delay = Math.min(15000, 1000 * Math.pow(2, attempts));
          attempts += 1;
          status(video, "no video yet, retrying…", "retrying");
          setTimeout(start, delay);
        });
        hls.loadSource(url);
        hls.attachMedia(video);
        video._hls = hls;
      };
      start();
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.play().catch(function () { status(video, "press play", "paused"); });
    } else {
      status(video, "this browser cannot play HLS", "unsupported");
    }
  }

  function setup(video) {
    video.muted = true;
    video.addEventListener("playing", function () { status(video, "playing", "playing"); });
    video.addEventListener("waiting", function () { status(video, "buffering…", "buffering"); });
    video.addEventListener("loadedmetadata", function () {
      if (video.videoWidth && video.videoHeight && video.parentElement) {
        video.parentElement.style.aspectRatio = video.videoWidth + " / " + video.videoHeight;
      }
    });
    status(video, "connecting…", "connecting");
    var whep = video.dataset.whep;
    var hls = video.dataset.hls;
    if (whep && window.RTCPeerConnection) {
      playWhep(video, whep).catch(function () { playHls(video, hls); });
    } else {
      playHls(video, hls);
    }
  }

  function init() {
    document.querySelectorAll("video[data-hls]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
