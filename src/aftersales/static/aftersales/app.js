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

// Reply templates (notifications): "Insert into the message" puts the reply, rendered by the
// server with the ticket's values, into the ticket's message form and makes the entry a
// message to the customer; the agent reads it and sends it with the form as usual.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-reply-insert]") : null;
    if (!button) {
      return;
    }
    var form = button.closest("form");
    var source = button.parentElement.querySelector("[data-reply-text]");
    if (!form || !source) {
      return;
    }
    var body = form.querySelector("textarea[name=body]");
    var kind = form.querySelector("select[name=kind]");
    if (body) {
      body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n" + source.value : source.value;
      body.focus();
    }
    if (kind && button.getAttribute("data-reply-kind")) {
      kind.value = button.getAttribute("data-reply-kind");
    }
  });
})();

// A filter that applies as soon as it changes: <select data-autosubmit> submits its form (the
// form's own button still works without this file).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-autosubmit]") || !field.form) {
      return;
    }
    if (field.form.requestSubmit) {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });
})();
