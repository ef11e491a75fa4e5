// keras-fer serve: the webcam and photo page. Everything it needs is in this file, the HTML and the CSS;
// faces and emotions come from this server's POST /api/detect.
"use strict";

const COLORS = {angry: "#d62728", disgust: "#8c564b", fear: "#9467bd", happy: "#2ca02c", sad: "#1f77b4",
                surprise: "#ff7f0e", neutral: "#7f7f7f"};
const TIMELINE = 120;      // frames of each person's timeline
const FORGET_AFTER = 60;   // frames a person may go unseen before their panel goes
const SEND_WIDTH = 640;    // frames are sent at most this wide

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

document.querySelectorAll(".host").forEach((e) => { e.textContent = location.host; });
document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
  document.querySelectorAll(".tab, .panel").forEach((e) => e.classList.remove("active"));
  tab.classList.add("active");
  $(tab.dataset.panel).classList.add("active");
}));

async function detect(blob, stream) {
  const url = "/api/detect" + (stream ? "?stream=" + encodeURIComponent(stream) : "");
  const response = await fetch(url, {method: "POST", body: blob,
                                     headers: {"Content-Type": blob.type || "application/octet-stream"}});
  const body = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) {
    const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    throw new Error(`${response.status}: ${body.error || detail || response.statusText}`);
  }
  return body;
}

function drawFaces(ctx, faces, scale, mirrorWidth) {
  for (const face of faces) {
    let [x, y, w, h] = face.box.map((v) => v * scale);
    if (mirrorWidth) x = mirrorWidth - x - w;
    const color = COLORS[face.label] || "#0c0";
    ctx.lineWidth = Math.max(2, w / 60);
    ctx.strokeStyle = color;
    ctx.strokeRect(x, y, w, h);
    const size = Math.max(12, Math.round(w / 9));
    const text = (face.track ? `#${face.track} ` : "") + `${face.label} ${face.confidence.toFixed(2)}`;
    ctx.font = `${size}px sans-serif`;
    const top = Math.max(0, y - size - 6);
    ctx.fillStyle = color;
    ctx.fillRect(x, top, ctx.measureText(text).width + 8, size + 6);
    ctx.fillStyle = "white";
    ctx.fillText(text, x + 4, top + size);
  }
}

function bars(probabilities) {
  const box = document.createElement("div");
  for (const [name, p] of Object.entries(probabilities)) {
    const row = document.createElement("div");
    row.className = "bar";
    row.dataset.emotion = name;
    row.innerHTML = `<span>${name}</span><span><div class="fill"></div></span><span class="value"></span>`;
    row.querySelector(".fill").style.cssText = `width:${(100 * p).toFixed(1)}%;background:${COLORS[name]}`;
    row.querySelector(".value").textContent = (100 * p).toFixed(0) + "%";
    box.appendChild(row);
  }
  return box;
}

// --- the webcam ---------------------------------------------------------------------------------
const live = {running: false, media: null, stream: null, faces: [], sentWidth: 1, frames: 0, people: new Map()};

function drawTimeline(canvas, history) {
  const ctx = canvas.getContext("2d");
  const step = canvas.width / TIMELINE;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  history.forEach((probabilities, i) => {
    let y = canvas.height;
    for (const [name, p] of Object.entries(probabilities)) {
      const h = p * canvas.height;
      ctx.fillStyle = COLORS[name];
      ctx.fillRect(i * step, y - h, Math.ceil(step), h);
      y -= h;
    }
  });
}

function updatePeople(faces) {
  for (const face of faces) {
    const id = face.track || 0;
    let person = live.people.get(id);
    if (!person) {
      const panel = document.createElement("div");
      panel.className = "person";
      panel.dataset.track = id;
      panel.innerHTML = `<h3></h3><div class="bars"></div>` +
        `<canvas class="timeline" width="300" height="50" title="emotions over the last ${TIMELINE} frames"></canvas>`;
      $("live-faces").appendChild(panel);
      person = {panel, history: []};
      live.people.set(id, person);
    }
    person.seen = live.frames;
    person.history.push(face.probabilities);
    if (person.history.length > TIMELINE) person.history.shift();
    person.panel.dataset.label = face.label;
    person.panel.querySelector("h3").textContent = `person #${id}: ${face.label} (${face.confidence.toFixed(2)})`;
    person.panel.querySelector(".bars").replaceChildren(bars(face.probabilities));
    drawTimeline(person.panel.querySelector(".timeline"), person.history);
  }
  for (const [id, person] of live.people) {
    if (live.frames - person.seen > FORGET_AFTER) {
      person.panel.remove();
      live.people.delete(id);
    }
  }
}

