// The scripts' strings: English msgids in `_("...")` calls (pybabel extracts them with the
// templates'), translated from the same catalogue the pages use: fetched from /i18n/<lang>.json
// (the map), or handed over in the page's config (the embed and its share page). Plural forms come
// from the catalogue's msgid_plural entries (`ngettext`), as arrays of forms.
let catalogue = {};
let plurals = {};
let currentLanguage = "it";

// Italian and English share one plural rule (Plural-Forms: nplurals=2; plural=(n != 1)).
const pluralIndex = (count) => (count === 1 ? 0 : 1);

// The zone the map's times are read and written in: the pages' and the brief's.
export const TIME_ZONE = "Europe/Rome";

export async function loadMessages(url, language, pluralForms = {}) {
  let messages = {};
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) messages = (await response.json()) || {};
  } catch (error) {
    messages = {}; // no catalogue: the English msgids are shown, the map still works
  }
  useMessages(messages, language, pluralForms);
}

export function useMessages(messages, language, pluralForms = {}) {
  catalogue = messages || {};
  plurals = pluralForms || {};
  currentLanguage = language;
}

function interpolate(text, params) {
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A translation is text, and so is whatever it interpolates (names, titles): put it in the DOM with
// textContent or el(), never as HTML (docs/security.md).
export function _(msgid, params) {
  const entry = catalogue[msgid];
  return interpolate(typeof entry === "string" && entry ? entry : msgid, params);
}

// "1 telecamera trovata" / "3 telecamere trovate": `count` picks the form, and is offered to the
// text as %(count)s (formatted with the reader's locale) unless params say otherwise.
export function ngettext(singular, plural, count, params) {
  const forms = plurals[singular] || catalogue[singular];
  const index = pluralIndex(count);
  const text = Array.isArray(forms) && forms[index] ? forms[index] : index === 0 ? singular : plural;
  return interpolate(text, { count: formatNumber(count), ...params });
}

export function language() {
  return currentLanguage;
}

export function locale() {
  return currentLanguage === "it" ? "it-IT" : "en-GB";
}

// Numbers as an Italian reads them: 6.214 and 0,5 (Intl's it-IT leaves 4-digit numbers ungrouped,
// which reads as a different number next to grouped ones: always group).
// `trim`: 12,0 reads as 12 (a share keeps its decimal: 100,0 %).
export function formatNumber(value, fractionDigits = 0, { trim = true } = {}) {
  if (value === undefined || value === null || Number.isNaN(Number(value))) return "";
  const [group, decimal] = currentLanguage === "it" ? [".", ","] : [",", "."];
  const fixed = Math.abs(Number(value)).toFixed(fractionDigits);
  let [whole, fraction] = fixed.split(".");
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  if (trim && fraction && /^0+$/.test(fraction)) fraction = "";
  const sign = Number(value) < 0 && Number(fixed) !== 0 ? "-" : "";
  return sign + whole + (fraction ? decimal + fraction : "");
}

// Dates and times as an Italian (or English) officer reads them, always in Italian time, whatever
// the browser's zone: the pages and the brief use the same.
export function formatDateTime(date) {
  return date.toLocaleString(locale(), {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE,
  });
}

export function formatDate(isoDate) {
  if (!isoDate) return "";
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day, 12)).toLocaleDateString(locale(), { timeZone: TIME_ZONE });
}

// The words that say which clock the times follow ("ora italiana").
export function timeZoneNote() {
  return _("Italian time (Europe/Rome)");
}

// Europe/Rome wall time of an instant, as a datetime-local input's value ("2026-03-29T14:00").
export function romeInputValue(date) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

// The instant a datetime-local value names in Europe/Rome (not in the browser's zone). Null if empty.
export function fromRomeInput(value) {
  if (!value) return null;
  const [datePart, timePart] = value.split("T");
  const [year, month, day] = datePart.split("-").map(Number);
  const [hour, minute] = (timePart || "00:00").split(":").map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset at that moment, found by reading the guess back (twice: across a DST change).
  let instant = asUtc;
  for (let step = 0; step < 2; step += 1) {
    const shown = romeInputValue(new Date(instant));
    const [d, t] = shown.split("T");
    const [y, mo, da] = d.split("-").map(Number);
    const [h, mi] = t.split(":").map(Number);
    instant += asUtc - Date.UTC(y, mo - 1, da, h, mi);
  }
  return new Date(instant);
}
