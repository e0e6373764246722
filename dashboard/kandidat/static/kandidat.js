// The candidate module's page: log in, then follow the status channel (server-sent events) and show
// the page the server says this login session is on. Every text comes from the server's label
// catalogue; every value from the server is set as text, never as HTML.
"use strict";
const C = JSON.parse(document.getElementById("config").textContent);
const T = C.texts;
const $ = id => document.getElementById(id);
document.querySelectorAll("[data-text]").forEach(e => { e.textContent = T[e.dataset.text]; });
$("filtyper").textContent = C.types.map(t => "." + t).join(", ");

let status = null;      // the last status from the server
let events = null;      // the status channel while it is open: also this page's heartbeat
let retryDelay = 2000;  // before the status channel is opened again after a refusal
let asked = null;       // the status version at which access was last asked for again
let batch = {count: 0, done: 0, bytes: 0};  // the latest upload's files (one choice or one drop)

const API = "/kandidat/api/";
async function call(path, options = {}) {
  const r = await fetch(API + path, {cache: "no-store", credentials: "same-origin", ...options});
  let body = null;
  if (r.status !== 204) { try { body = await r.json(); } catch (e) { body = null; } }
  return {ok: r.ok, status: r.status, body: body || {}};
}
const postJson = (path, value) => call(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                              body: JSON.stringify(value || {})});

const ENGLISH = C.lang === "en";
function size(bytes) {  // "360,7 kB", as "Lever for kandidat" writes it ("360.7 kB" in English)
  const [whole, tenth] = (bytes / 1000).toFixed(1).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ENGLISH ? "," : " ") + (ENGLISH ? "." : ",") + tenth + " kB";
}
const clock = iso => new Date(iso).toLocaleTimeString(ENGLISH ? "en-GB" : "nb-NO",
                                                      {hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo"});
function cell(row, text) { const td = row.insertCell(); td.textContent = text; return td; }
function showError(id, text) { const e = $(id); e.textContent = text || ""; e.hidden = !text; }

function show(s) {
  const moved = !status || status.side !== s.side;
  status = s;
  $("login").hidden = true;
  $("kandidat").hidden = false;
  document.body.dataset.side = s.side;
  $("navn").textContent = s.navn;
  $("fag").textContent = s.kandidatnummer + " · " + s.fagkode + " " + s.fagnavn;
  const page = s.side === "RECEIPT" && s.posten ? "page_RECEIPT_POSTED" : "page_" + s.side;
  const part1 = s.del1_posten && !s.posten ? " " + T.part_1_posted : "";  // Del 1 by post, Del 2 goes on
  $("melding").textContent = T[page].replace("{start}", clock(s.start)) + part1;
  document.querySelectorAll(".side").forEach(e => { e.hidden = e.id !== "side-" + s.side; });
  $("eldre").hidden = s.side !== "AUTHORISATION" || s.nyeste;
  if (s.side === "AUTHORISATION" && s.nyeste && !s.venter && asked !== s.versjon) {  // ask again, once
    asked = s.versjon;
    postJson("tilgang").then(r => r.ok && show(r.body));
  }
  if (s.side === "WAITING_FOR_START") rules(s.todelt);
  if (s.side === "TASK") task(s);
  if (s.side === "RECEIPT") receipt(s);
  if (moved) $("navn").focus();
}

function rules(twoPart) {
  const keys = (twoPart ? ["rule_two_part", "rule_part1_tools", "rule_part2_early"] : [])
    .concat(["rule_leave", "rule_late", "rule_phones"]);
  const list = $("regler");
  list.replaceChildren(...keys.map(k => { const li = document.createElement("li"); li.textContent = T[k]; return li; }));
}

function task(s) {
  const tasks = $("oppgaver");
  tasks.replaceChildren(...s.oppgaver.map(t => {
    const li = document.createElement("li"), a = document.createElement("a");
    a.href = API + "oppgave/" + t.id; a.download = t.navn; a.textContent = t.navn + " (" + size(t.storrelse) + ")";
    li.append(a); return li;
  }));
  $("ingen-oppgave").hidden = s.oppgaver.length > 0;
  const pending = s.filer.filter(f => !f.levert);
  const body = $("opplastet").tBodies[0];
  body.replaceChildren();
  for (const f of pending) {
    const row = body.insertRow();
    cell(row, f.navn); cell(row, size(f.storrelse)); cell(row, clock(f.opplastet));
    const del = document.createElement("button");
    del.type = "button"; del.textContent = T["ui.delete"];
    del.setAttribute("aria-label", T["ui.delete"] + " " + f.navn);
    del.addEventListener("click", async () => {
      del.disabled = true;
      const r = await call("filer/" + f.id, {method: "DELETE"});
      if (!r.ok) { showError("lever-feil", r.body.feil); del.disabled = false; }
    });
    row.insertCell().append(del);
  }
  $("opplastet").hidden = pending.length === 0;
  $("ingen-filer").hidden = pending.length > 0;
  $("lever").disabled = pending.length === 0;
}

function receipt(s) {
  const body = $("kvittering").tBodies[0];
  body.replaceChildren();
  for (const f of s.filer) {
    const row = body.insertRow();
    cell(row, f.navn); cell(row, size(f.storrelse)); cell(row, clock(f.opplastet));
    cell(row, T[f.av_kandidaten ? "delivered_by_you" : "delivered_by_school"]);
  }
}

function counter() {
  $("teller").textContent = T["ui.upload_counter"].replace("{x}", batch.done).replace("{y}", batch.count)
    .replace("{total}", size(batch.bytes));
}

function refuse(name, text) {
  const row = $("feilfiler").querySelector("tbody").insertRow();
  cell(row, name); cell(row, text);
  $("feilfiler").hidden = false;
}

async function upload(files) {
  files = Array.from(files);
  if (!files.length) return;
  const total = files.reduce((n, f) => n + f.size, 0);
  // The limits are per upload ("100 filer om gangen"), and so is the counter.
  if (files.length > C.max_files) { refuse(files[0].name, T["file.too_many"]); return; }
  if (total > C.max_batch) { refuse(files[0].name, T["file.batch_too_large"]); return; }
  const mine = batch = {count: files.length, done: 0, bytes: 0};
  counter();
  for (const f of files) {  // one at a time: the server streams each to disk
    const r = await call("filer?navn=" + encodeURIComponent(f.name),
                         {method: "POST", headers: {"Content-Type": "application/octet-stream", "X-Kandidat": "1"}, body: f})
      .catch(() => ({ok: false, body: {feil: T["file.too_large"]}}));
    if (r.ok) { mine.done += 1; mine.bytes += f.size; } else refuse(f.name, r.body.feil || r.status);
    counter();
  }
  $("filvelger").value = "";
}

$("filvelger").addEventListener("change", e => upload(e.target.files));
const drop = $("slipp");
drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", e => { e.preventDefault(); drop.classList.remove("over"); upload(e.dataTransfer.files); });

$("lever").addEventListener("click", async () => {
  if (!window.confirm(T.deliver_warning)) return;
  $("lever").disabled = true;
  const r = await postJson("lever");
  if (r.ok) { batch = {count: 0, done: 0, bytes: 0}; show(r.body); } else { showError("lever-feil", r.body.feil); $("lever").disabled = false; }
});

$("dagspassord-skjema").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await postJson("dagspassord", {dagspassord: $("dagspassord").value});
  $("dagspassord").value = "";
  if (r.ok) { showError("dagspassord-feil", ""); show(r.body); } else showError("dagspassord-feil", r.body.feil);
});

