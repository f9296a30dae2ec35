// Video intro uploader (rules §4): XHR upload with a progress bar. With S3 the file goes
// straight to storage through a presigned POST, then the site confirms (and validates) it.
// Without JavaScript the form still posts normally.
(function () {
  "use strict";
  const form = document.getElementById("video-upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;

  const input = form.querySelector("input[type=file]");
  const errorBox = document.getElementById("video-error");
  const box = document.getElementById("video-progress");
  const bar = box.querySelector("progress");
  const text = box.querySelector(".upload-progress-text");
  const button = form.querySelector("button[type=submit]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const maxBytes = parseInt(form.dataset.maxBytes, 10);

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    box.hidden = true;
    button.disabled = false;
  }

  function progress(fraction) {
    const pct = Math.round(fraction * 100);
    bar.value = pct;
    text.textContent = pct + "%";
  }

  // POST a FormData with upload progress; resolves with {status, body (parsed JSON or null)}.
  function send(url, data, withCsrf, onProgress) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      if (withCsrf) {
        xhr.setRequestHeader("X-CSRFToken", csrf);
        xhr.setRequestHeader("Accept", "application/json");
      }
      if (onProgress) {
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) onProgress(e.loaded / e.total);
        });
      }
      xhr.onload = function () {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.send(data);
    });
  }

  function fail(result) {
    showError((result && result.body && result.body.error) || form.dataset.msgFailed);
  }

  function done(result) {
    if (result.status === 201 && result.body) {
      window.location.assign(result.body.redirect);
    } else {
      fail(result);
    }
  }

  async function direct(file) {
    const start = new FormData();
    start.append("content_type", file.type);
    start.append("size", String(file.size));
    const issued = await send(form.dataset.directStart, start, true, null);
    if (issued.status !== 200 || !issued.body) return fail(issued);
    const s3 = new FormData();
    Object.entries(issued.body.fields).forEach(function ([k, v]) { s3.append(k, v); });
    s3.append("file", file); // S3 wants the file last
    const stored = await send(issued.body.url, s3, false, progress);
    if (stored.status < 200 || stored.status >= 300) return fail(null);
    text.textContent = form.dataset.msgChecking;
    const confirm = new FormData();
    confirm.append("token", issued.body.token);
    done(await send(form.dataset.directConfirm, confirm, true, null));
  }

  async function viaSite(file) {
    const data = new FormData();
    data.append("file", file);
    const result = await send(form.action, data, true, function (f) {
      progress(f);
      if (f >= 1) text.textContent = form.dataset.msgChecking;
    });
    done(result);
  }

  form.addEventListener("submit", function (event) {
    const file = input.files && input.files[0];
    if (!file) return; // the browser's "required" message
    event.preventDefault();
    errorBox.hidden = true;
    if (file.size > maxBytes) return showError(form.dataset.msgTooLarge);
    button.disabled = true;
    box.hidden = false;
    progress(0);
    (form.dataset.direct ? direct(file) : viaSite(file)).catch(function () { fail(null); });
  });
})();
