// The plan form's measure rows: "Add a measure" copies the blank row, "Remove" takes a row out;
// the rows are renumbered (measures-0-…, measures-1-…) and TOTAL_FORMS follows, so the server
// gets the rows in order. Without this script the form still works with the rows it shows.
(function () {
  "use strict";
  if (window.aftersalesPlanMeasures) {
    window.aftersalesPlanMeasures.init(document);
    return;
  }

  function rowsOf(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll("[data-measure-rows] > [data-measure-row]"));
  }

  function renumber(fieldset) {
    var prefix = fieldset.dataset.measures;
    var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-", "g");
    var rows = rowsOf(fieldset);
    rows.forEach(function (row, index) {
      var replacement = prefix + "-" + index + "-";
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (element) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) {
            element.setAttribute(attribute, value.replace(pattern, replacement));
          }
        });
      });
      var number = row.querySelector("[data-measure-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
      var remove = row.querySelector("[data-remove-measure]");
      if (remove) {
        remove.hidden = rows.length < 2;
      }
    });
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var maximum = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (total) {
      total.value = String(rows.length);
    }
    var full = maximum && rows.length >= parseInt(maximum.value, 10);
    var add = fieldset.querySelector("[data-add-measure]");
    if (add) {
      add.hidden = false;
      add.disabled = Boolean(full);
    }
    var limit = fieldset.querySelector("[data-measure-limit]");
    if (limit) {
      limit.hidden = !full;
    }
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-measures]"));
    if (scope.matches && scope.matches("[data-measures]")) {
      found.push(scope);
    }
    found.forEach(renumber);
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-measure]");
    if (add) {
      var fieldset = add.closest("[data-measures]");
      var template = fieldset.querySelector("template[data-measure-template]");
      var list = fieldset.querySelector("[data-measure-rows]");
      list.appendChild(template.content.cloneNode(true));
      renumber(fieldset);
      var rows = rowsOf(fieldset);
      var first = rows[rows.length - 1].querySelector("select, input, textarea");
      if (first) {
        first.focus();
      }
      return;
    }
    var remove = event.target.closest("[data-remove-measure]");
    if (remove) {
      var owner = remove.closest("[data-measures]");
      var row = remove.closest("[data-measure-row]");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(owner);
      var focus = next && next.querySelector("select, input, textarea");
      if (focus) {
        focus.focus();
      }
    }
  });

  window.aftersalesPlanMeasures = { init: init };
  document.addEventListener("htmx:load", function (event) {
    init(event.detail.elt);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
})();
