// Shared by the jobs page and the job view; the gateway inlines it where a page says "include: admin-common.js".
"use strict";

// Absolute URLs from the origin: a page opened as http://user:pass@host/ must not hand its credentials to
// fetch (which refuses them); the browser adds the Basic credentials it already holds for this origin.
const api = path => fetch(new URL(path, location.origin), { credentials: "same-origin", cache: "no-store" })
  .then(r => r.ok ? r.json() : r.json().catch(() => ({})).then(p => Promise.reject(new Error(`${path}: HTTP ${r.status}${p.detail ? `: ${p.detail}` : ""}`))));

/** A 64-character hash or job id as a person compares them: its first 8 and last 4 characters. */
const short = value => value && value.length > 14 ? `${value.slice(0, 8)}…${value.slice(-4)}` : (value ?? "");

const when = iso => iso ? new Date(iso).toLocaleString() : "–";

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/**
 * A hash or job id shortened, the whole value in its title (on hover), a link when given one, and a button that
 * copies the whole value.
 */
function idElement(value, href) {
  const wrap = el("span", "id-wrap");
  const id = el(href ? "a" : "span", "id", short(value));
  if (href) id.href = href;
  id.title = value ?? "";
  const copy = el("button", "copy", "copy");
  copy.type = "button";
  copy.dataset.copy = value ?? "";
  copy.title = `copy ${value ?? ""}`;
  wrap.append(id, copy);
  return wrap;
}

function badge(status) {
  return el("span", `badge ${status}`, status);
}

// The Clipboard API needs a secure context (https or localhost); elsewhere the selection is copied the old way.
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

document.addEventListener("click", async event => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  event.preventDefault();
  event.stopPropagation();
  await copyText(button.dataset.copy);
  button.textContent = "copied";
  setTimeout(() => { button.textContent = "copy"; }, 1200);
});
