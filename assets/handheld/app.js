// MAMS on the phone. No build step, no library: the pages are built with DOM calls (text is
// always set as text, never as HTML), the token and the last lists are kept in localStorage,
// on-site records wait in IndexedDB until they are sent.
"use strict";

const T = {
  zh: {
    tab_leaders: "领导看板", tab_misses: "未达标", tab_bulletin: "简报", tab_inspect: "现场核查",
    pair_title: "与工作站配对", pair_help: "在工作站的“手机访问”中扫码，或输入工作站上显示的 8 位配对码。",
    pair_code: "配对码", pair_name: "此手机的名称", pair_name_default: "我的手机", pair_go: "配对",
    pair_done: "已配对", unit: "单位", month: "月份", target: "目标", last_month: "上月", last_year: "去年同期",
    no_value: "无数据", provisional: "数据未齐，暂不评价", below: "下级单位", up: "返回上级",
    green: "达标", amber: "未达标·好转", red: "未达标", none: "不评价",
    misses_none: "本期下级单位全部达标。", gap: "差距",
    bulletin_none: "还没有发布的简报。", published: "发布于",
    inspect_none: "没有待核查的疑点。", items: "整改事项", due: "期限", suspects: "待核查疑点",
    evidence: "证据", visit: "现场地址", customer: "客户", address: "地址", phone: "电话",
    masked_note: "个人信息已脱敏（工作站未授权此手机查看）。",
    record: "现场记录", finding: "核查结论", f_confirmed: "确认问题属实", f_false_positive: "误报（需填写原因）",
    f_not_verified: "无法核实", reason: "误报原因", note: "备注", photos: "照片", add_photo: "拍照 / 选择照片",
    position: "记录当前位置", save: "保存记录", saved_queued: "已保存，将在联网后发送。",
    queue: "待发送的记录", sync: "立即发送", sent: "已发送，疑点状态：", conflict: "冲突",
    conflict_help: "工作站在此期间修改了该疑点，记录未被应用：", now_status: "当前状态",
    apply_anyway: "按当前状态重新提交", discard: "放弃此记录", refused: "被拒绝",
    offline: "离线", online: "在线", updated: "工作站有新数据：", reload: "刷新",
    imported: "导入", audited: "审计", settings: "设置", unpair: "解除配对", lang_other: "EN",
    error: "出错了", retry: "重试", loading: "加载中…", status_new: "新发现", status_verifying: "核实中",
    status_confirmed: "已确认", status_false_positive: "误报", status_rectifying: "整改中",
    status_rectified: "已整改", status_closed: "已销号", back: "返回", amount: "金额",
    need_reason: "误报需要填写原因。", need_finding: "请选择核查结论。", position_failed: "未能取得位置：",
    data_as_of: "数据截至", device: "设备", waiting: "等待发送", changes: "期间的变更",
  },
  en: {
    tab_leaders: "Leaders", tab_misses: "Misses", tab_bulletin: "Bulletin", tab_inspect: "Inspection",
    pair_title: "Pair with the workstation", pair_help: "Scan the code in the workstation's Phone access, or type the 8-character code it shows.",
    pair_code: "Pairing code", pair_name: "Name of this phone", pair_name_default: "My phone", pair_go: "Pair",
    pair_done: "Paired", unit: "Unit", month: "Month", target: "Target", last_month: "Last month", last_year: "A year ago",
    no_value: "No data", provisional: "Data incomplete: not judged yet", below: "Units below", up: "Up one level",
    green: "On target", amber: "Missed, improving", red: "Missed", none: "Not judged",
    misses_none: "Every unit below met its targets this period.", gap: "Gap",
    bulletin_none: "No bulletin has been published yet.", published: "Published",
    inspect_none: "Nothing to verify.", items: "Improvement items", due: "Due", suspects: "Suspects to verify",
    evidence: "Evidence", visit: "Where to go", customer: "Customer", address: "Address", phone: "Phone",
    masked_note: "Personal data is masked (the workstation has not allowed this phone to see it).",
    record: "On-site record", finding: "Finding", f_confirmed: "Confirmed: the problem is real", f_false_positive: "False positive (give the reason)",
    f_not_verified: "Could not verify", reason: "Why it is a false positive", note: "Note", photos: "Photos", add_photo: "Take or choose a photo",
    position: "Record my position", save: "Save the record", saved_queued: "Saved; it is sent when the phone is online.",
    queue: "Records waiting to be sent", sync: "Send now", sent: "Sent; the suspect is now ", conflict: "Conflict",
    conflict_help: "The workstation changed this suspect meanwhile; the record was not applied:", now_status: "Now",
    apply_anyway: "Send it again on the current state", discard: "Discard this record", refused: "Refused",
    offline: "Offline", online: "Online", updated: "The workstation has new data:", reload: "Refresh",
    imported: "imported", audited: "audited", settings: "Settings", unpair: "Unpair", lang_other: "中文",
    error: "Something went wrong", retry: "Try again", loading: "Loading…", status_new: "New", status_verifying: "Verifying",
    status_confirmed: "Confirmed", status_false_positive: "False positive", status_rectifying: "Rectifying",
    status_rectified: "Rectified", status_closed: "Closed", back: "Back", amount: "Amount",
    need_reason: "A false positive needs the reason.", need_finding: "Choose a finding.", position_failed: "No position: ",
    data_as_of: "Data as of", device: "Device", waiting: "Waiting", changes: "Changes meanwhile",
  },
};

