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

// Accessibility after an htmx swap (WCAG 2.4.3, 3.3.1, 4.1.3). A form that replaces the block
// holding its own button (hx-swap="outerHTML") would leave the focus on <body>, and nothing
// would be said. So, once per swap:
//  - the new content holds a field marked aria-invalid="true" (Django marks fields with errors)
//    and the swap came from a submitted form or from inside the block: the first such field
//    gets the focus;
//  - otherwise, when the focus was inside the replaced block and htmx could not put it back (the
//    focused element had no id, or it is gone): the new block's first heading gets it (made
//    focusable with tabindex=-1), or the block itself;
//  - new content carrying data-sr-status="…" (on the swapped block or inside it) has that short
//    text read out by the page's polite live region, <div id="sr-status"> in base.html.
// Swaps nobody asked for (polls, hx-trigger="load") never move the focus.
(function () {
  "use strict";
  var HEADINGS = "h1, h2, h3, h4, h5, h6";
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  var swap = null;

  function focusOn(element) {
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function announce(block) {
    var carrier = block.matches("[data-sr-status]") ? block : block.querySelector("[data-sr-status]");
    var region = document.getElementById("sr-status");
    if (!carrier || !region) {
      return;
    }
    var text = carrier.getAttribute("data-sr-status");
    // Emptied first, so the same words after a second save are read again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    swap = {
      target: target,
      parent: target ? target.parentNode : null,
      hadFocus: !!(target && active && active !== document.body && target.contains(active)),
      submitted: !!(trigger && trigger.type === "submit"),
      done: false,
    };
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var block = event.target;
    if (!(block instanceof Element)) {
      return;
    }
    announce(block);
    // Only the main swap's new content (not an out-of-band piece elsewhere on the page).
    if (!swap || swap.done || (block !== swap.target && block.parentNode !== swap.parent)) {
      return;
    }
    if (!swap.hadFocus && !swap.submitted) {
      return;
    }
    var invalid = block.matches("[aria-invalid=true]") ? block : block.querySelector("[aria-invalid=true]");
    if (invalid) {
      swap.done = true;
      invalid.focus();
      return;
    }
    var active = document.activeElement;
    if (!swap.hadFocus || (active && active !== document.body && document.body.contains(active))) {
      return;
    }
    swap.done = true;
    focusOn((block.matches(HEADINGS) ? block : block.querySelector(HEADINGS)) || block);
  });

  document.addEventListener("htmx:afterSettle", function () {
    swap = null;
  });

  // Flash messages (base.html): the list is focused when the page opens, so a screen reader reads
  // it first — unless the page puts the focus somewhere itself (autofocus, a #fragment).
  var messages = document.querySelector("[data-focus-on-load]");
  var active = document.activeElement;
  if (messages && (!active || active === document.body) && !document.querySelector("[autofocus]") && !window.location.hash) {
    messages.focus();
  }
})();
