"use strict";
// Every 2 s (while the page is seen): /api/status, rendered into <main> by the cards of the layout the server gave
// (#layout), rule for rule as the server renders them (PageHtml.cs).
(() => {
  const NONE = "\u2014";
  const layout = JSON.parse(document.getElementById("layout").textContent);
  const main = document.getElementById("status");
  const updated = document.getElementById("updated");
  let since = updated.dataset.at;

  const refs = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  const encode = text => text.replace(/[&<>"']/g, c => refs[c]);
  const isObject = v => v !== null && typeof v === "object" && !Array.isArray(v);
  const at = (value, path) => {
    for (const name of path.split(".")) {
      if (!isObject(value) || !Object.hasOwn(value, name)) return undefined;
      value = value[name];
    }
    return value;
  };
  const number = v => typeof v === "number" && Number.isFinite(v) ? v : undefined;
  const whole = v => Number.isSafeInteger(v) ? v : undefined;
  const two = n => String(n).padStart(2, "0");
  const duration = seconds => {
    const ms = Math.floor(Math.floor(Math.max(seconds, 0) * 1e6 + 0.5) / 1000);
    if (ms >= 1e15) return NONE;
    if (ms < 1000) return ms + "ms";
    if (ms < 10000) {
      const tenths = Math.floor((ms + 50) / 100);
      return tenths % 10 === 0 ? tenths / 10 + "s" : Math.floor(tenths / 10) + "." + (tenths % 10) + "s";
    }
    if (ms < 60000) return Math.floor(ms / 1000) + "s";
    if (ms < 3600000) return Math.floor(ms / 60000) + "m" + two(Math.floor(ms / 1000) % 60) + "s";
    return Math.floor(ms / 3600000) + "h" + two(Math.floor(ms / 60000) % 60) + "m";
  };
  const state = (name, text) => `<span class="state state-${/^[a-z]+$/.test(name) ? name : "other"}">${encode(text)}</span>`;
  const formats = {
    text: v => typeof v === "string" ? encode(v) : NONE,
    count: v => whole(v) === undefined ? NONE : (v < 0 ? "-" : "") + String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ","),
    id: v => whole(v) === undefined ? NONE : String(v),
    duration: v => number(v) === undefined ? NONE : duration(v),
    age: v => number(v) === undefined || duration(v) === NONE ? NONE : duration(v) + " ago",
    time: v => typeof v === "string" ? encode(v.replace("T", " ")) : NONE,
    state: v => typeof v === "string" ? state(v, v) : NONE,
    failing: v => v === true ? state("failing", "failing") : v === false ? state("ok", "ok") : NONE,
  };
  const value = (v, format) => v === undefined || v === null ? NONE : formats[format](v);
  const empty = (path, text) => `<p class="empty" data-path="${encode(path)}">${encode(text)}</p>`;

  const parts = {
    readiness: (part, status) => {
      const ready = at(status, "ready"), reasons = at(status, "reasons");
      if (ready === true) return `<p class="readiness ready" data-path="ready">ready</p>`;
      if (ready !== false) return `<p class="readiness" data-path="ready">${NONE}</p>`;
      let html = `<p class="readiness not-ready" data-path="ready">not ready</p>`;
      if (Array.isArray(reasons) && reasons.length > 0)
        html += `<ul class="reasons" data-path="reasons">${reasons.map(r => `<li>${typeof r === "string" ? encode(r) : NONE}</li>`).join("")}</ul>`;
      return html;
    },
    fields: (part, status) =>
      `<dl>${part.fields.map(f => `<dt>${encode(f.label)}</dt><dd data-path="${encode(f.path)}">${value(at(status, f.path), f.format)}</dd>`).join("")}</dl>`,
    table: (part, status) => {
      let html = part.title.length > 0 ? `<h3>${encode(part.title)}</h3>` : "";
      const rows = at(status, part.path);
      if (!Array.isArray(rows) || rows.length === 0) return html + empty(part.path, Array.isArray(rows) ? part.empty : NONE);
      html += `<table data-path="${encode(part.path)}"><thead><tr>${part.columns.map(c => `<th>${encode(c.label)}</th>`).join("")}</tr></thead><tbody>`;
      for (const row of rows)
        html += `<tr>${part.columns.map(c => `<td data-label="${encode(c.label)}" data-path="${encode(c.path)}">${value(at(row, c.path), c.format)}</td>`).join("")}</tr>`;
      return html + "</tbody></table>";
    },
    pairs: (part, status) => {
      const html = `<h3>${encode(part.title)}</h3>`;
      const members = at(status, part.path);
      if (!isObject(members) || Object.keys(members).length === 0) return html + empty(part.path, isObject(members) ? part.empty : NONE);
      return html + `<dl data-path="${encode(part.path)}">${Object.entries(members).map(([name, v]) =>
        `<dt>${encode(name)}</dt><dd data-path="${encode(part.path + "." + name)}">${value(v, part.format)}</dd>`).join("")}</dl>`;
    },
  };
  const render = status => layout.map(card =>
    `<section class="${card.wide ? "card wide" : "card"}"><h2>${encode(card.title)}</h2>${card.parts.map(p => parts[p.kind](p, status)).join("")}</section>`).join("");
  const title = status => {
    const account = at(status, "link.account");
    return (at(status, "ready") === false ? "not ready \u00b7 " : "") + "tgwatch" + (typeof account === "string" && account.length > 0 ? " \u00b7 " + account : "");
  };
  const now = () => new Date().toISOString().slice(0, 19).replace("T", " ") + "Z";

  const stale = why => {
    updated.textContent = `Not updated since ${since}: ${why}.`;
    updated.className = "stale";
  };
  const refresh = async () => {
    let answer;
    try {
      answer = await fetch("api/status", { cache: "no-store", headers: { Accept: "application/json" }, signal: AbortSignal.timeout(10000) });
    } catch {
      return stale("cannot reach the run");
    }
    if (answer.status === 401) return stale("the run asks for its token: reload the page");
    if (!answer.ok) return stale(`/api/status answered ${answer.status}`);
    try {
      const status = await answer.json();
      main.innerHTML = render(status);
      document.title = title(status);
      since = now();
      updated.textContent = `Updated ${since}, every 2 s.`;
      updated.className = "";
    } catch (e) {
      stale(String(e.message));
    }
  };
  const loop = async () => {
    if (!document.hidden) await refresh();
    setTimeout(loop, 2000);
  };
  setTimeout(loop, 2000);
})();
