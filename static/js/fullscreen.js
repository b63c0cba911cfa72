/* Fullscreen buttons: `<button data-fullscreen="ID">` puts the element ID on the whole screen (the Fullscreen
 * API) and, pressed again (or Escape), takes it back. The button says which it will do; aria-pressed tells a
 * screen reader the same. Where the browser has no Fullscreen API the buttons are hidden.
 */
(function () {
  "use strict";

  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-fullscreen]"));
  if (!buttons.length) return;
  if (!document.fullscreenEnabled) {
    buttons.forEach(function (button) { button.hidden = true; });
    return;
  }

  function show() {
    buttons.forEach(function (button) {
      var on = document.fullscreenElement === document.getElementById(button.dataset.fullscreen);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Exit fullscreen" : "Fullscreen";
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.fullscreen);
      if (!target) return;
      if (document.fullscreenElement === target) document.exitFullscreen();
      else target.requestFullscreen().catch(function () { /* refused (no user gesture, or a policy): stay as is */ });
    });
  });
  document.addEventListener("fullscreenchange", show);
})();