let lang = localStorage.getItem("mams.lang") || (navigator.language.startsWith("zh") ? "zh" : "en");
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;
const zh = () => lang === "zh";

// ---- small DOM helpers (text only) ----
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}
const main = () => document.getElementById("main");

// The page being shown. A page that loads asynchronously shows nothing once the user has gone
// to another page meanwhile; main's data-page says which page is shown, loaded.
let routeGen = 0;
function view(name) {
  const gen = ++routeGen;
  const put = (page, nodes) => {
    if (gen !== routeGen) return;
    const m = main();
    m.dataset.page = page;
    m.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    window.scrollTo(0, 0);
  };
  const v = {
    show: (...nodes) => put(name, nodes),
    failed: (e, again) => put("error", [notice("error", t("error") + ": " + msg(e.body || e)),
      h("button", { class: "wide", type: "button", onclick: again }, t("retry"))]),
  };
  put("loading", [h("p", { class: "weak" }, t("loading"))]);
  return v;
}
function notice(kind, text) { return h("div", { class: "notice " + kind, role: kind === "error" ? "alert" : "status" }, text); }
function msg(e) { return (zh() && e.error_zh) || e.error || String(e.message || e); }

// ---- state ----
const store = {
  get token() { return localStorage.getItem("mams.token"); },
  set token(v) { v ? localStorage.setItem("mams.token", v) : localStorage.removeItem("mams.token"); },
  get(k) { try { return JSON.parse(localStorage.getItem("mams." + k)); } catch { return null; } },
  set(k, v) { localStorage.setItem("mams." + k, JSON.stringify(v)); },
};
let me = store.get("me");
let scope = store.get("scope") || {};
let openedFreshness = null;

// ---- the API ----
class ApiError extends Error {
  constructor(status, body) { super(body.error || "HTTP " + status); this.status = status; this.body = body; }
}
async function api(path, options = {}) {
  const headers = { "Accept": "application/json" };
  if (store.token) headers["Authorization"] = "Bearer " + store.token;
  if (options.body) headers["Content-Type"] = "application/json";
  const once = () => fetch(path, { method: options.method || "GET", headers, body: options.body, cache: "no-store" });
  let r;
  try {
    r = await once();
  } catch (e) {
    // A connection the workstation closed as it was reused, or a blip of the Wi-Fi: try once
    // more (reads change nothing, a record carries its id), but never a pairing code.
    try {
      if (path === "/api/pair") throw e;
      await new Promise((ok) => setTimeout(ok, 300));
      r = await once();
    } catch (again) {
      setOnline(false);
      throw again;
    }
  }
  setOnline(true);
  let body = {};
  try { body = await r.json(); } catch { body = {}; }
  if (r.status === 401 && path !== "/api/pair") {
    store.token = null;
    location.hash = "#/pair";
  }
  if (!r.ok && r.status !== 409) throw new ApiError(r.status, body);
  return { status: r.status, body };
}
function qs(o) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  return p.toString();
}

