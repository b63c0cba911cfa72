/* The console's toast box and element helper, shared by alerts.js and camera-health.js (loaded before
 * them). Text only through textContent. */
(function () {
  "use strict";

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

  window.vmsToasts = { container: container, el: el };
})();
