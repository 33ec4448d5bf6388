// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // A lookup fragment may carry values for empty form fields (the known customer's name, the
  // registered unit's model): <span data-fill-target="id_x" data-fill-value="...">. Never overwrite
  // what the agent already typed.
  document.addEventListener("htmx:afterSwap", function (event) {
    event.detail.target.querySelectorAll("[data-fill-target]").forEach(function (hint) {
      var input = document.getElementById(hint.dataset.fillTarget);
      if (input && !input.value) {
        input.value = hint.dataset.fillValue;
      }
    });
  });

  // Grey out the submit button once a form is sent; the server's idempotency key already makes
  // a double submit harmless, this only tells the agent that the click was taken.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-disable-on-submit")) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    }
  });
})();

// The ticket list's "select all" box (bulk assignment): checks every row's box in its table.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) {
      return;
    }
    var table = box.closest("table");
    if (table) {
      table.querySelectorAll("tbody input[type=checkbox][name=tickets]").forEach(function (row) {
        row.checked = box.checked;
      });
    }
  });
})();
