// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen-reader and keyboard users hear the problems.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  // Filter forms marked data-auto-submit refresh their results with htmx as they change;
  // the submit button stays for people without JavaScript.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.detail.target;
    if (region && region.hasAttribute("data-results")) {
      var status = document.querySelector("[data-results-status]");
      var count = region.querySelector("[data-result-count]");
      if (status && count) { status.textContent = count.textContent; }
    }
  });
})();
