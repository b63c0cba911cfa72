/* The top navigation's menu button (shown under 700 px by console.css): a tap opens and closes it; the state is
 * the button's aria-expanded, which the CSS reads, so screen readers and the layout never disagree. Escape
 * closes it and gives the focus back to the button.
 */
(function () {
  "use strict";

  var button = document.querySelector(".menu-button");
  if (!button) return;

  function set(open) { button.setAttribute("aria-expanded", open ? "true" : "false"); }

  button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") { set(false); button.focus(); }
  });
})();
