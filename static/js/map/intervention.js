// An intervention on the map (`?intervention=<id>`): its targets outlined with their coverage, the
// gaps, the suggested patrol positions, the involved cameras' sectors, and the cameras ringed by what
// needs doing (a footage preservation request pending, no recording or unknown retention). The panel
// lists the cameras by footage expiry, soonest first. Also: a new draft intervention from a query.
import { fieldMessage, problemText } from "./api.js";
import { draw as drawCoverage, formatPercent, suggestionLayer } from "./coverage.js";
import { _, formatDateTime, fromRomeInput, ngettext, romeInputValue, timeZoneNote } from "../i18n.js";
import { el, message } from "./panel.js";
import { offset } from "./sector.js";
import { writeIntervention } from "./state.js";

const CIRCLE_STEPS = 64; // a drawn circle becomes a polygon of this many sides for a target
const WINDOW_HOURS = 4; // the default window of a new intervention, from the next full hour

const KIND_LABELS = {
  proximity_patrol: () => _("Proximity patrol"),
  mobile_office: () => _("Mobile office"),
  event: () => _("Event"),
  investigation: () => _("Investigation"),
  other: () => _("Other"),
};
// The same labels as the intervention's pages (observo/web/brief.py).
const STATUS_LABELS = {
  draft: () => _("Draft"), planned: () => _("Scheduled"), active: () => _("Under way"), closed: () => _("Closed"),
};
const FLAG_LABELS = {
  not_recording: () => _("Does not record"),
  retention_unknown: () => _("Retention unknown"),
};
const PRESERVATION_LABELS = {
  pending: () => _("Footage preservation request pending"),
  preserved: () => _("Footage preserved"),
  refused: () => _("Preservation refused"),
  expired: () => _("Preservation request expired"),
};

