// The share page: rebuilds the <iframe> snippet and the preview as the options change.
// The snippet is built exactly as observo/web/embed.py builds the first one (same order, same escaping).

import { _, useMessages } from "./i18n.js";

const config = JSON.parse(document.getElementById("embed-share-config").textContent);
useMessages(config.messages, document.documentElement.lang);
const form = document.getElementById("embed-options");
const snippet = document.getElementById("embed-snippet");
const preview = document.getElementById("embed-preview");
const copyStatus = document.getElementById("embed-copy-status");

const PREVIEW_DELAY_MS = 400; // typing a height reloads the preview once, not at every key
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

function height() {
  const input = form.elements.height;
  const value = Math.round(Number(input.value));
  if (!Number.isFinite(value) || value <= 0) return Number(input.defaultValue);
  return Math.min(Number(input.max), Math.max(Number(input.min), value));
}

function query() {
  const parts = [`height=${height()}`];
  if (form.elements.zoom.value !== "") parts.push(`zoom=${form.elements.zoom.value}`);
  parts.push(`lang=${form.elements.lang.value}`);
  return parts.join("&");
}

function update() {
  const title = config.titles[form.elements.lang.value] ?? "";
  snippet.value =
    `<iframe src="${escapeHtml(`${config.embedUrl}?${query()}`)}" title="${escapeHtml(title)}" ` +
    `width="100%" height="${height()}" style="border:0" loading="lazy"></iframe>`;
  copyStatus.textContent = "";
}

let timer = null;

function refreshPreview() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    preview.height = String(height());
    preview.src = `${config.previewUrl}?${query()}`;
  }, PREVIEW_DELAY_MS);
}

async function copy() {
  try {
    await navigator.clipboard.writeText(snippet.value);
    copyStatus.textContent = _("Copied.");
  } catch {
    snippet.focus();
    snippet.select();
    copyStatus.textContent = _("Copy it by hand: select the text and press Ctrl+C.");
  }
}

form.addEventListener("submit", (event) => event.preventDefault());
form.addEventListener("input", () => {
  update();
  refreshPreview();
});
form.addEventListener("change", update);
document.getElementById("embed-copy").addEventListener("click", copy);
snippet.addEventListener("focus", () => snippet.select());