// ---- online state and the update banner ----
let online = navigator.onLine;
function setOnline(on) {
  online = on;
  const n = document.getElementById("net");
  n.hidden = on;
  n.textContent = t("offline");
}
window.addEventListener("online", () => { setOnline(true); sync(); });
window.addEventListener("offline", () => setOnline(false));

async function checkUpdates() {
  if (!store.token) return;
  try {
    const { body } = await api("/api/status");
    if (!openedFreshness) { openedFreshness = body; return; }
    const newer = (a, b) => a && (!b || a > b);
    const parts = [];
    if (newer(body.imported_at, openedFreshness.imported_at)) parts.push(t("imported") + " " + body.imported_at.replace("T", " ").slice(0, 16));
    if (newer(body.audited_at, openedFreshness.audited_at)) parts.push(t("audited") + " " + body.audited_at.replace("T", " ").slice(0, 16));
    const b = document.getElementById("banner");
    if (parts.length) {
      b.replaceChildren(h("span", {}, t("updated") + " " + parts.join(", ")),
        h("button", { type: "button", onclick: () => { openedFreshness = body; b.hidden = true; route(); } }, t("reload")));
      b.hidden = false;
    }
  } catch { /* offline: try again later */ }
}

// ---- the queue of on-site records (IndexedDB: photos are too big for localStorage) ----
const db = new Promise((resolve, reject) => {
  const open = indexedDB.open("mams", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("queue", { keyPath: "record_id" });
  open.onsuccess = () => resolve(open.result);
  open.onerror = () => reject(open.error);
});
async function queueOp(mode, f) {
  const d = await db;
  return new Promise((resolve, reject) => {
    const tx = d.transaction("queue", mode);
    const req = f(tx.objectStore("queue"));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = () => reject(tx.error);
  });
}
const queued = () => queueOp("readonly", (s) => s.getAll());
const enqueue = (item) => queueOp("readwrite", (s) => s.put(item));
const dequeue = (id) => queueOp("readwrite", (s) => s.delete(id));

async function showQueued() {
  const items = await queued();
  const b = document.getElementById("queued");
  b.hidden = items.length === 0;
  b.textContent = items.length;
}

let syncing = false;
async function sync() {
  if (syncing || !store.token) return;
  syncing = true;
  try {
    for (const item of await queued()) {
      if (item.state === "conflict" || item.state === "refused") continue;
      let r;
      try {
        r = await api("/api/records", { method: "POST", body: JSON.stringify(item.record) });
      } catch (e) {
        if (e instanceof ApiError) {
          item.state = "refused"; item.error = e.body; await enqueue(item);
          continue;
        }
        break; // offline: later
      }
      if (r.status === 409) {
        item.state = "conflict"; item.conflict = r.body; await enqueue(item);
      } else {
        await dequeue(item.record.record_id);
        updateLocalStatus(item.record.suspect_key, r.body.status);
      }
    }
  } finally {
    syncing = false;
    await showQueued();
    if (location.hash.startsWith("#/inspect") || location.hash.startsWith("#/suspect")) route();
  }
}
function updateLocalStatus(key, status) {
  const list = store.get("inspection");
  if (!list || !status) return;
  for (const s of list.suspects) if (s.key === key) s.status = status;
  store.set("inspection", list);
}

// ---- pages ----
function statusName(s) { return t("status_" + s); }
function fmt(v, unit) {
  if (v === null || v === undefined) return t("no_value");
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString(zh() ? "zh-CN" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 }) + (unit && unit !== "" ? "" : "");
}
function chip(status) {
  const s = status || "grey";
  return h("span", { class: "chip " + s }, status ? t(status) : t("none"));
}
function sparkline(history) {
  const vals = history.map((p) => p[1]).filter((v) => v !== null && v !== undefined);
  if (vals.length < 2) return h("span", { class: "spark-empty" }, "");
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 120 40");
  svg.setAttribute("aria-hidden", "true");
  const lo = Math.min(...vals), hi = Math.max(...vals), span = hi - lo || 1;
  const n = history.length;
  const pts = [];
  history.forEach((p, i) => {
    if (p[1] === null || p[1] === undefined) return;
    pts.push([(i / Math.max(n - 1, 1)) * 116 + 2, 36 - ((p[1] - lo) / span) * 32]);
  });
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", pts.map((p) => p.map((x) => x.toFixed(1)).join(",")).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "currentColor");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  const last = pts[pts.length - 1];
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", last[0]); dot.setAttribute("cy", last[1]); dot.setAttribute("r", "3");
  dot.setAttribute("fill", "currentColor");
  svg.append(dot);
  return svg;
}
function unitName(u) { return u ? (zh() ? u.name_zh : u.name_en) : ""; }
function findUnit(id) { return ((me && me.units) || []).find((u) => u.unit_id === id); }

