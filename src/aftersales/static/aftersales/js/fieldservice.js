// Field service on the technician's phone: the optional location of a check-in, asked only when
// the technician ticks "share my location". The customer's signature pad is signature-pad.js.
// No library, no CDN.
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

  function init() {
    document.querySelectorAll("[data-geo-form]").forEach(setupGeo);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
