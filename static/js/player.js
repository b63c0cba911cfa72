/* Live players: every <video data-hls="..."> plays its camera.
 *
 * Where the page gives data-whep (the media server offers WebRTC), WHEP is tried
 * first; if it fails or no picture comes, HLS (hls.js, or native HLS in Safari).
 * HLS errors are retried with back-off: a path's HLS muxer starts on the first
 * request, so the first seconds may answer 404.
 *
 * The media server lets in only a watch token for this camera and this login
 * (data-token-url gives one, short-lived): it goes as `Authorization: Bearer`
 * on the WHEP offer and every HLS request, and is renewed at half its life.
 * When renewing is refused (logged out, role taken away) the player stops.
 */
(function () {
  "use strict";

  var WHEP_TIMEOUT_MS = 6000;
  var TOKEN_RETRY_MS = 5000;

  function Refused(status) { this.status = status; }

  function stop(video, text) {
    video._stopped = true;
    clearTimeout(video._renew);
    if (video._hls) { video._hls.destroy(); video._hls = null; }
    if (video._pc) { video._pc.close(); video._pc = null; }
    video.srcObject = null;
    video.removeAttribute("src");
    video.load();
    status(video, text, "stopped");
  }

  // A fresh token into video._token, renewed at half its life; resolves once it is there.
  function renewToken(video) {
    clearTimeout(video._renew);
    return fetch(video.dataset.tokenUrl, {
      credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" }
    })
      .then(function (response) {
        // A redirect (to the login page) comes back opaque, status 0.
        if (!response.ok) throw new Refused(response.status);
        return response.json();
      })
      .then(function (grant) {
        video._token = grant.token;
        video._renew = setTimeout(function () { renewToken(video).catch(function () {}); }, grant.expires_in * 500);
      })
      .catch(function (error) {
        if (error instanceof Refused) {
          stop(video, error.status === 403 ? "not allowed to watch this camera" : "signed out: log in again to watch");
        } else if (!video._stopped) {  // the network, for now: try again soon
          video._renew = setTimeout(function () { renewToken(video).catch(function () {}); }, TOKEN_RETRY_MS);
        }
        throw error;
      });
  }

  function bearer(video) {
    return "Bearer " + (video._token || "");
  }

  function status(video, text, state) {
    var box = video.parentElement && video.parentElement.querySelector("[data-player-status]");
    if (video._stopped && state !== "stopped") return;
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
        return fetch(url, {
          method: "POST", headers: { "Content-Type": "application/sdp", Authorization: bearer(video) }, body: pc.localDescription.sdp
        });
      })
      .then(function (response) {
        if (response.status !== 201 && response.status !== 200) throw new Error("WHEP answered " + response.status);
        return response.text();
      })
      .then(function (answer) { return pc.setRemoteDescription({ type: "answer", sdp: answer }); })
      .then(function () { return gotTrack; })
      .then(function () { return video.play(); });
    return Promise.race([attempt, timeout]).then(
      function () {
        video.dataset.transport = "webrtc";
        video._pc = pc;
        // Ended by the media server (restarted, or this session kicked out): start again, from a fresh token.
        pc.addEventListener("connectionstatechange", function () {
          if (pc.connectionState !== "failed" || video._stopped || video._pc !== pc) return;
          pc.close();
          video._pc = null;
          status(video, "reconnecting…", "retrying");
          setTimeout(function () { start(video); }, 1000);
        });
        return pc;
      },
      function (error) { pc.close(); video.srcObject = null; throw error; }
    );
  }

  function playHls(video, url) {
    video.dataset.transport = "hls";
    var attempts = 0;
    if (window.Hls && window.Hls.isSupported()) {
      var start = function () {
        if (video._stopped) return;
        var hls = new window.Hls({
          liveDurationInfinity: true, backBufferLength: 10, manifestLoadingMaxRetry: 6,
          xhrSetup: function (xhr) { xhr.setRequestHeader("Authorization", bearer(video)); }
        });
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
          video._hls = null;
          if (video._stopped) return;
          var delay = Math.min(15000, 1000 * Math.pow(2, attempts));
          attempts += 1;
          status(video, retryText(video), "retrying");
          // The token may be what was refused: renew it first (a refusal stops the player).
          setTimeout(function () { renewToken(video).then(start, function () { if (!video._stopped) start(); }); }, delay);
        });
        hls.loadSource(url);
        hls.attachMedia(video);
        video._hls = hls;
      };
      start();
    } else {
      // Native HLS (video.src) cannot send the token; MSE (hls.js) is in every current browser.
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
    start(video);
  }

  function start(video) {
    if (video._stopped) return;
    status(video, "connecting…", "connecting");
    var whep = video.dataset.whep;
    var hls = video.dataset.hls;
    renewToken(video).then(function () {
      if (whep && window.RTCPeerConnection) {
        playWhep(video, whep).catch(function () { if (!video._stopped) playHls(video, hls); });
      } else {
        playHls(video, hls);
      }
    }, function () { if (!video._stopped) playHls(video, hls); });
  }

  // Why there is no video, when the server knows (live-status.js passes each camera's state on as `vms:camera`).
  function retryText(video) {
    return video._cameraReason ? "no video: " + video._cameraReason + " — retrying…" : "no video yet, retrying…";
  }

  document.addEventListener("vms:camera", function (event) {
    var camera = event.detail || {};
    if (camera.state_reason === undefined) return;
    document.querySelectorAll('[data-camera-id="' + String(Number(camera.id)) + '"] video[data-hls]').forEach(function (video) {
      video._cameraReason = camera.state_reason || "";
      if (video.dataset.state === "retrying") status(video, retryText(video), "retrying");
    });
  });

  function init() {
    document.querySelectorAll("video[data-hls]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