function scopeBar(onChange) {
  const units = (me && me.units) || [];
  const months = ((me && me.months) || []).slice().reverse();
  const unitSel = h("select", { "aria-label": t("unit"), onchange: (e) => { scope.unit = e.target.value; store.set("scope", scope); onChange(); } },
    units.map((u) => h("option", { value: u.unit_id, selected: u.unit_id === scope.unit }, unitName(u))));
  const monthSel = h("select", { "aria-label": t("month"), onchange: (e) => { scope.month = e.target.value; store.set("scope", scope); onChange(); } },
    months.map((m) => h("option", { value: m, selected: m === scope.month }, m)));
  return h("div", { class: "row", style: "margin-bottom:12px" }, unitSel, monthSel);
}


async function ensureMe() {
  const { body } = await api("/api/me");
  me = body;
  store.set("me", me);
  if (!openedFreshness) openedFreshness = me.freshness;
  if (!scope.unit || !findUnit(scope.unit)) scope.unit = me.home_unit;
  if (!scope.month || !me.months.includes(scope.month)) scope.month = me.default_month;
  store.set("scope", scope);
  document.getElementById("title").textContent = me.project;
}

async function pageLeaders() {
  const v = view("leaders");
  try {
    if (!me) await ensureMe();
    const { body } = await api("/api/cards?" + qs({ unit: scope.unit, month: scope.month }));
    const cards = body.cards.map((c) => {
      const status = c.provisional ? null : c.status;
      const change = c.previous_month !== null && c.value !== null ? c.value - c.previous_month : null;
      return h("div", { class: "card kpi " + (status || "grey") },
        h("div", { class: "name" }, zh() ? c.name_zh : c.name_en),
        h("div", { class: "value" }, fmt(c.value), h("small", {}, c.unit)),
        h("div", { class: "spark" }, sparkline(c.history)),
        h("div", { class: "meta status-line" }, chip(status),
          c.target !== null ? h("span", {}, t("target") + " " + fmt(c.target)) : null,
          change !== null ? h("span", {}, t("last_month") + " " + (change >= 0 ? "+" : "") + fmt(change)) : null),
        c.provisional ? h("div", { class: "meta" }, t("provisional")) : null);
    });
    const up = body.parent_id && findUnit(body.parent_id)
      ? h("button", { class: "wide", type: "button", onclick: () => { scope.unit = body.parent_id; store.set("scope", scope); pageLeaders(); } }, "↑ " + t("up") + " · " + unitName(findUnit(body.parent_id)))
      : null;
    const kids = body.children.map((k) => h("a", { class: "card drill", href: "#/leaders", onclick: (e) => { e.preventDefault(); scope.unit = k.unit_id; store.set("scope", scope); pageLeaders(); } },
      h("span", { class: "grow" }, zh() ? k.name_zh : k.name_en),
      h("span", { class: "counts" }, h("span", { class: "chip green" }, k.green), h("span", { class: "chip amber" }, k.amber), h("span", { class: "chip red" }, k.red)),
      h("span", { class: "arrow" }, "›")));
    v.show(scopeBar(pageLeaders), h("h1", {}, zh() ? body.name_zh : body.name_en), ...cards,
      kids.length ? h("h2", {}, t("below")) : null, ...kids, up);
  } catch (e) { v.failed(e, pageLeaders); }
}

