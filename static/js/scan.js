/* Scan a result's QR code with the phone's camera and open its verification.

   The page works without this script (the paste form). With it, the camera
   (the rear one where there is a choice) is read frame by frame: the
   browser's own BarcodeDetector where it exists, else jsQR 1.4.0 (Apache-2.0,
   vendored in static/vendor/jsqr/), loaded only then. A result's QR code holds
   a link to this portal's verification page with the token in it: it is
   opened. A token as text ("VN1:…") or a link with a token from another copy
   of the portal opens this portal's verification page with it as ?t=;
   nothing is sent anywhere before that. */
(function () {
  "use strict";

  var TOKEN_PREFIX = "VN1:";
  var TOKEN_LINK = /\/V\/[0-9]+$/;
  var SCAN_INTERVAL_MS = 200;

  var root = document.querySelector("[data-scanner]");
  if (!root) {
    return;
  }
  var video = root.querySelector("[data-scanner-video]");
  var view = root.querySelector("[data-scanner-view]");
  var startButton = root.querySelector("[data-scanner-start]");
  var stopButton = root.querySelector("[data-scanner-stop]");
  var statusLine = root.querySelector("[data-scanner-status]");
  var stream = null;
  var timer = null;
  var decode = null;

  function say(name) {
    var template = root.querySelector('template[data-message="' + name + '"]');
    statusLine.textContent = template ? template.content.textContent.trim() : "";
  }

  function cameraAvailable() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  root.hidden = false;
  if (!cameraAvailable()) {
    // An insecure (http) origin or an old browser: the paste form remains.
    startButton.hidden = true;
    say("unsupported");
    return;
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) {
        resolve(window.jsQR);
        return;
      }
      var script = document.createElement("script");
      script.src = root.getAttribute("data-jsqr-url");
      script.onload = function () {
        resolve(window.jsQR);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function nativeDecoder() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") === -1) {
          return null;
        }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      })
      .catch(function () {
        return null;
      });
  }

  function jsQRDecoder() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return loadJsQR().then(function (jsQR) {
      return function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) {
          return Promise.resolve(null);
        }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var code = jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function decoder() {
    if (decode) {
      return Promise.resolve(decode);
    }
    return nativeDecoder().then(function (native) {
      return native || jsQRDecoder();
    }).then(function (found) {
      decode = found;
      return found;
    });
  }

  function stop() {
    window.clearTimeout(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    video.srcObject = null;
    view.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function open(text) {
    stop();
    say("found");
    var url = root.getAttribute("data-verify-url");
    window.location.assign(url + "?t=" + encodeURIComponent(text));
  }

  function isResultLink(text) {
    // The link printed under the QR code, if a verifier scans that instead.
    try {
      var url = new URL(text);
      return (
        url.origin === window.location.origin &&
        (url.pathname.indexOf("/verify/") === 0 || TOKEN_LINK.test(url.pathname))
      );
    } catch (error) {
      return false;
    }
  }

  function tick() {
    if (!stream) {
      return;
    }
    decode()
      .then(function (text) {
        if (!text) {
          return;
        }
        text = text.trim();
        if (isResultLink(text)) {
          stop();
          window.location.assign(text);
        } else if (text.indexOf(TOKEN_PREFIX) === 0 || TOKEN_LINK.test(text)) {
          open(text);
        } else {
          say("foreign");
        }
      })
      .catch(function () {
        /* A frame that could not be read; the next one may. */
      })
      .then(function () {
        if (stream) {
          timer = window.setTimeout(tick, SCAN_INTERVAL_MS);
        }
      });
  }

  function start() {
    say("starting");
    startButton.hidden = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = mediaStream;
        view.hidden = false;
        stopButton.hidden = false;
        return video.play();
      })
      .catch(function (error) {
        stop();
        say("denied");
        throw error;
      })
      .then(function () {
        return decoder().catch(function (error) {
          stop();
          say("unsupported");
          throw error;
        });
      })
      .then(function () {
        say("scanning");
        tick();
      })
      .catch(function () {
        /* Already reported above. */
      });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    statusLine.textContent = "";
  });
  window.addEventListener("pagehide", stop);
})();
