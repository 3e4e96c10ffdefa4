// The demo payment form's countdown ("Il vous reste 2:49"). The server enforces the limit;
// this only shows it, and reloads when time is up so the page says the attempt expired.
(function () {
  "use strict";
  var node = document.getElementById("countdown");
  if (!node) { return; }
  var left = parseInt(node.getAttribute("data-seconds") || "0", 10);
  var timer = setInterval(function () {
    left -= 1;
    if (left <= 0) {
      clearInterval(timer);
      window.location.reload();
      return;
    }
    node.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  }, 1000);
})();