export function createInterventionView(ctx) {
  const { map, config, api, panel } = ctx;
  const layers = L.featureGroup().addTo(map);
  const cameraRings = new Map(); // camera id -> its ring on the map
  let current = null; // {id, item, features, live}: the intervention shown
  const control = addControl(map, () => current && showPanel(), () => close());

  let loading = null; // the open() in flight: a newer one aborts it

  async function open(id, { fit = true } = {}) {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    const base = `${config.urls.interventions}/${id}`;
    let item;
    let features;
    try {
      [item, features] = await Promise.all([api.get(base, { signal: controller.signal }),
        api.get(`${base}/map`, { signal: controller.signal })]);
    } catch (error) {
      if (error.name === "AbortError") return false; // another intervention was asked for meanwhile
      throw error;
    }
    if (loading === controller) loading = null;
    const failed = [item, features].find((answer) => !answer.ok);
    if (failed || !item.data || !features.data) {
      // An empty answer (a load cut short by the network) is said as such, not read as data.
      panel.show(_("Intervention"), message("error", failed ? problemText(failed.problem)
        : _("The server sent an empty answer.")));
      return false;
    }
    const usable = (features.data.features || []).filter((feature) => feature?.geometry && feature.properties);
    current = { id, item: item.data, features: usable, live: Boolean(features.data.live) };
    writeIntervention(id);
    drawAll(current.features);
    showPanel();
    map.invalidateSize(); // the panel narrowed the map: fit the targets into what is left of it
    const targets = current.features.filter((feature) => feature.properties?.layer === "target");
    // Fit the targets (not every sector around them), leaving room for their centred labels.
    if (fit && targets.length) map.fitBounds(L.geoJSON(targets).getBounds(), { padding: [170, 60], maxZoom: 18 });
    control.show(current.item.title);
    document.body.dataset.intervention = String(id);
    return true;
  }

  function close() {
    current = null;
    layers.clearLayers();
    cameraRings.clear();
    control.hide();
    writeIntervention(null);
    delete document.body.dataset.intervention;
    if (panel.element.dataset.view === "intervention") panel.close();
  }

  function drawAll(features) {
    layers.clearLayers();
    cameraRings.clear();
    const byLayer = (name) => features.filter((feature) => feature.properties?.layer === name);
    // A sector obstacles clip is only outlined (dashed): the filled shape is what the camera sees.
    for (const feature of byLayer("fov")) layers.addLayer(L.geoJSON(feature, { interactive: false,
      style: () => (feature.properties.clipped
        ? { className: "intervention-fov-sector", color: "#0b3d91", weight: 1, dashArray: "4 4", fillOpacity: 0.03 }
        : { className: "intervention-fov", color: "#0b3d91", weight: 1, fillOpacity: 0.12 }) }));
    for (const feature of byLayer("visible")) layers.addLayer(L.geoJSON(feature, { interactive: false,
      style: () => ({ className: "intervention-fov intervention-visible", color: "#0b3d91", weight: 1,
        fillOpacity: 0.18 }) }));
    drawCoverage({ gaps: { features: byLayer("gap") } }, layers);
    for (const feature of byLayer("suggestion")) {
      layers.addLayer(suggestionLayer({ ...feature.properties, geometry: feature.geometry }));
    }
    for (const feature of byLayer("target")) layers.addLayer(targetLayer(feature));
    for (const feature of byLayer("camera")) {
      const ring = cameraRing(feature);
      cameraRings.set(feature.properties.id, ring);
      layers.addLayer(ring);
    }
  }

  function targetLayer(feature) {
    const props = feature.properties;
    const layer = L.geoJSON(feature, { style: () => ({ className: "intervention-target", color: "#6a1b9a",
      weight: 4, fill: false }) });
    const label = [props.name, props.ratio === undefined || props.ratio === null ? null
      : _("%(percent)s covered", { percent: formatPercent(props.ratio) })].filter(Boolean).join(" — ");
    // An element, never a string: Leaflet renders string content as HTML (docs/security.md).
    layer.bindTooltip(el("span", {}, label), { permanent: true, direction: "center", className: "intervention-target-label" });
    return layer;
  }

  function cameraRing(feature) {
    const props = feature.properties;
    const [lng, lat] = feature.geometry.coordinates;
    const pending = props.preservation === "pending";
    const classes = ["intervention-camera", pending && "intervention-pending", props.flag && "intervention-flagged",
      props.flag && `intervention-flag-${props.flag}`].filter(Boolean).join(" ");
    const ring = L.circleMarker([lat, lng], {
      className: classes, radius: pending ? 21 : 18, weight: pending ? 5 : 3, fill: true, fillOpacity: 0,
      color: pending ? "#e8710a" : props.flag ? "#5f6368" : "#0b3d91", dashArray: props.flag ? "4 4" : null,
    });
    ring.bindPopup(() => cameraPopup(feature));
    return ring;
  }

  function cameraPopup(feature) {
    const props = feature.properties;
    const id = props.id;
    return el("div", { class: "intervention-popup" },
      el("p", {}, el("strong", {}, props.name || props.code), " ", props.code && props.name ? `(${props.code})` : ""),
      props.flag ? message("warning", FLAG_LABELS[props.flag]?.() ?? props.flag) : el("p", {}, expiryText(props)),
      props.preservation ? el("p", { class: `preservation preservation-${props.preservation}` },
        PRESERVATION_LABELS[props.preservation]?.() ?? props.preservation) : null,
      el("button", { type: "button", class: "link", onclick: () => ctx.details.open(id) }, _("Camera details")));
  }

  function showPanel() {
    const { item, features } = current;
    const view = el("div", { class: "intervention-view", "data-view": "intervention", "data-intervention": current.id });
    view.append(
      facts(item, current.live),
      targetList(item, features),
      cameraList(features),
      el("div", { class: "buttons intervention-links" },
        el("a", { href: `${config.urls.interventionPage}${current.id}`, class: "intervention-page-link" },
          _("Open the intervention")),
        el("a", { href: `${config.urls.interventions}/${current.id}/brief?lang=${config.lang}`, class: "intervention-brief-link",
          target: "_blank", rel: "noopener" }, _("Brief")),
        el("button", { type: "button", class: "intervention-close", onclick: close }, _("Close the intervention view"))),
    );
    panel.show(item.title, view);
  }

  function facts(item, live) {
    const rows = [
      [_("Status"), STATUS_LABELS[item.status]?.() ?? item.status],
      [_("Kind"), KIND_LABELS[item.kind]?.() ?? item.kind],
      [_("Window"), windowText(item.window) && `${windowText(item.window)} (${timeZoneNote()})`],
      [_("Lead"), item.lead],
      [_("Protocol number"), item.protocol_number],
    ].filter(([, value]) => value);
    const list = el("dl", { class: "fields" }, rows.map(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]));
    const note = live ? message("info", _("Not confirmed yet: the figures are computed now, not stored.")) : null;
    return el("div", {}, list, note);
  }

  function targetList(item, features) {
    const summaries = new Map((item.summary?.targets || []).map((target) => [target.id, target]));
    const targets = features.filter((feature) => feature.properties?.layer === "target");
    return el("div", { class: "intervention-targets" },
      el("h3", {}, _("Targets")),
      el("ol", { class: "result-list" }, targets.map((feature) => {
        const props = feature.properties;
        const summary = summaries.get(props.target_id) || {};
        const ratio = props.ratio ?? summary.ratio;
        const meta = [ratio === undefined || ratio === null ? null : _("%(percent)s covered", { percent: formatPercent(ratio) }),
          summary.gaps === undefined ? null
            : ngettext("%(count)s gap", "%(count)s gaps", summary.gaps)].filter(Boolean).join(" · ");
        return el("li", {},
          el("button", { type: "button", class: "link", onclick: () => map.fitBounds(L.geoJSON(feature).getBounds(),
            { padding: [30, 30], maxZoom: 18 }) }, props.name),
          " ", el("span", { class: "meta" }, meta));
      })));
  }

  function cameraList(features) {
    const cameras = features.filter((feature) => feature.properties?.layer === "camera").sort(byExpiry);
    if (!cameras.length) return message("warning", _("No camera watches the targets."));
    return el("div", { class: "intervention-cameras" },
      el("h3", {}, _("Cameras by footage expiry (%(count)s)", { count: cameras.length })),
      el("p", { class: "note" }, _("Times in %(zone)s.", { zone: timeZoneNote() })),
      el("ol", { class: "result-list" }, cameras.map((feature) => {
        const props = feature.properties;
        const id = props.id;
        const badges = [
          props.preservation === "pending" ? el("span", { class: "badge badge-pending" }, _("Footage preservation request pending")) : null,
          props.flag ? el("span", { class: "badge badge-flag" }, FLAG_LABELS[props.flag]?.() ?? props.flag) : null,
        ];
        return el("li", { "data-camera": id, class: props.preservation === "pending" ? "pending" : null },
          el("button", { type: "button", class: "link", onclick: () => focusCamera(feature) }, props.name || props.code),
          " ", el("span", { class: "meta" }, [config.ownerNames?.[props.owner] ?? props.owner,
            props.flag ? null : expiryText(props)].filter(Boolean).join(" · ")),
          " ", badges);
      })));
  }

  function focusCamera(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    map.setView([lat, lng], Math.max(map.getZoom(), 17));
    cameraRings.get(feature.properties.id)?.openPopup();
  }

  // "Add to an intervention" for the results of an area, circle or route query.
  function addButton(body) {
    return el("button", { type: "button", class: "add-to-intervention", onclick: () => createFromQuery(body) },
      _("Add to an intervention"));
  }

  async function createFromQuery(body) {
    const dialog = interventionDialog();
    const form = dialog.querySelector("form");
    prefill(form, body);
    dialog.showModal();
    form.elements.title.focus();
    form.onsubmit = async (event) => {
      if (event.submitter?.value === "cancel") return;
      event.preventDefault();
      clearErrors(form);
      const chosen = form.elements.existing.value;
      const answer = chosen ? await addTarget(chosen, form, body)
        : await api.post(config.urls.interventions, interventionBody(form, body));
      if (!answer.ok) return showProblem(form, answer.status === 412 ? staleProblem() : answer.problem);
      dialog.close();
      ctx.notify("success", chosen ? _("Target added to the intervention.") : _("Intervention created as a draft."));
      await open(answer.data.id, { fit: false });
    };
    await listExisting(form);
  }

  // The interventions the query's shape could join (not closed ones); the server says who may change them.
  async function listExisting(form) {
    const answer = await api.get(config.urls.interventions);
    const select = form.elements.existing;
    const choices = answer.ok && Array.isArray(answer.data) ? answer.data.filter((item) => item.status !== "closed") : [];
    select.replaceChildren(el("option", { value: "" }, _("A new intervention")),
      ...choices.map((item) => el("option", { value: item.id }, item.title)));
    select.disabled = !choices.length;
  }

  // PATCH replaces the list of targets: the current ones (at the version read) plus the drawn one.
  async function addTarget(id, form, body) {
    const url = `${config.urls.interventions}/${id}`;
    const item = await api.get(url);
    if (!item.ok) return item;
    if (!item.data) return { ok: false, problem: { title: _("The server sent an empty answer.") } };
    const targets = item.data.targets.map(({ name, geometry, buffer_m }) => ({ name, geometry, buffer_m }));
    targets.push({ name: form.elements.target_name.value.trim(), ...targetShape(body) });
    return api.patch(url, { targets }, item.etag);
  }

  return { open, close, addButton, current: () => current, rings: () => cameraRings.size, layers };
}