async function pageMisses() {
  const v = view("misses");
  try {
    if (!me) await ensureMe();
    const { body } = await api("/api/misses?" + qs({ unit: scope.unit, month: scope.month }));
    const rows = body.misses.map((m) => h("div", { class: "card " + m.status },
      h("div", { class: "status-line" }, h("strong", {}, zh() ? m.unit_zh : m.unit_en), chip(m.status)),
      h("div", {}, zh() ? m.name_zh : m.name_en),
      h("div", { class: "weak" }, fmt(m.value) + " " + (m.unit || "") + " · " + t("target") + " " + fmt(m.target) + " · " + t("gap") + " " + fmt(m.gap) + " (" + (m.relative * 100).toFixed(1) + "%)")));
    v.show(scopeBar(pageMisses), h("h1", {}, t("tab_misses")), rows.length ? rows : h("p", { class: "weak" }, t("misses_none")));
  } catch (e) { v.failed(e, pageMisses); }
}

async function pageBulletin() {
  const v = view("bulletin");
  try {
    const { body } = await api("/api/bulletin?" + qs({ lang }));
    const b = body.bulletin;
    if (!b) { v.show(h("h1", {}, t("tab_bulletin")), h("p", { class: "weak" }, t("bulletin_none"))); return; }
    // The bulletin's own HTML, in a frame that may run nothing.
    const frame = h("iframe", { class: "bulletin", sandbox: "", title: b.title });
    frame.srcdoc = b.html;
    v.show(h("h1", {}, b.title), h("p", { class: "weak" }, (b.number || "") + " · " + t("published") + " " + String(b.published_at).replace("T", " ").slice(0, 16)), frame);
  } catch (e) { v.failed(e, pageBulletin); }
}

async function loadInspection() {
  try {
    const { body } = await api("/api/inspection?" + qs({ lang }));
    store.set("inspection", body);
    return body;
  } catch (e) {
    const kept = store.get("inspection");
    if (kept && !(e instanceof ApiError)) return kept; // offline: the list kept
    throw e;
  }
}

async function pageInspect() {
  const v = view("inspect");
  try {
    const list = await loadInspection();
    const items = await queued();
    const queuedNodes = items.map(queueCard);
    const suspects = list.suspects.map((s) => h("a", { class: "card", href: "#/suspect/" + encodeURIComponent(s.key) },
      h("div", { class: "status-line" }, h("strong", {}, s.rule_name), h("span", { class: "chip grey" }, statusName(s.status))),
      h("div", { class: "sentence" }, s.sentence),
      s.visit.address ? h("div", { class: "weak" }, t("address") + " " + s.visit.address) : null,
      h("div", { class: "weak" }, (s.period || "") + " · " + (unitName(findUnit(s.unit_id)) || s.unit_id) + " · " + t("amount") + " " + fmt(s.amount))));
    const improvement = list.items.map((i) => h("div", { class: "card" },
      h("strong", {}, i.reason), h("div", { class: "weak" }, i.unit_id + " · " + i.period + " · " + t("due") + " " + i.due_on)));
    v.show(
      queuedNodes.length ? h("h2", {}, t("queue")) : null, ...queuedNodes,
      queuedNodes.length ? h("button", { class: "wide", type: "button", id: "queue-send", onclick: sync }, t("sync")) : null,
      h("h1", {}, t("suspects") + " (" + list.suspects.length + ")"),
      list.masked ? h("p", { class: "weak" }, t("masked_note")) : null,
      suspects.length ? suspects : h("p", { class: "weak" }, t("inspect_none")),
      improvement.length ? h("h2", {}, t("items")) : null, ...improvement);
  } catch (e) { v.failed(e, pageInspect); }
}

