// The demo payment form's countdown ("Il vous reste 2:49"). The server enforces the limit;
// this shows it, warns a minute before the end (the warning is a role="alert" region, with
// "Prolonger" beside the form's button), and when the time is up says so without reloading:
// nothing typed is lost, and submitting then starts a new attempt with it (WCAG 2.2.1).
(function () {
  "use strict";
  var node = document.getElementById("countdown");
  if (!node) { return; }
  var warning = document.getElementById("countdown-warning");
  var left = parseInt(node.getAttribute("data-seconds") || "0", 10);
  var WARN_AT = 60;

  function show(when) {
    if (!warning) { return; }
    warning.hidden = false;
    warning.querySelectorAll("[data-when]").forEach(function (p) {
      p.hidden = p.getAttribute("data-when") !== when;
    });
  }

  function render() {
    var shown = Math.max(left, 0);
    node.textContent = Math.floor(shown / 60) + ":" + String(shown % 60).padStart(2, "0");
  }

  if (left <= 0) { show("over"); return; }
  if (left <= WARN_AT) { show("soon"); }
  var timer = setInterval(function () {
    left -= 1;
    render();
    if (left === WARN_AT) { show("soon"); }
    if (left <= 0) {
      clearInterval(timer);
      show("over");
    }
  }, 1000);
})();
