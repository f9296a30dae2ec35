// Voice prompt recorder (issue 18): records up to data-max-seconds with MediaRecorder and puts
// the recording into the form's file input, so the form posts it like an uploaded file.
// Without MediaRecorder (or microphone access) the recorder stays hidden: upload a file.
(function () {
  "use strict";
  const form = document.getElementById("voice-form");
  const box = document.getElementById("voice-recorder");
  if (!form || !box || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) {
    return;
  }
  const recordButton = document.getElementById("voice-record");
  const stopButton = document.getElementById("voice-stop");
  const timer = document.getElementById("voice-timer");
  const status = document.getElementById("voice-status");
  const preview = document.getElementById("voice-preview");
  const input = document.getElementById("voice-file");
  const maxSeconds = parseInt(form.dataset.maxSeconds, 10) || 30;
  const TYPES = [
    ["audio/webm;codecs=opus", "webm"],
    ["audio/ogg;codecs=opus", "ogg"],
    ["audio/mp4", "m4a"],
  ];
  let recorder = null;
  let chunks = [];
  let started = 0;
  let tick = null;
  let stream = null;

  box.hidden = false;

  function pickType() {
    for (const [type, ext] of TYPES) {
      if (MediaRecorder.isTypeSupported(type)) return [type, ext];
    }
    return ["", "webm"];
  }

  function showTime(seconds) {
    const s = Math.min(maxSeconds, Math.floor(seconds));
    timer.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  recordButton.addEventListener("click", async function () {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (_err) {
      status.textContent = form.dataset.msgDenied;
      return;
    }
    const [type, ext] = pickType();
    recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
    chunks = [];
    recorder.addEventListener("dataavailable", function (event) {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", function () {
      clearInterval(tick);
      stream.getTracks().forEach(function (track) { track.stop(); });
      const blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
      const file = new File([blob], "voice." + ext, { type: blob.type });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      preview.src = URL.createObjectURL(blob);
      preview.hidden = false;
      recordButton.disabled = false;
      recordButton.setAttribute("aria-pressed", "false");
      stopButton.disabled = true;
      status.textContent = form.dataset.msgRecorded;
    });
    recorder.start(250);
    started = Date.now();
    showTime(0);
    tick = setInterval(function () {
      const seconds = (Date.now() - started) / 1000;
      showTime(seconds);
      if (seconds >= maxSeconds) stop();
    }, 200);
    recordButton.disabled = true;
    recordButton.setAttribute("aria-pressed", "true");
    stopButton.disabled = false;
    stopButton.focus();
    status.textContent = form.dataset.msgRecording;
  });

  stopButton.addEventListener("click", stop);
})();