function queueCard(item) {
  const r = item.record;
  const kept = store.get("inspection");
  const s = kept && kept.suspects.find((x) => x.key === r.suspect_key);
  const parts = [h("div", { class: "status-line" }, h("strong", {}, t("f_" + r.finding)), h("span", { class: "chip " + (item.state === "conflict" ? "amber" : item.state === "refused" ? "red" : "grey") },
    item.state === "conflict" ? t("conflict") : item.state === "refused" ? t("refused") : t("waiting"))),
  h("div", { class: "weak" }, s ? s.rule_name + " · " + s.sentence : r.suspect_key),
  h("div", { class: "weak" }, r.made_at.replace("T", " ").slice(0, 16) + (r.photos.length ? " · " + t("photos") + " " + r.photos.length : ""))];
  if (item.state === "conflict") {
    const c = item.conflict;
    parts.push(h("p", {}, t("conflict_help") + " " + statusName(c.seen_status) + " → " + statusName(c.status)));
    if (c.changes && c.changes.length) parts.push(h("dl", { class: "kv" }, c.changes.map((ch) => [
      h("dt", {}, String(ch.changed_at).replace("T", " ").slice(0, 16)), h("dd", {}, ch.actor + ": " + statusName(ch.to_status) + (ch.note ? " — " + ch.note : ""))])));
    parts.push(h("div", { class: "row" },
      h("button", { type: "button", class: "primary", onclick: async () => { r.seen_status = c.status; item.state = "waiting"; delete item.conflict; await enqueue(item); sync(); } }, t("apply_anyway")),
      h("button", { type: "button", onclick: async () => { await dequeue(r.record_id); showQueued(); route(); } }, t("discard"))));
  }
  if (item.state === "refused") {
    parts.push(notice("error", msg(item.error || {})));
    parts.push(h("button", { type: "button", class: "wide", onclick: async () => { await dequeue(r.record_id); showQueued(); route(); } }, t("discard")));
  }
  return h("div", { class: "card" }, parts);
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// A photo scaled to at most 1600 px on its long side, as JPEG.
function scaled(file) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      const k = Math.min(1, 1600 / Math.max(img.width, img.height));
      const c = document.createElement("canvas");
      c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url);
      resolve(c.toDataURL("image/jpeg", 0.8));
    };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("not a picture")); };
    img.src = url;
  });
}

function localNow() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function pageSuspect(key) {
  const v = view("suspect");
  const list = store.get("inspection") || await loadInspection().catch(() => null);
  const s = list && list.suspects.find((x) => x.key === key);
  if (!s) { location.hash = "#/inspect"; return; }
  const photos = [];
  const thumbs = h("div", { class: "photos" });
  const err = h("div", {});
  const reason = h("input", { type: "text", id: "reason", maxlength: "500" });
  const reasonLabel = h("label", { for: "reason" }, t("reason"));
  // The reason is asked only of a false positive.
  const showReason = (on) => { reason.hidden = !on; reasonLabel.hidden = !on; };
  showReason(false);
  const finding = (v) => h("label", {}, h("input", { type: "radio", name: "finding", value: v, onchange: () => showReason(v === "false_positive") }), t("f_" + v));
  const note = h("textarea", { id: "note", maxlength: "2000" });
  const pos = h("input", { type: "checkbox", id: "pos" });
  const file = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, hidden: true, id: "photo",
    onchange: async (e) => {
      for (const f of e.target.files) {
        if (photos.length >= 4) break;
        try { const d = await scaled(f); photos.push(d); thumbs.append(h("img", { src: d, alt: "" })); } catch (x) { err.replaceChildren(notice("error", String(x.message))); }
      }
      e.target.value = "";
    } });
  const save = h("button", { class: "primary wide", type: "button", onclick: async () => {
    const chosen = document.querySelector("input[name=finding]:checked");
    if (!chosen) { err.replaceChildren(notice("error", t("need_finding"))); return; }
    if (chosen.value === "false_positive" && !reason.value.trim()) { err.replaceChildren(notice("error", t("need_reason"))); return; }
    save.disabled = true;
    const record = { record_id: uuid(), suspect_key: s.key, finding: chosen.value, note: note.value.trim() || null,
      fp_reason: chosen.value === "false_positive" ? reason.value.trim() : null, made_at: localNow(), seen_status: s.status, photos };
    if (pos.checked && navigator.geolocation) {
      try {
        const p = await new Promise((ok, no) => navigator.geolocation.getCurrentPosition(ok, no, { timeout: 8000, enableHighAccuracy: true }));
        record.position = { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: p.coords.accuracy };
      } catch (x) { err.replaceChildren(notice("warn", t("position_failed") + (x.message || ""))); }
    }
    await enqueue({ record_id: record.record_id, record, state: "waiting" });
    await showQueued();
    err.replaceChildren(notice("ok", t("saved_queued")));
    sync();
    setTimeout(() => { location.hash = "#/inspect"; }, 600);
  } }, t("save"));
  const vis = s.visit;
  v.show(
    h("a", { href: "#/inspect", class: "weak" }, "‹ " + t("back")),
    h("h1", {}, s.rule_name),
    h("div", { class: "status-line" }, h("span", { class: "chip grey" }, statusName(s.status)), h("span", { class: "amount" }, t("amount") + " " + fmt(s.amount))),
    h("p", { class: "sentence" }, s.sentence),
    h("div", { class: "card" }, h("strong", {}, t("visit")),
      h("dl", { class: "kv" },
        vis.customer_id ? [h("dt", {}, t("customer")), h("dd", {}, vis.customer_id + (vis.name ? " · " + vis.name : ""))] : null,
        vis.address ? [h("dt", {}, t("address")), h("dd", {}, vis.address)] : null,
        vis.phone ? [h("dt", {}, t("phone")), h("dd", {}, vis.phone)] : null)),
    h("div", { class: "card" }, h("strong", {}, t("evidence")),
      h("dl", { class: "kv" }, s.evidence.map(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]))),
    h("h2", {}, t("record")),
    h("div", { class: "stack" },
      h("div", { class: "findings", role: "radiogroup", "aria-label": t("finding") }, finding("confirmed"), finding("false_positive"), finding("not_verified")),
      reasonLabel, reason,
      h("label", { for: "note" }, t("note")), note,
      h("label", { class: "button", for: "photo", style: "display:flex;align-items:center;justify-content:center" }, t("add_photo")), file, thumbs,
      h("label", { class: "row", style: "min-height:48px" }, pos, h("span", {}, t("position"))),
      err, save));
}

