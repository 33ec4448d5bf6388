// Field service on the technician's phone: the optional location of a check-in, asked only when
// the technician ticks "share my location"; offline, a step is not posted (the browser's error
// page would lose the form) and the page says so. The customer's signature pad is
// signature-pad.js. No library, no CDN.
(function () {
  "use strict";

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

  function setupOffline(box) {
    var hint = box.querySelector("[data-offline-hint]");
    if (!hint) return;
    function show() { hint.hidden = navigator.onLine !== false; }
    window.addEventListener("offline", show);
    window.addEventListener("online", show);
    box.addEventListener("submit", function (event) {
      if (navigator.onLine === false) {
        event.preventDefault();
        event.stopImmediatePropagation();
        show();
        hint.scrollIntoView({ block: "center" });
      }
    }, true);
    show();
  }

  function init() {
    document.querySelectorAll("[data-geo-form]").forEach(setupGeo);
    document.querySelectorAll("[data-offline-guard]").forEach(setupOffline);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
