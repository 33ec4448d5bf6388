// A signature pad: a finger, a pen or the mouse draws on <canvas data-signature-pad> (pointer
// events); the drawing is posted as PNG data (data:image/png;base64,…) in the form's
// [data-signature-value] field, and [data-signature-clear] wipes it. The server checks the PNG
// (fieldservice/uploads.py: decode_signature). Used by the technician's acceptance form and the
// customer's plan agreement in the portal. No library, no CDN.
(function () {
  "use strict";

  function setupPad(canvas) {
    if (canvas.dataset.signatureReady) return;
    canvas.dataset.signatureReady = "yes";
    var form = canvas.closest("form");
    var output = form.querySelector("[data-signature-value]");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }
    function save() {
      output.value = drawn ? canvas.toDataURL("image/png") : "";
      canvas.toggleAttribute("data-signed", drawn);
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      if (drawing && drawn) save();
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        save();
      });
    }
    form.addEventListener("submit", function () {
      if (drawn) save();
    });
  }

  function init() {
    document.querySelectorAll("[data-signature-pad]").forEach(setupPad);
  }
  window.AftersalesSignaturePad = { setup: setupPad };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