// The dialog of a new intervention, made once (the page template stays the query tools').
function interventionDialog() {
  const made = document.getElementById("intervention-dialog");
  if (made) return made;
  const field = (id, label, input) => [el("label", { for: id }, label), input,
    el("p", { class: "field-error", "data-error-for": input.name })];
  const kinds = el("select", { id: "i-kind", name: "kind" },
    Object.entries(KIND_LABELS).map(([value, label]) => el("option", { value }, label())));
  const existing = el("select", { id: "i-existing", name: "existing", onchange: () => {
    dialog.querySelector(".new-only").hidden = Boolean(existing.value);
  } });
  const dialog = el("dialog", { id: "intervention-dialog", "aria-labelledby": "intervention-dialog-title" },
    el("form", { method: "dialog", class: "intervention-form", novalidate: true },
      el("h2", { id: "intervention-dialog-title" }, _("Add this query's shape to an intervention")),
      el("div", { class: "form-status", "aria-live": "assertive" }),
      field("i-existing", _("Intervention"), existing),
      el("div", { class: "new-only" },
        field("i-title", _("Title"), el("input", { id: "i-title", name: "title", required: true, maxlength: "200" })),
        field("i-kind", _("Kind"), kinds),
        field("i-start", _("Start of the window"), el("input", { id: "i-start", name: "window_start", type: "datetime-local", required: true })),
        field("i-end", _("End of the window"), el("input", { id: "i-end", name: "window_end", type: "datetime-local", required: true })),
        el("p", { class: "hint" }, timeZoneNote()),
        field("i-reason", _("Reason"), el("input", { id: "i-reason", name: "reason", required: true, maxlength: "500" }))),
      field("i-target", _("Name of the target place"), el("input", { id: "i-target", name: "target_name", required: true, maxlength: "200" })),
      el("div", { class: "buttons" },
        el("button", { type: "submit", value: "create", class: "create-intervention" }, _("Save")),
        el("button", { type: "submit", value: "cancel", formnovalidate: true }, _("Cancel")))));
  document.body.append(dialog);
  return dialog;
}

