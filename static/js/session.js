// Warns two minutes before an idle session ends, and offers to keep it ("Rester connecté").
// Without JavaScript the server still ends the session; this only gives notice.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle") || "0", 10);
  var pingUrl = body.getAttribute("data-session-ping");
  var box = document.getElementById("session-warning");
  if (!idle || !pingUrl || !box) { return; }
  var warnBefore = Math.min(120, Math.floor(idle / 2));
  var warnTimer, endTimer;

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () {
      box.hidden = false;
      var button = box.querySelector("button");
      if (button) { button.focus(); }
    }, (idle - warnBefore) * 1000);
    // Past the limit the server has ended the session: reloading shows the login page.
    endTimer = setTimeout(function () { window.location.reload(); }, (idle + 2) * 1000);
  }

  box.querySelector("button").addEventListener("click", function () {
    fetch(pingUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.ok) { arm(); } else { window.location.reload(); }
    });
  });
  arm();
})();
