/* "Test connection" on the camera page (operators and up): POST to the page's data-test-url, show the answer
 * in words (what failed, or the codec and picture size). Text only through textContent. */
(function () {
  "use strict";

  var box = document.getElementById("connection-test");
  if (!box) return;
  var button = box.querySelector("[data-action=test-connection]");
  var result = box.querySelector("[data-connection-result]");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(text, kind) {
    result.hidden = false;
    result.textContent = text;
    result.dataset.kind = kind;
    result.className = "connection-result " + (kind === "ok" ? "ok" : "error");
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    show("testing…", "testing");
    fetch(box.dataset.testUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("the console answered " + response.status);
        return response.json();
      })
      .then(function (answer) { show(String(answer.message || answer.kind), String(answer.kind)); })
      .catch(function (error) { show("could not test: " + error.message, "error"); })
      .then(function () { button.disabled = false; });
  });
})();