function prefill(form, body) {
  const start = new Date(Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000); // the next full hour
  const end = new Date(start.getTime() + WINDOW_HOURS * 3_600_000);
  form.reset();
  clearErrors(form);
  form.querySelector(".new-only").hidden = false;
  form.elements.kind.value = "proximity_patrol";
  form.elements.window_start.value = romeInputValue(start);
  form.elements.window_end.value = romeInputValue(end);
  form.elements.reason.value = body.reason || "";
}

function interventionBody(form, body) {
  const value = (name) => form.elements[name].value.trim();
  const instant = (name) => fromRomeInput(value(name))?.toISOString() ?? null; // Italian wall time
  return {
    title: value("title"), kind: value("kind"), reason: value("reason"),
    window: { start: instant("window_start"), end: instant("window_end") },
    targets: [{ name: value("target_name"), ...targetShape(body) }],
  };
}

// A target is an area or a route: a drawn circle (a point and its radius) becomes a polygon.
export function targetShape(body) {
  const { geometry, buffer_m: buffer } = body;
  if (geometry.type !== "Point") return { geometry, buffer_m: geometry.type === "LineString" ? buffer : 0 };
  const [lng, lat] = geometry.coordinates;
  const ring = [];
  for (let step = 0; step < CIRCLE_STEPS; step += 1) {
    const [pLat, pLng] = offset(lat, lng, (360 * step) / CIRCLE_STEPS, buffer);
    ring.push([Number(pLng.toFixed(7)), Number(pLat.toFixed(7))]);
  }
  ring.push(ring[0]);
  return { geometry: { type: "Polygon", coordinates: [ring] }, buffer_m: 0 };
}