function render() {
  if (!live.running) return;
  const video = $("video"), canvas = $("live-canvas"), ctx = canvas.getContext("2d");
  if (video.videoWidth && canvas.width !== video.videoWidth) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
  }
  const mirror = $("mirror").checked;
  ctx.save();
  if (mirror) { ctx.translate(canvas.width, 0); ctx.scale(-1, 1); }
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  ctx.restore();
  drawFaces(ctx, live.faces, canvas.width / live.sentWidth, mirror ? canvas.width : 0);
  requestAnimationFrame(render);
}

async function sendFrames() {
  const video = $("video"), grab = document.createElement("canvas");
  while (live.running) {
    if (!video.videoWidth) { await sleep(50); continue; }
    const scale = Math.min(1, SEND_WIDTH / video.videoWidth);
    grab.width = Math.round(video.videoWidth * scale);
    grab.height = Math.round(video.videoHeight * scale);
    grab.getContext("2d").drawImage(video, 0, 0, grab.width, grab.height);
    const blob = await new Promise((resolve) => grab.toBlob(resolve, "image/jpeg", 0.85));
    try {
      const result = await detect(blob, live.stream);
      if (!live.running) break;
      live.faces = result.faces;
      live.sentWidth = grab.width;
      live.frames += 1;
      document.body.dataset.liveFrames = live.frames;
      updatePeople(result.faces);
      status(`live: ${result.faces.length} face(s), ${Math.round(1000 * result.seconds)} ms a frame`);
    } catch (err) {
      status(err.message, true);
      await sleep(1000);
    }
  }
}

$("start").addEventListener("click", async () => {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status("this browser gives no camera to this page (it needs http://127.0.0.1 / localhost or https)", true);
    return;
  }
  try {
    live.media = await navigator.mediaDevices.getUserMedia({video: {width: {ideal: 640}, height: {ideal: 480}},
                                                            audio: false});
  } catch (err) {
    status(`camera: ${err.name}: ${err.message}`, true);
    return;
  }
  const video = $("video");
  video.srcObject = live.media;
  await video.play();
  Object.assign(live, {running: true, stream: "s" + Math.random().toString(36).slice(2, 12), frames: 0});
  $("start").disabled = true;
  $("stop").disabled = false;
  status("camera on");
  requestAnimationFrame(render);
  sendFrames();
});

$("stop").addEventListener("click", () => {
  live.running = false;
  if (live.media) live.media.getTracks().forEach((t) => t.stop());
  $("start").disabled = false;
  $("stop").disabled = true;
  status("camera off");
});

// --- a photo ------------------------------------------------------------------------------------
async function showPhoto(file) {
  if (!file) return;
  const table = $("photo-table"), body = table.querySelector("tbody"), canvas = $("photo-canvas");
  status(`finding faces in ${file.name} ...`);
  let result;
  try {
    result = await detect(file);
  } catch (err) {
    status(`${file.name}: ${err.message}`, true);
    table.hidden = true;
    canvas.width = canvas.height = 0;
    return;
  }
  const scale = Math.min(1, 900 / result.width);
  canvas.width = Math.round(result.width * scale);
  canvas.height = Math.round(result.height * scale);
  const ctx = canvas.getContext("2d");
  try {  // the server turns photos upright by their EXIF orientation, and so does the browser
    const bitmap = await createImageBitmap(file, {imageOrientation: "from-image"});
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  } catch (err) {  // a format the browser cannot show (TIFF): the boxes on grey
    ctx.fillStyle = "#ddd";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  drawFaces(ctx, result.faces, scale, 0);
  body.replaceChildren(...result.faces.map((face, i) => {
    const row = document.createElement("tr");
    row.innerHTML = "<td></td><td class=\"label\"></td><td></td><td></td><td></td>";
    row.cells[0].textContent = i + 1;
    row.cells[1].textContent = face.label;
    row.cells[2].textContent = face.confidence.toFixed(3);
    row.cells[3].textContent = face.box.join(", ");
    row.cells[4].appendChild(bars(face.probabilities));
    return row;
  }));
  table.hidden = result.faces.length === 0;
  status(`${file.name}: ${result.faces.length} face(s)`);
}

$("file").addEventListener("change", (event) => showPhoto(event.target.files[0]));
const drop = $("drop");
["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (event) => {
  event.preventDefault();
  drop.classList.add("over");
}));
["dragleave", "drop"].forEach((type) => drop.addEventListener(type, () => drop.classList.remove("over")));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  showPhoto(event.dataTransfer.files[0]);
});
window.addEventListener("dragover", (event) => event.preventDefault());  // a photo dropped beside the zone
window.addEventListener("drop", (event) => event.preventDefault());      // does not navigate away
