// A form that comes back with errors: its error summary (role="alert", see
// templates/bootstrap5/errors.html) takes the focus, or else the first field in error, so a
// keyboard or screen-reader user starts where the problem is (WCAG 3.3.1).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-error-summary]") ||
      document.querySelector("main .is-invalid");
    if (target) { target.focus(); }
  });
})();
