// Field service on the technician's phone: a signature pad (pointer events on a canvas, posted
// as PNG data) and the optional location of a check-in, asked only when the technician ticks
// "share my location". No library, no CDN.
(function () {
  "use strict";

  function setupPad(canvas) {
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
      if (drawing && drawn) output.value = canvas.toDataURL("image/png");
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        output.value = "";
        drawn = false;
      });
    }
    form.addEventListener("submit", function () {
      if (drawn) output.value = canvas.toDataURL("image/png");
    });
  }

  function setupGeo(form) {
    var consent = form.querySelector("[data-geo-consent]");
    var lat = form.querySelector("[data-geo-lat]");
    var lng = form.querySelector("[data-geo-lng]");
    if (!consent || !navigator.geolocation) return;
    consent.addEventListener("change", function () {
      lat.value = "";
      lng.value = "";
      if (!consent.checked) return;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          if (!consent.checked) return;
          lat.value = position.coords.latitude.toFixed(6);
          lng.value = position.coords.longitude.toFixed(6);
        },
        function () {
          lat.value = "";
          lng.value = "";
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  function init() {
    document.querySelectorAll("[data-signature-pad]").forEach(setupPad);
    document.querySelectorAll("[data-geo-form]").forEach(setupGeo);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
