/* Jiuzhu · 走访打卡 (visit check-in) on the phone.
 *
 * The page works without this script (a plain multipart POST). With it:
 *  - the location comes from the phone (navigator.geolocation);
 *  - the photo is shrunk in the browser (≤ 1280 px, JPEG) before it is sent;
 *  - a check-in is first written to IndexedDB (database "jiuzhu-visits",
 *    store "queue", key "clientID"), then sent one at a time, oldest first,
 *    whenever the network allows: at once, on the `online` event, when the
 *    page is shown again, on page load, and on a backoff timer (5 s doubling
 *    to 5 min). The server deduplicates by clientID, so a retry of a check-in
 *    that did arrive is answered "replayed" and never counted twice.
 *  - a refusal (400/409/413/422) is kept, marked failed, until the worker
 *    discards it; an expired session (redirect, 401, 403) stops sending until
 *    the worker logs in again. Nothing is dropped silently.
 * The CSRF token is never stored: it is read from the page when sending.
 * CSP: no inline styles (classes and `hidden` only), images only as data: URLs.
 */
(function () {
  "use strict";

  var form = document.getElementById("checkin-form");
  if (!form) return;

  // ------------------------------------------------------------------
  // Texts: both languages for every message; the page's language is shown.

  var lang = /^en\b/i.test(document.documentElement.getAttribute("lang") || "") ? "en" : "zh";

  var TEXT = {
    locating: ["正在定位…", "Getting your location…"],
    located: ["已定位 ±{n} 米", "Located ±{n} m"],
    weakFix: ["（精度较低，可到开阔处再点“获取位置”）", " (low accuracy: move into the open and press Get location again)"],
    geoUnsupported: ["此浏览器不能定位，无法打卡", "This browser cannot report a location, so it cannot check in"],
    geoInsecure: ["浏览器只在安全连接（HTTPS）下提供位置，请联系管理员", "The browser gives a location only over a secure (HTTPS) connection; contact the administrator"],
    geoDenied: ["定位权限被拒绝：请在浏览器设置中允许本网站使用位置，然后再点“获取位置”", "Location permission denied: allow this site to use your location in the browser settings, then press Get location again"],
    geoUnavailable: ["无法获取位置：请打开手机的定位（GPS）后再点“获取位置”", "Position unavailable: turn on the phone's location (GPS), then press Get location again"],
    geoTimeout: ["定位超时：请到开阔处再点“获取位置”", "Getting the location timed out: move into the open and press Get location again"],
    needPerson: ["请选择本次走访的对象", "Choose the person you visited"],
    needLocation: ["还没有位置：请点“获取位置”，定位成功后再提交", "No location yet: press Get location and submit once it is found"],
    needPhoto: ["请拍一张走访现场照片", "Take a photo at the visit"],
    photoWorking: ["正在处理照片…", "Preparing the photo…"],
    photoReady: ["照片已就绪（{n} KB）", "Photo ready ({n} KB)"],
    photoUnreadable: ["无法读取这张照片，请重新拍照", "This photo cannot be read; take it again"],
    photoTooBig: ["照片太大，无法压缩到 1 MB 以内，请重新拍照", "The photo cannot be made smaller than 1 MB; take it again"],
    saving: ["正在保存…", "Saving…"],
    saved: ["已保存，等待上传", "Saved, waiting to upload"],
    savedAndSent: ["已保存并上传", "Saved and uploaded"],
    storageFailed: ["无法在手机上保存这条记录，将直接提交", "This check-in cannot be saved on the phone; sending it directly"],
    waiting: ["待上传 {n} 条", "{n} waiting to upload"],
    allSent: ["全部已上传", "All sent"],
    nothingWaiting: ["没有待上传的记录；{n} 条被退回，见下方", "Nothing waiting to upload; {n} refused, see below"],
    refusedToo: ["；{n} 条被退回，见下方", "; {n} refused, see below"],
    sending: ["正在上传…", "Uploading…"],
    offline: ["网络不通，恢复后自动上传", "No connection: it will upload by itself when the network is back"],
    serverBusy: ["服务器暂时无法接收，稍后自动重试", "The server cannot take it right now; it will retry by itself"],
    sessionExpired: ["登录已过期，请重新登录，待上传的记录会自动发送", "Session expired: log in again; queued check-ins will be sent"],
    logIn: ["重新登录", "Log in again"],
    otherAccount: ["{n} 条属于其他账号，须由该账号登录后上传", "{n} belong to another account and will upload when it logs in"],
    retryNow: ["立即重试", "Retry now"],
    stateQueued: ["等待上传", "Waiting to upload"],
    stateSending: ["正在上传…", "Uploading…"],
    stateFailed: ["被退回：", "Refused: "],
    stateOtherAccount: ["属于其他账号", "Another account's"],
    refusedGeneric: ["服务器拒收（{n}）", "Refused by the server ({n})"],
    discard: ["删除", "Discard"],
    discardConfirm: ["再点一次删除", "Tap again to discard"],
    justVisited: ["（刚刚已打卡）", " (checked in just now)"],
    pendingMark: ["（已保存，待上传）", " (saved, waiting to upload)"],
    refusedMark: ["（打卡被退回）", " (check-in refused)"],
    unknownPerson: ["走访对象", "Visit"]
  };

  function t(key, n) {
    var pair = TEXT[key];
    var s = pair ? pair[lang === "en" ? 1 : 0] : key;
    return n === undefined ? s : s.replace("{n}", String(n));
  }

  // ------------------------------------------------------------------
  // Page elements (the server renders them; the few optional ones are made here).

  function byId(id) { return document.getElementById(id); }

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  var csrfInput = form.querySelector('input[name="_csrf"]');
  var clientIDInput = form.querySelector('input[name="clientID"]');
  var takenAtInput = form.querySelector('input[name="takenAt"]');
  var latInput = form.querySelector('input[name="latitude"]');
  var lonInput = form.querySelector('input[name="longitude"]');
  var accInput = form.querySelector('input[name="accuracy"]');
  var shaInput = form.querySelector('input[name="photoSHA256"]');
  var photoInput = byId("photo") || form.querySelector('input[type="file"][name="photo"]');
  var assessedInput = byId("assessed");
  var locateButton = byId("locate");
  var locationStatus = byId("location-status");
  var submitButton = byId("checkin-submit");
  var errorBox = byId("checkin-error");
  var preview = byId("photo-preview");

  if (!errorBox) {
    errorBox = make("div", "form-error");
    errorBox.id = "checkin-error";
    errorBox.hidden = true;
    form.insertBefore(errorBox, form.firstChild);
  }
  if (!locationStatus && locateButton) {
    locationStatus = make("p", "location-status");
    locationStatus.id = "location-status";
    locateButton.parentNode.insertBefore(locationStatus, locateButton.nextSibling);
  }
  var photoStatus = null;
  if (photoInput) {
    if (!preview) {
      preview = make("img", "photo-preview");
      preview.id = "photo-preview";
      preview.alt = "";
      preview.hidden = true;
      photoInput.parentNode.insertBefore(preview, photoInput.nextSibling);
    }
    photoStatus = make("p", "photo-status muted");
    photoStatus.hidden = true;
    preview.parentNode.insertBefore(photoStatus, preview);
  }
  if (preview && !preview.getAttribute("src")) preview.hidden = true;

  var savedNotice = make("p", "notice checkin-saved");
  savedNotice.id = "checkin-saved";
  savedNotice.setAttribute("role", "status");
  savedNotice.hidden = true;
  form.parentNode.insertBefore(savedNotice, form);

  var queueSection = byId("queue");
  if (!queueSection) {
    queueSection = make("section", "queue-section");
    queueSection.id = "queue";
    form.parentNode.insertBefore(queueSection, form.nextSibling);
  }
  var queueStatus = byId("queue-status");
  if (!queueStatus) {
    queueStatus = make("p");
    queueStatus.id = "queue-status";
    queueSection.appendChild(queueStatus);
  }
  queueStatus.setAttribute("aria-live", "polite");
  var queueItems = byId("queue-items");
  if (!queueItems) {
    queueItems = make("ul");
    queueItems.id = "queue-items";
    queueSection.appendChild(queueItems);
  }
  var queueAlert = make("p", "warning queue-alert");
  queueAlert.id = "queue-alert";
  queueAlert.hidden = true;
  queueSection.insertBefore(queueAlert, queueItems);
  var retryButton = make("button", "queue-retry", t("retryNow"));
  retryButton.type = "button";
  retryButton.id = "queue-retry";
  retryButton.hidden = true;
  queueSection.insertBefore(retryButton, queueItems);
  // Shown once something was queued (or found queued): then "All sent" is news.
  var queueShown = false;
  queueSection.hidden = true;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (message && errorBox.scrollIntoView) errorBox.scrollIntoView({block: "center"});
  }

  function showSaved(message) {
    savedNotice.textContent = message || "";
    savedNotice.hidden = !message;
  }

  // The account this page belongs to: a check-in queued by one worker is never
  // sent under another's session (phones are sometimes shared).
  function pageOwner(doc) {
    var holder = doc.querySelector("[data-user-id]");
    if (holder && holder.getAttribute("data-user-id")) return "id:" + holder.getAttribute("data-user-id");
    var name = doc.getElementById("user-name");
    return name && name.textContent.trim() ? "name:" + name.textContent.trim() : "";
  }
  var owner = pageOwner(document);

  function ownItem(item) {
    return !item.owner || !owner || item.owner === owner;
  }

  // ------------------------------------------------------------------
  // Random ids: crypto.randomUUID exists only in secure contexts.

  function uuid() {
    var c = window.crypto || window.msCrypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var b = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") {
      c.getRandomValues(b);
    } else {
      for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = [];
    for (var j = 0; j < 16; j++) h.push((b[j] + 0x100).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" +
      h.slice(8, 10).join("") + "-" + h.slice(10, 16).join("");
  }

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] + 0x100).toString(16).slice(1);
    return out;
  }

  function blobBytes(blob) {
    if (typeof blob.arrayBuffer === "function") return blob.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  /** SHA-256 hex of the blob, or "" where crypto.subtle is missing (plain http). */
  function sha256(blob) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle || typeof subtle.digest !== "function") return Promise.resolve("");
    return blobBytes(blob)
      .then(function (bytes) { return subtle.digest("SHA-256", bytes); })
      .then(hex, function () { return ""; });
  }

  // ------------------------------------------------------------------
  // IndexedDB: a tiny promise wrapper around one object store.

  var DB_NAME = "jiuzhu-visits";
  var STORE = "queue";
  var dbPromise = null;

  function openDB() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request;
      try {
        request = window.indexedDB.open(DB_NAME, 1);
      } catch (e) {
        reject(e);
        return;
      }
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, {keyPath: "clientID"});
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        db.onclose = function () { dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { reject(request.error || new Error("IndexedDB open failed")); };
      request.onblocked = function () { reject(new Error("IndexedDB blocked")); };
    });
    dbPromise.catch(function () { dbPromise = null; });
    return dbPromise;
  }

  /** Runs `work(store)` in one transaction; resolves with the last request's
   *  result once the transaction has committed. */
  function inStore(mode, work) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        var request = work(tx.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error || new Error("IndexedDB error")); };
        tx.onabort = function () { reject(tx.error || new Error("IndexedDB transaction aborted")); };
      });
    });
  }

  var storage = {
    all: function () {
      return inStore("readonly", function (s) { return s.getAll(); }).then(function (items) {
        items = items || [];
        items.sort(function (a, b) {
          return (a.queuedAt - b.queuedAt) || (a.clientID < b.clientID ? -1 : a.clientID > b.clientID ? 1 : 0);
        });
        return items;
      });
    },
    put: function (item) { return inStore("readwrite", function (s) { return s.put(item); }); },
    remove: function (clientID) { return inStore("readwrite", function (s) { return s["delete"](clientID); }); }
  };

  /** Stores the item with its photo as a Blob; where a browser cannot store
   *  Blobs in IndexedDB, as the bytes instead. */
  function storeItem(item) {
    return storage.put(item).catch(function (error) {
      if (!item.photo) throw error;
      return blobBytes(item.photo).then(function (bytes) {
        var copy = {};
        for (var k in item) if (Object.prototype.hasOwnProperty.call(item, k)) copy[k] = item[k];
        copy.photoBytes = bytes;
        copy.photoType = item.photo.type || "image/jpeg";
        delete copy.photo;
        return storage.put(copy);
      });
    });
  }

  function itemPhoto(item) {
    if (item.photo) return item.photo;
    if (item.photoBytes) return new Blob([item.photoBytes], {type: item.photoType || "image/jpeg"});
    return null;
  }

  var storageReady = openDB().then(function () { return true; }, function () { return false; });

  // ------------------------------------------------------------------
  // Location

  var locating = false;
  var locationGeneration = 0; // bumped by a form reset: a late fix is for the last visit
  var locateWatchdog = null;

  var locationHint = locationStatus ? locationStatus.textContent : ""; // the page's own advice, shown when idle

  function setLocationStatus(text, state) {
    if (!locationStatus) return;
    locationStatus.textContent = text || locationHint;
    locationStatus.className = "location-status" + (state ? " " + state : "");
  }

  function hasLocation() {
    return !!(latInput && lonInput && latInput.value !== "" && lonInput.value !== "");
  }

  function clearLocation() {
    locationGeneration++;
    locating = false;
    if (locateWatchdog) { clearTimeout(locateWatchdog); locateWatchdog = null; }
    if (latInput) latInput.value = "";
    if (lonInput) lonInput.value = "";
    if (accInput) accInput.value = "";
    setLocationStatus("", "");
  }

  function locate() {
    if (locating) return;
    if (!navigator.geolocation) {
      setLocationStatus(t(window.isSecureContext === false ? "geoInsecure" : "geoUnsupported"), "failed");
      return;
    }
    locating = true;
    var generation = locationGeneration;
    setLocationStatus(t("locating"), "busy");
    // Some browsers never answer while the permission question is open: let the button work again.
    locateWatchdog = setTimeout(function () {
      locateWatchdog = null;
      if (generation !== locationGeneration || !locating) return;
      locating = false;
      if (!hasLocation()) setLocationStatus(t("geoTimeout"), "failed");
    }, 45000);
    var done = function () {
      if (locateWatchdog) { clearTimeout(locateWatchdog); locateWatchdog = null; }
      locating = false;
    };
    navigator.geolocation.getCurrentPosition(function (position) {
      if (generation !== locationGeneration) return;
      done();
      var c = position.coords;
      latInput.value = String(c.latitude);
      lonInput.value = String(c.longitude);
      var accuracy = Math.max(0, Math.round(c.accuracy || 0));
      if (accInput) accInput.value = String(accuracy);
      setLocationStatus(t("located", accuracy) + (accuracy > 100 ? t("weakFix") : ""), accuracy > 100 ? "weak" : "ok");
      if (errorBox.textContent === t("needLocation")) showError("");
    }, function (error) {
      if (generation !== locationGeneration) return;
      done();
      if (hasLocation()) return; // an earlier fix still stands
      var key = "geoUnavailable";
      if (error && error.code === 1) key = window.isSecureContext === false ? "geoInsecure" : "geoDenied";
      else if (error && error.code === 3) key = "geoTimeout";
      setLocationStatus(t(key), "failed");
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  }

  if (locateButton) {
    locateButton.addEventListener("click", function (event) {
      event.preventDefault();
      locate();
    });
  }

  // The first time the form is used (for each visit), locate without being asked.
  var autoLocateArmed = true;
  function firstUse() {
    if (!autoLocateArmed) return;
    autoLocateArmed = false;
    if (!hasLocation()) locate();
  }
  form.addEventListener("change", firstUse);
  form.addEventListener("click", firstUse);
  // The next visit has begun: the last one's "saved" note has been read.
  form.addEventListener("change", function () { showSaved(""); });

  // ------------------------------------------------------------------
  // Photo: shrink in the browser, preview through a data: URL, hash.

  var MAX_SIDE = 1280;
  var TARGET_BYTES = 900 * 1024;
  var ATTEMPTS = [[1280, 0.7], [1280, 0.55], [1024, 0.55], [800, 0.5], [640, 0.45], [480, 0.4]];

  var photo = null; // {blob, sha256} of the current visit's photo
  var photoJob = null; // the promise of the photo being prepared
  var photoGeneration = 0;

  function readAsDataURL(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function decodeWithImage(file) {
    return readAsDataURL(file).then(function (url) {
      return new Promise(function (resolve, reject) {
        var img = new Image();
        img.onload = function () {
          resolve({source: img, width: img.naturalWidth, height: img.naturalHeight, close: function () { img.src = ""; }});
        };
        img.onerror = function () { reject(new Error("image decode failed")); };
        img.src = url;
      });
    });
  }

  function decode(file) {
    if (typeof window.createImageBitmap !== "function") return decodeWithImage(file);
    var wrap = function (bitmap) {
      return {source: bitmap, width: bitmap.width, height: bitmap.height, close: function () { if (bitmap.close) bitmap.close(); }};
    };
    return window.createImageBitmap(file, {imageOrientation: "from-image"})
      .then(wrap, function () { return window.createImageBitmap(file).then(wrap); })
      .catch(function () { return decodeWithImage(file); });
  }

  function drawScaled(image, maxSide) {
    var scale = Math.min(1, maxSide / Math.max(image.width, image.height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff"; // a transparent PNG must not turn black in JPEG
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image.source, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  function dataURLToBlob(url) {
    var comma = url.indexOf(",");
    var type = (url.slice(5, comma).split(";")[0]) || "image/jpeg";
    var binary = atob(url.slice(comma + 1));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Blob([bytes], {type: type});
  }

  function canvasToJPEG(canvas, quality) {
    return new Promise(function (resolve, reject) {
      if (typeof canvas.toBlob !== "function") {
        resolve(dataURLToBlob(canvas.toDataURL("image/jpeg", quality)));
        return;
      }
      canvas.toBlob(function (blob) {
        if (blob) resolve(blob); else reject(new Error("canvas encode failed"));
      }, "image/jpeg", quality);
    });
  }

  /** The photo as a JPEG of at most 1280 px on its long side and (normally)
   *  under 900 KB; a smaller thumbnail data: URL for the preview. */
  function shrink(file) {
    return decode(file).then(function (image) {
      var thumb = drawScaled(image, 480);
      var previewURL = thumb.toDataURL("image/jpeg", 0.6);
      thumb.width = thumb.height = 0;
      var attempt = function (index, best) {
        if (index >= ATTEMPTS.length) return Promise.resolve(best);
        var canvas = drawScaled(image, Math.min(MAX_SIDE, ATTEMPTS[index][0]));
        return canvasToJPEG(canvas, ATTEMPTS[index][1]).then(function (blob) {
          canvas.width = canvas.height = 0; // give the memory back at once on small phones
          if (!best || blob.size < best.size) best = blob;
          return blob.size <= TARGET_BYTES ? blob : attempt(index + 1, best);
        });
      };
      return attempt(0, null).then(function (blob) {
        image.close();
        return {blob: blob, previewURL: previewURL};
      }, function (error) {
        image.close();
        throw error;
      });
    });
  }

  function setPhotoStatus(text, state) {
    if (!photoStatus) return;
    photoStatus.textContent = text;
    photoStatus.hidden = !text;
    photoStatus.className = "photo-status" + (state ? " " + state : " muted");
  }

  function clearPhoto() {
    photoGeneration++;
    photo = null;
    photoJob = null;
    if (shaInput) shaInput.value = "";
    if (preview) {
      preview.hidden = true;
      preview.removeAttribute("src");
    }
    setPhotoStatus("", "");
  }

  function preparePhoto() {
    clearPhoto();
    var file = photoInput && photoInput.files && photoInput.files[0];
    if (!file) return;
    var generation = photoGeneration;
    setPhotoStatus(t("photoWorking"), "busy");
    var job = shrink(file).then(function (result) {
      return {blob: result.blob, previewURL: result.previewURL};
    }, function () {
      // Not decodable here; a small JPEG/PNG may still be fine for the server.
      if (file.size <= TARGET_BYTES && /^image\/(jpeg|png)$/.test(file.type)) return {blob: file, previewURL: ""};
      throw new Error(t("photoUnreadable"));
    }).then(function (result) {
      if (result.blob.size > 1000 * 1000) throw new Error(t("photoTooBig"));
      return sha256(result.blob).then(function (digest) {
        result.sha256 = digest;
        return result;
      });
    }).then(function (result) {
      if (generation !== photoGeneration) return photo;
      photo = {blob: result.blob, sha256: result.sha256};
      if (shaInput) shaInput.value = result.sha256;
      if (preview && result.previewURL) {
        preview.src = result.previewURL;
        preview.hidden = false;
      }
      setPhotoStatus(t("photoReady", Math.max(1, Math.round(result.blob.size / 1024))), "ok");
      return photo;
    }, function (error) {
      if (generation !== photoGeneration) return photo;
      photo = null;
      setPhotoStatus(error.message || t("photoUnreadable"), "failed");
      throw error;
    });
    job.catch(function () { /* shown in the status; submit reports it again */ });
    photoJob = job;
  }

  if (photoInput) photoInput.addEventListener("change", preparePhoto);

  // ------------------------------------------------------------------
  // People: a tap on the row chooses the person; the choice is highlighted.

  var peopleList = byId("visit-people");

  function personRows() {
    return peopleList ? peopleList.querySelectorAll("li.visit-person") : [];
  }

  function rowFor(plan) {
    var rows = personRows();
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-plan") === plan) return rows[i];
    return null;
  }

  function planRadios() {
    return form.querySelectorAll('input[type="radio"][name="plan"]').length
      ? form.querySelectorAll('input[type="radio"][name="plan"]')
      : document.querySelectorAll('input[type="radio"][name="plan"]');
  }

  function chosenPlan() {
    var radios = planRadios();
    for (var i = 0; i < radios.length; i++) if (radios[i].checked) return radios[i].value;
    var select = form.querySelector('select[name="plan"]');
    return select && select.value ? select.value : "";
  }

  function personName(plan) {
    var row = rowFor(plan);
    var name = row && row.querySelector(".person-name");
    if (name && name.textContent.trim()) return name.textContent.trim();
    var label = document.querySelector('label[for="plan-' + plan + '"]');
    return label && label.textContent.trim() ? label.textContent.trim() : t("unknownPerson");
  }

  function highlightChoice() {
    var plan = chosenPlan();
    var rows = personRows();
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle("chosen", rows[i].getAttribute("data-plan") === plan);
  }

  if (peopleList) {
    peopleList.addEventListener("click", function (event) {
      var target = event.target;
      if (target.closest && target.closest("input, label, a, button, select, textarea")) return;
      var row = target.closest ? target.closest("li.visit-person") : null;
      if (!row) return;
      var radio = byId("plan-" + row.getAttribute("data-plan"));
      if (radio && !radio.disabled) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", {bubbles: true}));
      }
      firstUse();
    });
    peopleList.addEventListener("change", highlightChoice);
  }
  form.addEventListener("change", highlightChoice);
  highlightChoice();

  // The activities the person could not do are an assessment: ticking one ticks
  // "assessed"; unticking "assessed" clears them.
  var failedBoxes = document.querySelectorAll('input[type="checkbox"][name="failed[]"]');
  if (assessedInput) {
    assessedInput.addEventListener("change", function () {
      if (assessedInput.checked) return;
      for (var i = 0; i < failedBoxes.length; i++) failedBoxes[i].checked = false;
    });
    for (var i = 0; i < failedBoxes.length; i++) {
      failedBoxes[i].addEventListener("change", function (event) {
        if (event.target.checked) assessedInput.checked = true;
      });
    }
  }

  // ------------------------------------------------------------------
  // Submit: validate, queue in IndexedDB, reset for the next visit, send.

  var busy = false;

  /** The form's fields as a plain object; names ending in [] become arrays.
   *  The CSRF token and the file are left out (neither is ever stored). */
  function collectFields() {
    var fields = {};
    var elements = form.elements;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      var name = el.name;
      if (!name || el.disabled || name === "_csrf" || /^(FIELDSET|OUTPUT|OBJECT)$/.test(el.tagName)) continue;
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "submit" || type === "button" || type === "reset" || type === "image") continue;
      if ((type === "checkbox" || type === "radio") && !el.checked) continue;
      if (type === "hidden" && el.value === "") continue;
      var values = [];
      if (type === "select-multiple") {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].selected) values.push(el.options[j].value);
      } else {
        values.push(el.value);
      }
      if (/\[\]$/.test(name)) {
        fields[name] = (fields[name] || []).concat(values);
      } else if (values.length) {
        fields[name] = values[values.length - 1];
      }
    }
    if (!fields.plan) {
      var plan = chosenPlan();
      if (plan) fields.plan = plan;
    }
    if (!fields.assessed) delete fields["failed[]"];
    return fields;
  }

  function resetForm() {
    form.reset(); // radios, boxes, notes, the file; hidden inputs keep their values, so:
    if (clientIDInput) clientIDInput.value = uuid();
    if (takenAtInput) takenAtInput.value = "";
    clearLocation();
    clearPhoto();
    autoLocateArmed = true;
    highlightChoice();
  }

  /** Without IndexedDB: the ordinary multipart POST, with the shrunk photo
   *  put into the file field where the browser allows it. */
  function submitNatively(prepared) {
    var swapped = false;
    if (prepared && prepared.blob && photoInput && typeof DataTransfer === "function") {
      try {
        var transfer = new DataTransfer();
        transfer.items.add(new File([prepared.blob], "photo.jpg", {type: prepared.blob.type || "image/jpeg"}));
        photoInput.files = transfer.files;
        swapped = photoInput.files.length === 1;
      } catch (e) {
        swapped = false;
      }
    }
    if (!swapped && shaInput) shaInput.value = ""; // the hash was of the shrunk photo; the server hashes what it gets
    HTMLFormElement.prototype.submit.call(form);
  }

  function setBusy(on) {
    busy = on;
    if (submitButton) submitButton.disabled = on;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    var takenAt = Math.floor(Date.now() / 1000); // the moment the worker pressed submit
    showSaved("");
    var plan = chosenPlan();
    if (!plan) { showError(t("needPerson")); return; }
    if (!hasLocation()) {
      showError(t("needLocation"));
      locate();
      return;
    }
    if (!photoJob && !(photoInput && photoInput.files && photoInput.files[0])) { showError(t("needPhoto")); return; }
    if (!photoJob) preparePhoto();
    showError("");
    setBusy(true);
    var job = photoJob;
    job.then(function (prepared) {
      if (!prepared) throw new Error(t("needPhoto"));
      if (takenAtInput) takenAtInput.value = String(takenAt);
      return storageReady.then(function (ok) {
        if (!ok) {
          if (clientIDInput && !clientIDInput.value) clientIDInput.value = uuid();
          submitNatively(prepared);
          return "native";
        }
        var clientID = uuid();
        if (clientIDInput) clientIDInput.value = clientID;
        var fields = collectFields();
        fields.clientID = clientID;
        fields.takenAt = String(takenAt);
        fields.plan = plan;
        if (prepared.sha256) fields.photoSHA256 = prepared.sha256; else delete fields.photoSHA256;
        var item = {
          clientID: clientID,
          fields: fields,
          photo: prepared.blob,
          queuedAt: Date.now(),
          state: "queued",
          error: null,
          owner: owner,
          label: personName(plan)
        };
        return storeItem(item).then(function () {
          askForPersistentStorage();
          return "queued";
        }, function () {
          showError(t("storageFailed"));
          submitNatively(prepared);
          return "native";
        });
      });
    }).then(function (how) {
      if (how !== "queued") return;
      setBusy(false);
      resetForm();
      showSaved(t("saved"));
      queueShown = true;
      if (savedNotice.scrollIntoView) savedNotice.scrollIntoView({block: "nearest"});
      refresh();
      flush("submit");
    }, function (error) {
      setBusy(false);
      showError((error && error.message) || t("photoUnreadable"));
    });
  });

  var persistenceAsked = false;
  function askForPersistentStorage() {
    if (persistenceAsked) return;
    persistenceAsked = true;
    try {
      if (navigator.storage && typeof navigator.storage.persist === "function") {
        navigator.storage.persist().catch(function () {});
      }
    } catch (e) { /* optional */ }
  }

  // ------------------------------------------------------------------
  // Sending: one item at a time, oldest first.

  var BACKOFF_FIRST = 5000;
  var BACKOFF_MAX = 5 * 60 * 1000;
  var SEND_TIMEOUT = 3 * 60 * 1000; // a 900 KB photo over a weak 2G link takes minutes
  var backoff = BACKOFF_FIRST;
  var retryTimer = null;
  var flushing = false;
  var flushAgain = false;
  var sessionExpired = false;
  var problem = ""; // "", "offline", "server"
  var sendingID = null;
  var storedPlans = {}; // plans checked in (acknowledged) since this page was loaded

  function currentToken() {
    if (csrfInput && csrfInput.value) return csrfInput.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function formDataFor(item, token) {
    var data = new FormData();
    data.append("_csrf", token);
    var fields = item.fields || {};
    for (var name in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
      var value = fields[name];
      if (Array.isArray(value)) {
        for (var i = 0; i < value.length; i++) data.append(name, value[i]);
      } else if (value !== null && value !== undefined) {
        data.append(name, value);
      }
    }
    var blob = itemPhoto(item);
    if (blob) data.append("photo", blob, "photo.jpg");
    return data;
  }

  function readJSON(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") < 0) return Promise.resolve(null);
    return response.json().catch(function () { return null; });
  }

  function retryAfterMs(response) {
    var raw = response.headers.get("Retry-After");
    if (!raw) return 0;
    var seconds = Number(raw);
    if (isFinite(seconds)) return Math.max(0, seconds * 1000);
    var when = Date.parse(raw);
    return isFinite(when) ? Math.max(0, when - Date.now()) : 0;
  }

  /** One POST; resolves with {kind: "stored" | "refused" | "session" | "offline" | "server"}. */
  function send(item) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, SEND_TIMEOUT) : null;
    var token = currentToken();
    var options = {
      method: "POST",
      body: formDataFor(item, token),
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: {"Accept": "application/json", "Idempotency-Key": item.clientID, "X-CSRF-Token": token}
    };
    if (controller) options.signal = controller.signal;
    var action = form.getAttribute("action") || "/visits/check-ins";
    return fetch(action, options).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        return {kind: "session"};
      }
      return readJSON(response).then(function (body) {
        var status = response.status;
        if ((status === 200 || status === 201) && body && (body.status === "stored" || body.status === "replayed")) {
          return {kind: "stored"};
        }
        if (status === 400 || status === 409 || status === 413 || status === 422) {
          var e = body && body.error ? body.error : {};
          return {kind: "refused", error: {
            status: status,
            code: e.code || "",
            field: e.field || "",
            zh: e.zh || TEXT.refusedGeneric[0].replace("{n}", status),
            en: e.en || TEXT.refusedGeneric[1].replace("{n}", status)
          }};
        }
        // 429, 5xx, or anything unexpected (even a 2xx without the answer): keep it and retry.
        return {kind: "server", wait: retryAfterMs(response)};
      });
    }, function () {
      return {kind: "offline"};
    }).then(function (outcome) {
      if (timer) clearTimeout(timer);
      return outcome;
    });
  }

  function scheduleRetry(minimum) {
    if (retryTimer) clearTimeout(retryTimer);
    var delay = Math.min(BACKOFF_MAX, Math.max(backoff, minimum || 0));
    backoff = Math.min(BACKOFF_MAX, backoff * 2);
    retryTimer = setTimeout(function () {
      retryTimer = null;
      flush("timer");
    }, delay);
  }

  function nextToSend(items) {
    for (var i = 0; i < items.length; i++) {
      if (items[i].state !== "failed" && ownItem(items[i])) return items[i];
    }
    return null;
  }

  /** Sends what is queued. `why` names the trigger; a trigger that arrives
   *  while a send is in flight runs one more round afterwards. */
  function flush(why) {
    if (flushing) {
      if (why !== "timer") flushAgain = true;
      return;
    }
    if (sessionExpired) {
      refresh();
      return;
    }
    flushing = true;
    flushAgain = false;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    var round = function () {
      return storage.all().then(function (items) {
        var next = nextToSend(items);
        if (!next) { problem = ""; return null; }
        sendingID = next.clientID;
        render(items);
        return send(next).then(function (outcome) {
          sendingID = null;
          if (outcome.kind === "stored") {
            var plan = next.fields && next.fields.plan;
            return storage.remove(next.clientID).then(function () {
              if (plan) storedPlans[plan] = true;
              backoff = BACKOFF_FIRST;
              problem = "";
              return round();
            });
          }
          if (outcome.kind === "refused") {
            next.state = "failed";
            next.error = outcome.error;
            return storage.put(next).then(round);
          }
          if (outcome.kind === "session") {
            sessionExpired = true;
            problem = "";
            return null;
          }
          problem = outcome.kind;
          return {retry: outcome.wait || 0};
        });
      });
    };
    round().then(null, function () {
      problem = "server"; // storage trouble: try again later
      return {retry: 0};
    }).then(function (result) {
      flushing = false;
      sendingID = null;
      var again = flushAgain;
      flushAgain = false;
      if (!sessionExpired) {
        // A trigger that came while sending (a new check-in, `online`) gets
        // one more round at once; otherwise a failure waits for the backoff.
        if (again) setTimeout(function () { flush("again"); }, 0);
        else if (result) scheduleRetry(result.retry);
      }
      refresh();
    });
  }

  // After an expired session the page's token is stale: when the worker comes
  // back (logged in again, perhaps in another tab), fetch this page afresh for
  // the new token and carry on.
  function renewSession() {
    return fetch(window.location.pathname || "/visits", {
      credentials: "same-origin", redirect: "manual", cache: "no-store", headers: {"Accept": "text/html"}
    }).then(function (response) {
      if (response.type === "opaqueredirect" || !response.ok) return false;
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector('#checkin-form input[name="_csrf"]') || doc.querySelector('input[name="_csrf"]');
        // Logged in again as someone else: this page's queue is not theirs to send.
        if (!fresh || !fresh.value || pageOwner(doc) !== owner) return false;
        // The same token means nothing changed: sending again would be refused again.
        if (fresh.value === currentToken()) return false;
        if (csrfInput) csrfInput.value = fresh.value;
        var others = document.querySelectorAll('input[name="_csrf"]');
        for (var i = 0; i < others.length; i++) others[i].value = fresh.value;
        sessionExpired = false;
        return true;
      });
    })["catch"](function () { return false; });
  }

  function resume(why) {
    if (sessionExpired) {
      renewSession().then(function (renewed) {
        if (renewed) flush(why); else refresh();
      });
      return;
    }
    backoff = BACKOFF_FIRST;
    flush(why);
  }

  window.addEventListener("online", function () { resume("online"); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resume("visible");
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) resume("pageshow");
  });
  retryButton.addEventListener("click", function () { resume("button"); });

  // ------------------------------------------------------------------
  // Showing the queue

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function when(ms) {
    var d = new Date(ms), now = new Date();
    var time = two(d.getHours()) + ":" + two(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return time;
    return (lang === "en" ? (d.getMonth() + 1) + "/" + d.getDate() + " " : (d.getMonth() + 1) + "月" + d.getDate() + "日 ") + time;
  }

  function discardButton(item) {
    var button = make("button", "queue-discard", t("discard"));
    button.type = "button";
    var armed = null;
    // Two taps: a refused record holds a photo and notes the worker may still want.
    button.addEventListener("click", function () {
      if (!armed) {
        button.textContent = t("discardConfirm");
        button.classList.add("armed");
        armed = setTimeout(function () {
          armed = null;
          button.textContent = t("discard");
          button.classList.remove("armed");
        }, 5000);
        return;
      }
      clearTimeout(armed);
      button.disabled = true;
      storage.remove(item.clientID).then(refresh, refresh);
    });
    return button;
  }

  function markPeople(items) {
    var queued = {}, refused = {};
    for (var i = 0; i < items.length; i++) {
      var plan = items[i].fields && items[i].fields.plan;
      if (!plan) continue;
      if (items[i].state === "failed") refused[plan] = true; else queued[plan] = true;
    }
    var rows = personRows();
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      var p = row.getAttribute("data-plan");
      var state = storedPlans[p] ? "visited-now" : queued[p] ? "visit-pending" : refused[p] ? "visit-refused" : "";
      row.classList.toggle("visited-now", state === "visited-now");
      row.classList.toggle("visit-pending", state === "visit-pending");
      row.classList.toggle("visit-refused", state === "visit-refused");
      var mark = row.querySelector(".visit-mark");
      if (!state) {
        if (mark) mark.parentNode.removeChild(mark);
        continue;
      }
      if (!mark) {
        mark = make("span", "visit-mark");
        var name = row.querySelector(".person-name");
        if (name && name.parentNode) name.parentNode.insertBefore(mark, name.nextSibling);
        else row.appendChild(mark);
      }
      mark.textContent = t(state === "visited-now" ? "justVisited" : state === "visit-pending" ? "pendingMark" : "refusedMark");
    }
  }

  function render(items) {
    var waiting = 0, refusedCount = 0, foreign = 0;
    for (var i = 0; i < items.length; i++) {
      if (items[i].state === "failed") refusedCount++;
      else if (ownItem(items[i])) waiting++;
      else foreign++;
    }
    if (items.length) queueShown = true;
    queueSection.hidden = !queueShown;

    var text;
    if (waiting) text = t("waiting", waiting) + (refusedCount ? t("refusedToo", refusedCount) : "");
    else text = refusedCount ? t("nothingWaiting", refusedCount) : t("allSent");
    if (waiting && sendingID) text += " · " + t("sending");
    else if (waiting && problem === "offline") text += " · " + t("offline");
    else if (waiting && problem === "server") text += " · " + t("serverBusy");
    queueStatus.textContent = text;
    queueStatus.setAttribute("data-count", String(waiting));
    queueStatus.setAttribute("data-failed", String(refusedCount));
    queueStatus.setAttribute("data-state",
      sessionExpired ? "session-expired" : sendingID ? "sending" : waiting ? (problem || "waiting") : "idle");
    queueStatus.className = "queue-status" + (waiting ? " waiting" : refusedCount ? " refused" : " done");
    if (!waiting && !refusedCount && !savedNotice.hidden && savedNotice.textContent === t("saved")) showSaved(t("savedAndSent"));

    // Alerts: the expired session (with a way to log in), another account's items.
    while (queueAlert.firstChild) queueAlert.removeChild(queueAlert.firstChild);
    if (sessionExpired && waiting) {
      queueAlert.appendChild(document.createTextNode(t("sessionExpired") + " "));
      var link = make("a", "", t("logIn"));
      link.href = "/login";
      link.target = "_blank";
      link.rel = "noopener";
      queueAlert.appendChild(link);
    }
    if (foreign) {
      if (queueAlert.firstChild) queueAlert.appendChild(document.createTextNode(" · "));
      queueAlert.appendChild(document.createTextNode(t("otherAccount", foreign)));
    }
    queueAlert.hidden = !queueAlert.firstChild;
    retryButton.hidden = !(waiting && !sendingID && (problem || sessionExpired));

    while (queueItems.firstChild) queueItems.removeChild(queueItems.firstChild);
    for (var k = 0; k < items.length; k++) {
      var item = items[k];
      var state = item.state === "failed" ? "failed" : !ownItem(item) ? "other" : item.clientID === sendingID ? "sending" : "queued";
      var li = make("li", "queue-item " + state);
      li.setAttribute("data-client-id", item.clientID);
      li.setAttribute("data-state", state);
      li.appendChild(make("span", "queue-person", item.label || t("unknownPerson")));
      li.appendChild(make("span", "queue-time", when(item.queuedAt)));
      if (state === "failed") {
        var error = item.error || {};
        var reason = (lang === "en" ? (error.en || error.zh) : (error.zh || error.en)) || "";
        li.appendChild(make("span", "queue-state", t("stateFailed") + reason));
        li.appendChild(discardButton(item));
      } else {
        li.appendChild(make("span", "queue-state",
          t(state === "sending" ? "stateSending" : state === "other" ? "stateOtherAccount" : "stateQueued")));
      }
      queueItems.appendChild(li);
    }
    markPeople(items);
  }

  function refresh() {
    return storage.all().then(render, function () { render([]); });
  }

  // ------------------------------------------------------------------
  // Start: show what is waiting from earlier and send it.

  if (clientIDInput && !clientIDInput.value) clientIDInput.value = uuid();
  storageReady.then(function (ok) {
    if (!ok) return;
    refresh().then(function () { flush("load"); });
  });

  window.jiuzhuVisits = {
    flush: function () { resume("debug"); },
    items: function () { return storage.all(); },
    state: function () {
      return {flushing: flushing, sessionExpired: sessionExpired, problem: problem, backoff: backoff, owner: owner};
    }
  };
})();
