// Runs right after the pinned third-party tags (observo/http/assets.py), as a classic script: the
// browser has by then loaded or given up on every stylesheet and script before it. Whatever did not
// arrive from the CDN is written again from Observo's own copies (same path, same SRI), in order, so
// the page's module scripts, which run after parsing, find Leaflet either way. document.write is
// used on purpose: only a parser-inserted script keeps that order. If a script is still missing
// once the page is parsed, a notice says so instead of an empty grey box.
(function () {
  "use strict";

  var self = document.currentScript;

  function probe(path) {
    var value = window;
    var parts = path.split(".");
    for (var i = 0; i < parts.length; i += 1) {
      if (value === undefined || value === null) return undefined;
      value = value[parts[i]];
    }
    return value;
  }

  function loaded(tag) {
    if (tag.tagName !== "LINK") return !tag.dataset.probe || probe(tag.dataset.probe) !== undefined;
    // A stylesheet that failed still has an (empty, unreadable) sheet: only its rules tell.
    try {
      return tag.sheet !== null && tag.sheet.cssRules.length > 0;
    } catch (error) {
      return false;
    }
  }

  function copy(tag) {
    // Built as DOM nodes and serialised: the attribute values are escaped by the browser.
    var again = document.createElement(tag.tagName === "LINK" ? "link" : "script");
    if (tag.tagName === "LINK") {
      again.rel = "stylesheet";
      again.href = tag.dataset.local;
    } else {
      again.src = tag.dataset.local;
    }
    again.integrity = tag.integrity;
    again.crossOrigin = "anonymous";
    if (tag.dataset.probe) again.dataset.probe = tag.dataset.probe;
    return again.outerHTML;
  }

  var missing = [];
  var scriptMissing = false;
  var tags = document.querySelectorAll("link[data-local], script[data-local]");
  for (var i = 0; i < tags.length; i += 1) {
    var isScript = tags[i].tagName === "SCRIPT";
    // A script after a missing one ran without its dependency (or failed too): load it again.
    if ((isScript && scriptMissing) || !loaded(tags[i])) {
      missing.push(tags[i]);
      scriptMissing = scriptMissing || isScript;
    }
  }
  if (missing.length) document.write(missing.map(copy).join(""));

  function notice() {
    var absent = Array.prototype.filter.call(document.querySelectorAll("script[data-probe]"), function (tag) {
      return probe(tag.dataset.probe) === undefined;
    });
    if (!absent.length || document.getElementById("asset-failure")) return;
    var box = document.createElement("div");
    box.id = "asset-failure";
    box.setAttribute("role", "alert");
    box.textContent = self.dataset.missing;
    // Set through the CSSOM (allowed by the CSP): the page's own stylesheet may be the one missing.
    var style = box.style;
    style.position = "relative";
    style.zIndex = "10000";
    style.margin = "0.5rem";
    style.padding = "0.75rem 1rem";
    style.border = "2px solid #8a1c1c";
    style.background = "#fff4f4";
    style.color = "#5c0f0f";
    style.font = "1rem/1.4 system-ui, sans-serif";
    var place = document.querySelector("main") || document.body;
    place.insertBefore(box, place.firstChild);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", notice);
  } else {
    notice();
  }
})();