function staleProblem() {
  return { title: _("The intervention was changed meanwhile: try again.") };
}

const FORM_FIELDS = { window: "window_start", targets: "target_name", name: "target_name" };

function showProblem(form, problem) {
  const general = [];
  for (const issue of problem.errors || []) {
    const parts = (issue.pointer || "").split("/").filter(Boolean);
    const name = parts.find((part) => form.elements[part]) || FORM_FIELDS[parts.at(-1)] || FORM_FIELDS[parts[0]];
    const target = name && form.querySelector(`[data-error-for="${name}"]`);
    if (target) {
      target.textContent = fieldMessage(issue);
      form.elements[name].setAttribute("aria-invalid", "true");
    } else general.push(`${parts.join("/")}: ${fieldMessage(issue)}`);
  }
  form.querySelector(".form-status").replaceChildren(message("error", [problemText(problem), ...general].join(" — ")));
}

function clearErrors(form) {
  for (const node of form.querySelectorAll("[data-error-for]")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  form.querySelector(".form-status").replaceChildren();
}

// A map control while an intervention is shown: its title reopens the panel, × closes the view.
function addControl(map, reopen, close) {
  let box = null;
  let title = null;
  const Control = L.Control.extend({
    options: { position: "topright" },
    onAdd() {
      title = el("button", { type: "button", class: "intervention-reopen", onclick: reopen });
      box = el("div", { class: "intervention-control leaflet-bar", hidden: true }, title,
        el("button", { type: "button", class: "intervention-control-close", "aria-label": _("Close the intervention view"),
          title: _("Close the intervention view"), onclick: close }, "×"));
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  new Control().addTo(map);
  return {
    show(text) { title.textContent = _("Intervention: %(title)s", { title: text }); box.hidden = false; },
    hide() { box.hidden = true; },
  };
}

function windowText(span) {
  if (!span?.start) return "";
  return `${formatDateTime(new Date(span.start))} – ${span.end ? formatDateTime(new Date(span.end)) : ""}`;
}

function expiryText(props) {
  if (props.footage_expires_at) {
    const until = new Date(props.footage_expires_at);
    return until < new Date()
      ? _("Footage overwritten since %(time)s", { time: formatDateTime(until) })
      : _("Footage kept until %(time)s", { time: formatDateTime(until) });
  }
  return _("Footage expiry unknown");
}

function byExpiry(a, b) {
  const at = (feature) => (feature.properties.footage_expires_at ? Date.parse(feature.properties.footage_expires_at) : Infinity);
  return at(a) - at(b);
}

