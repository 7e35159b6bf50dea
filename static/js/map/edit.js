// Editing on the map, for editors: add a camera by clicking, drag it, turn it with the direction
// handle, set angle and range with sliders or fields while the sector follows; save through the API
// with If-Match, so an edit made meanwhile by someone else is refused, never overwritten. A fixed
// camera whose direction nobody knows is saved as such (no bearing, no sector); the operator's name
// is typed; the source's licence and tags are shown, never edited.
import { fieldMessage, problemText } from "./api.js";
import { _ } from "../i18n.js";
import { el, message } from "./panel.js";
import { bearingAndDistance, offset, sectorLatLngs } from "./sector.js";
import { attributionNode, dataLicence, directionUnknown, licenceAttribution, sourceTags } from "./source.js";

const NUMBER_FIELDS = ["bearing_deg", "hfov_deg", "range_m", "retention_hours", "height_m"];
const TEXT_FIELDS = ["name", "owner", "camera_type", "status", "visibility", "address", "operator_name"];
const DEFAULTS = { bearing_deg: 0, hfov_deg: 90, range_m: 40, camera_type: "fixed", status: "active",
  visibility: "shared", records: true, retention_hours: 168 };

export function createEditor(ctx) {
  const { map, config, api, panel } = ctx;
  const template = document.getElementById("edit-form-template");
  const drawing = L.layerGroup().addTo(map);
  let draft = null;
  let placing = false;

  document.getElementById("add-camera")?.addEventListener("click", () => {
    placing = true;
    map.getContainer().classList.add("placing-camera");
    ctx.notify("info", _("Click on the map where the camera is, or focus the map, move it with the arrow keys and press Enter to place it at the centre."));
  });
  function place(latlng) {
    placing = false;
    map.getContainer().classList.remove("placing-camera");
    openDraft(null, null, latlng, { ...DEFAULTS, owner: config.editableOwners[0]?.slug });
  }
  map.on("click", (event) => { if (placing) place(event.latlng); });
  // Without a pointer: Enter on the focused map places the camera at its centre (the cross).
  map.getContainer().addEventListener("keydown", (event) => {
    if (!placing || event.key !== "Enter" || event.target !== map.getContainer()) return;
    event.preventDefault();
    place(map.getCenter());
  });

  function open(feature, etag) {
    const [lng, lat] = feature.geometry.coordinates;
    openDraft(feature.id, etag, L.latLng(lat, lng), { ...DEFAULTS, ...feature.properties });
  }

  function openDraft(id, etag, latlng, values) {
    const form = template.content.firstElementChild.cloneNode(true);
    fillOwners(form.elements.owner);
    for (const name of [...TEXT_FIELDS, ...NUMBER_FIELDS]) {
      if (form.elements[name] && values[name] !== undefined && values[name] !== null) form.elements[name].value = values[name];
    }
    form.elements.records.checked = values.records !== false;
    form.elements.direction_unknown.checked = directionUnknown(values);
    form.querySelector("[data-source-readonly]").replaceChildren(...sourceFacts(values));
    draft = { id, etag, form, apex: L.marker(latlng, { draggable: true, keyboard: true, title: _("Camera position") }) };
    draft.handle = L.marker(latlng, { draggable: true, keyboard: true, title: _("Direction and range"),
      icon: L.divIcon({ className: "direction-handle", iconSize: [18, 18] }) });
    draft.sector = L.polygon([], { color: "#6a1b9a", weight: 2, fillOpacity: 0.2, className: "draft-sector", interactive: false });
    drawing.clearLayers();
    drawing.addLayer(draft.sector).addLayer(draft.apex).addLayer(draft.handle);
    wire(form);
    form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
    form.querySelector(".cancel").addEventListener("click", () => panel.close());
    form.dataset.view = "edit";
    panel.show(id ? _("Edit camera") : _("New camera"), form);
    updateSector();
    form.elements.name.focus();
  }

  function fillOwners(select) {
    select.replaceChildren(...config.editableOwners.map((owner) => el("option", { value: owner.slug }, owner.name)));
  }

  function wire(form) {
    for (const name of ["bearing_deg", "hfov_deg", "range_m"]) {
      const number = form.elements[name];
      const slider = form.querySelector(`input[type=range][data-for=${name}]`);
      slider.value = number.value;
      slider.addEventListener("input", () => { number.value = slider.value; updateSector(); });
      number.addEventListener("input", () => { slider.value = number.value; updateSector(); });
    }
    draft.apex.on("drag", updateSector);
    draft.handle.on("drag", () => {
      const { bearing, distance } = bearingAndDistance(draft.apex.getLatLng(), draft.handle.getLatLng());
      setValue("bearing_deg", Math.round(bearing) % 360);
      setValue("range_m", Math.min(500, Math.max(1, Math.round(distance))));
      updateSector(false);
    });
    draft.handle.on("dragend", () => updateSector());
    form.elements.direction_unknown.addEventListener("change", () => {
      // Surveyed at last: the bearing starts at north, for the handle or the field to set.
      if (!unknownDirection() && form.elements.bearing_deg.value === "") setValue("bearing_deg", 0);
      updateSector();
    });
  }

  // The licence and the source's tags, read-only: they say where the row came from.
  function sourceFacts(values) {
    const facts = [];
    const attribution = licenceAttribution(dataLicence(values), config.licences);
    if (attribution) {
      facts.push(el("dl", { class: "fields" }, el("dt", {}, config.labels.fields.licence),
        el("dd", { class: "attribution" }, attributionNode(attribution))));
    }
    const tags = sourceTags(values.source_tags);
    if (tags) facts.push(tags);
    return facts;
  }

  function unknownDirection() {
    return draft.form.elements.direction_unknown.checked;
  }

  function setValue(name, value) {
    draft.form.elements[name].value = value;
    draft.form.querySelector(`input[type=range][data-for=${name}]`).value = value;
  }

  function updateSector(moveHandle = true) {
    const { lat, lng } = draft.apex.getLatLng();
    const values = numbers();
    // Without a direction there is no sector to draw, nor a handle to turn it: the bearing waits.
    const unknown = unknownDirection();
    for (const input of draft.form.querySelectorAll("[name=bearing_deg], input[type=range][data-for=bearing_deg]")) {
      input.disabled = unknown;
    }
    if (unknown) {
      draft.sector.setLatLngs([]);
      drawing.removeLayer(draft.handle);
      return;
    }
    if (!drawing.hasLayer(draft.handle)) drawing.addLayer(draft.handle);
    draft.sector.setLatLngs(sectorLatLngs(lat, lng, values.bearing_deg || 0, values.hfov_deg || 360, values.range_m || 1));
    if (moveHandle) draft.handle.setLatLng(offset(lat, lng, values.bearing_deg || 0, values.range_m || 1));
  }

  function numbers() {
    const values = {};
    for (const name of NUMBER_FIELDS) {
      const raw = draft.form.elements[name]?.value;
      values[name] = raw === "" || raw === undefined ? null : Number(raw);
    }
    return values;
  }

  function properties() {
    const props = { ...numbers() };
    for (const name of TEXT_FIELDS) props[name] = draft.form.elements[name].value.trim() || null;
    props.records = draft.form.elements.records.checked;
    props.direction_unknown = unknownDirection();
    if (props.direction_unknown) props.bearing_deg = null;
    if (!props.records && props.retention_hours === null) delete props.retention_hours;
    return props;
  }

  async function save() {
    clearErrors();
    const { lat, lng } = draft.apex.getLatLng();
    const body = { type: "Feature", geometry: { type: "Point", coordinates: [round(lng), round(lat)] }, properties: properties() };
    const answer = draft.id
      ? await api.patch(`${config.urls.cameras}/${draft.id}`, body, draft.etag)
      : await api.post(config.urls.cameras, body);
    if (answer.ok) return saved(answer);
    if (answer.status === 412) return stale();
    showProblem(answer.problem || {});
  }

  function saved(answer) {
    const feature = answer.data;
    drawing.clearLayers();
    draft = null;
    ctx.cameras.reloadNow();
    // Saved, but the answer's body did not arrive: the panel reads the camera afresh.
    if (feature?.properties) ctx.details.render(feature, answer.etag);
    else if (feature?.id) ctx.details.open(feature.id);
    else ctx.panel.close();
    ctx.notify("success", _("Camera saved."));
  }

  function stale() {
    const box = draft.form.querySelector(".form-status");
    const reload = el("button", { type: "button", class: "reload-camera", onclick: reloadCamera }, _("Reload the camera"));
    box.replaceChildren(message("error",
      _("Someone else changed this camera while you were editing it. Your changes were not saved: reload it, then apply them again.")),
      reload);
  }

  async function reloadCamera() {
    const id = draft.id;
    const answer = await api.get(`${config.urls.cameras}/${id}`);
    if (answer.ok && answer.data?.properties) open(answer.data, answer.etag);
    else draft.form.querySelector(".form-status").replaceChildren(message("error", problemText(answer.problem)));
  }

  function showProblem(problem) {
    const general = [];
    for (const issue of problem.errors || []) {
      const name = (issue.pointer || "").split("/").pop();
      const target = draft.form.querySelector(`[data-error-for="${name}"]`);
      if (target) {
        target.textContent = fieldMessage(issue);
        draft.form.elements[name]?.setAttribute("aria-invalid", "true");
      } else general.push(`${name}: ${fieldMessage(issue)}`);
    }
    const box = draft.form.querySelector(".form-status");
    box.replaceChildren(message("error", [problemText(problem), ...general].join(" — ")));
  }

  function clearErrors() {
    for (const node of draft.form.querySelectorAll("[data-error-for]")) node.textContent = "";
    for (const node of draft.form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    draft.form.querySelector(".form-status").replaceChildren();
  }

  panel.element.addEventListener("panel:closed", () => { drawing.clearLayers(); draft = null; });
  return { open };
}

function round(value) {
  return Number(value.toFixed(7));
}