$("login").addEventListener("submit", async e => {
  e.preventDefault();
  const r = await postJson("login", {kandidatnummer: $("nummer").value, passord: $("passord").value});
  if (!r.ok) { showError("login-feil", r.body.feil); $("passord").focus(); return; }
  showError("login-feil", "");
  $("passord").value = "";
  show(r.body);
  follow();
});

$("logg-ut").addEventListener("click", async () => {
  await postJson("logout");
  location.reload();
});

function loggedOut() {
  status = null;
  $("kandidat").hidden = true;
  $("login").hidden = false;
}

function follow() {  // the browser reconnects by itself after a dropped connection
  if (events) return;
  const source = events = new EventSource(API + "hendelser" + (status ? "?etter=" + status.versjon : ""));
  source.onmessage = e => show(JSON.parse(e.data));
  source.onerror = async () => {
    if (source.readyState !== EventSource.CLOSED) return;
    events = null;  // refused: ask why
    try {
      const r = await call("status");
      if (r.status === 401) { loggedOut(); return; }
      if (r.ok) show(r.body);
    } catch (e) { /* offline for a moment */ }
    // Wait longer after each refusal, and not in step with every other page (a restart).
    retryDelay = Math.min(30000, retryDelay * 2);
    setTimeout(follow, retryDelay / 2 + Math.random() * retryDelay / 2);
  };
  source.onopen = () => { retryDelay = 2000; };
}

follow();
