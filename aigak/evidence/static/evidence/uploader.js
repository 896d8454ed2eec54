// A small tus 1.0 client: chunked PATCH, resume through HEAD after a dropped connection or
// a reload (the upload URL is remembered per file in localStorage), progress, pause.
(function () {
  "use strict";
  var CHUNK = 8 * 1024 * 1024;
  var form = document.getElementById("tus-form");
  if (!form) return;
  var input = document.getElementById("tus-file");
  var bar = document.getElementById("tus-progress");
  var statusLine = document.getElementById("tus-status");
  var pauseButton = document.getElementById("tus-pause");
  var paused = false;
  var words = form.dataset;  // the page's language: data-say-* attributes of the form

  function word(name, fallback, n) {
    return (words[name] || fallback).replace("{n}", n === undefined ? "" : n);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function b64(text) {
    var bytes = new TextEncoder().encode(text), binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function say(text, bad) {
    statusLine.textContent = text;
    statusLine.className = bad ? "error" : "";
  }

  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (onProgress) xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve(null); };
      xhr.send(body || null);
    });
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function sha256Header(blob) {
    if (!(window.crypto && crypto.subtle)) return {};
    var digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    var binary = "", bytes = new Uint8Array(digest);
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return { "Upload-Checksum": "sha256 " + btoa(binary) };
  }

  async function create(file, endpoint) {
    var pairs = ["filename " + b64(file.name)];
    new FormData(form).forEach(function (value, key) {
      if (key !== "file" && typeof value === "string" && value.trim()) pairs.push(key + " " + b64(value.trim()));
    });
    var xhr = await request("POST", endpoint, {
      "Upload-Length": String(file.size),
      "Upload-Metadata": pairs.join(","),
    });
    if (!xhr) throw new Error(word("sayNetwork", "The connection failed; try again."));
    if (xhr.status !== 201) throw new Error(xhr.responseText || "HTTP " + xhr.status);
    return xhr.getResponseHeader("Location");
  }

  async function offsetOf(url) {
    var xhr = await request("HEAD", url, {});
    if (!xhr) return null;
    if (xhr.status === 200) return {
      offset: parseInt(xhr.getResponseHeader("Upload-Offset"), 10),
      done: xhr.getResponseHeader("Aigak-Evidence-Url"),
    };
    return { gone: true };
  }

  async function upload(file) {
    var key = "aigak-tus:" + [file.name, file.size, file.lastModified].join(":");
    var endpoint = form.dataset.endpoint;
    var url = localStorage.getItem(key), offset = 0, wait = 1000;
    if (url) {
      var state = await offsetOf(url);
      if (state && !state.gone) {
        if (state.done) return finished(key, state.done);
        offset = state.offset;
        say(word("sayResuming", "Resuming at {n}", Math.round(100 * offset / file.size) + "%"));
      } else { url = null; }
    }
    if (!url) {
      url = await create(file, endpoint);
      localStorage.setItem(key, url);
    }
    bar.hidden = false; pauseButton.hidden = false;
    while (offset < file.size) {
      if (paused) { say(word("sayPaused", "Paused")); return; }
      var chunk = file.slice(offset, offset + CHUNK);
      var headers = Object.assign({
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
      }, await sha256Header(chunk));
      var base = offset;
      var xhr = await request("PATCH", url, headers, chunk, function (sent) {
        bar.value = 100 * (base + sent) / file.size;
      });
      if (xhr && xhr.status === 204) {
        offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
        bar.value = 100 * offset / file.size;
        say(Math.floor(100 * offset / file.size) + "%");
        wait = 1000;
        if (offset >= file.size) return finished(key, xhr.getResponseHeader("Aigak-Evidence-Url"));
        continue;
      }
      if (xhr && [403, 404, 410, 413, 415].indexOf(xhr.status) >= 0) {
        localStorage.removeItem(key);
        throw new Error(xhr.responseText || "HTTP " + xhr.status);
      }
      // Dropped connection, server busy, wrong offset or bad checksum: ask where the
      // server stands and go on from there, waiting longer each time.
      say(word("sayRetrying", "Connection problem; retrying in {n} s", wait / 1000), true);
      await sleep(wait);
      wait = Math.min(wait * 2, 30000);
      var now = await offsetOf(url);
      if (now && now.gone) { localStorage.removeItem(key); throw new Error(word("sayExpired", "The upload expired; start again.")); }
      if (now) offset = now.offset;
    }
  }

  function finished(key, evidenceUrl) {
    localStorage.removeItem(key);
    bar.value = 100;
    pauseButton.hidden = true;
    say(word("sayDone", "Uploaded and hashed."));
    if (evidenceUrl) window.location.assign(evidenceUrl);
  }

  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    if (!paused) start();
  });

  function start() {
    var file = input.files[0];
    if (!file) return;
    upload(file).catch(function (e) { say(e.message, true); });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); paused = false; start(); });
})();