function pagePair() {
  const v = view("pair");
  document.getElementById("tabs").hidden = true;
  const fromLink = (location.hash.match(/pair=([A-Za-z0-9-]+)/) || [])[1] || "";
  const code = h("input", { type: "text", class: "code-input", id: "code", value: fromLink, maxlength: "12", autocomplete: "off", autocapitalize: "characters" });
  const name = h("input", { type: "text", id: "name", value: t("pair_name_default"), maxlength: "60" });
  const out = h("div", {});
  const go = h("button", { class: "primary wide", type: "button", onclick: async () => {
    go.disabled = true;
    try {
      const { body } = await api("/api/pair", { method: "POST", body: JSON.stringify({ code: code.value, name: name.value }) });
      store.token = body.token;
      me = null; scope = {};
      history.replaceState(null, "", location.pathname + "#/leaders");
      route();
    } catch (e) {
      out.replaceChildren(notice("error", msg(e.body || e)));
      go.disabled = false;
    }
  } }, t("pair_go"));
  v.show(h("h1", {}, t("pair_title")), h("p", { class: "weak" }, t("pair_help")),
    h("div", { class: "stack" }, h("label", { for: "code" }, t("pair_code")), code, h("label", { for: "name" }, t("pair_name")), name, out, go));
}

// ---- routing ----
function route() {
  const hash = location.hash || "#/leaders";
  if (hash.includes("pair=") || !store.token) { pagePair(); return; }
  document.getElementById("tabs").hidden = false;
  const tab = hash.startsWith("#/suspect") ? "inspect" : hash.slice(2).split("/")[0];
  for (const a of document.querySelectorAll("nav#tabs a")) a.classList.toggle("on", a.dataset.tab === tab);
  if (hash.startsWith("#/misses")) pageMisses();
  else if (hash.startsWith("#/bulletin")) pageBulletin();
  else if (hash.startsWith("#/inspect")) pageInspect();
  else if (hash.startsWith("#/suspect/")) pageSuspect(decodeURIComponent(hash.slice("#/suspect/".length)));
  else pageLeaders();
}

function applyLang() {
  document.documentElement.lang = zh() ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  document.getElementById("lang").textContent = t("lang_other");
}
document.getElementById("lang").addEventListener("click", () => {
  lang = zh() ? "en" : "zh";
  localStorage.setItem("mams.lang", lang);
  applyLang();
  route();
});
window.addEventListener("hashchange", route);

applyLang();
setOnline(navigator.onLine);
if (me) document.getElementById("title").textContent = me.project;
route();
showQueued();
sync();
setInterval(sync, 30000);
setInterval(checkUpdates, 60000);
checkUpdates();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
