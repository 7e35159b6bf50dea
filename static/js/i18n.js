// The scripts' strings: English msgids in `_("...")` calls (pybabel extracts them with the
// templates'), translated from the same catalogue the pages use: fetched from /i18n/<lang>.json
// (the map), or handed over in the page's config (the embed and its share page).
let catalogue = {};
let currentLanguage = "it";

export async function loadMessages(url, language) {
  const response = await fetch(url, { credentials: "same-origin" });
  useMessages(response.ok ? await response.json() : {}, language);
}

export function useMessages(messages, language) {
  catalogue = messages;
  currentLanguage = language;
}

// A translation is text, and so is whatever it interpolates (names, titles): put it in the DOM with
// textContent or el(), never as HTML (docs/security.md).
export function _(msgid, params) {
  const text = catalogue[msgid] || msgid;
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function language() {
  return currentLanguage;
}

// Dates and times as an Italian (or English) officer reads them.
export function formatDateTime(date) {
  return date.toLocaleString(currentLanguage === "it" ? "it-IT" : "en-GB", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

export function formatDate(isoDate) {
  if (!isoDate) return "";
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(year, month - 1, day).toLocaleDateString(currentLanguage === "it" ? "it-IT" : "en-GB");
}
