// A camera's details in the side panel, as the caller may see them: owner, status, retention
// ("footage from 14:00 today is kept until ..."), last verified, the footage contact on request
// (each read is logged by the server), the history, and "Edit" for those who may change it.
import { problemText } from "./api.js";
import { _, formatDate, formatDateTime, formatNumber, fromRomeInput, ngettext, romeInputValue,
  timeZoneNote } from "../i18n.js";
import { el, message } from "./panel.js";
import { attributionNode, dataLicence, directionUnknown, directionUnknownNote, licenceAttribution,
  operatorName, sourceTags } from "./source.js";

const SHOWN = ["code", "owner", "operator_name", "address", "camera_type", "surveillance_type", "status",
  "visibility", "bearing_deg", "hfov_deg", "range_m", "height_m"];

export function createDetails(ctx) {
  const { config, api, panel } = ctx;

  async function open(id) {
    const answer = await api.get(`${config.urls.cameras}/${id}`);
    if (!answer.ok || !answer.data?.properties) {
      panel.show(_("Camera"), message("error", answer.ok ? _("The server sent an empty answer.") : problemText(answer.problem)));
      return;
    }
    render(answer.data, answer.etag);
  }

  function render(feature, etag) {
    const props = feature.properties;
    const view = el("div", { class: "details", "data-view": "details", "data-camera": feature.id });
    view.append(fieldList(props));
    // An owner's camera due for its yearly re-confirmation (police only; docs/owners.md): text only.
    if (props.owner_confirmation) {
      view.append(el("p", { class: `note owner-confirmation ${props.owner_confirmation}` },
        fieldLabel("owner_confirmation"), ": ", valueLabel("owner_confirmation", props.owner_confirmation)));
    }
    if (directionUnknown(props)) view.append(directionUnknownNote());
    // fov_visible: what buildings leave of the sector (null when nothing clips it; police and admins only).
    if (props.fov_visible) {
      view.append(el("p", { class: "note fov-clipped" }, _("Field of view reduced by buildings"), ": ",
        _("the filled area is what the camera sees, the dashed outline its whole sector.")));
    }
    view.append(retention(props), actions(feature, etag));
    const tags = sourceTags(props.source_tags);
    if (tags) view.append(tags);
    panel.show(props.name || props.code, view);
  }

  function fieldList(props) {
    const list = el("dl", { class: "fields" });
    const shown = { ...props, operator_name: operatorName(props) };
    for (const name of SHOWN) {
      if (shown[name] === undefined || shown[name] === null || shown[name] === "") continue;
      list.append(el("dt", {}, fieldLabel(name)), el("dd", {}, valueLabel(name, shown[name])));
    }
    const verified = props.last_verified_on ? formatDate(props.last_verified_on) : _("never");
    list.append(el("dt", {}, fieldLabel("last_verified_on")), el("dd", {}, verified));
    const attribution = licenceAttribution(dataLicence(props), config.licences);
    if (attribution) {
      list.append(el("dt", {}, fieldLabel("licence")), el("dd", { class: "attribution" }, attributionNode(attribution)));
    }
    return list;
  }

  function fieldLabel(name) {
    return config.labels.fields[name] || name;
  }

  function valueLabel(name, value) {
    if (typeof value === "number") return formatNumber(value, 1);
    if (name === "owner") return config.ownerNames?.[value] ?? String(value); // the name, not the slug
    return config.labels[name]?.[String(value).toLowerCase()] ?? String(value);
  }

  function actions(feature, etag) {
    const box = el("div", { class: "actions" });
    const contacts = el("div", { class: "contacts" });
    box.append(
      el("button", { type: "button", class: "show-contacts", onclick: () => showContacts(feature.id, contacts) },
        _("Footage contacts")),
      el("a", { href: `${config.urls.cameraPage}${feature.id}`, class: "history-link" }, _("Card and history")),
    );
    if (ctx.canEdit(feature.properties.owner)) {
      box.append(el("button", { type: "button", class: "edit-camera", onclick: () => ctx.edit?.open(feature, etag) },
        _("Edit")));
    }
    box.append(contacts);
    return box;
  }

  async function showContacts(id, target) {
    const answer = await api.get(`${config.urls.cameras}/${id}/contacts`);
    if (!answer.ok || !answer.data) {
      target.replaceChildren(message("error", answer.ok ? _("The server sent an empty answer.") : problemText(answer.problem)));
      return;
    }
    const data = answer.data;
    const rows = [
      [_("Owner"), data.owner?.name],
      [_("Contact"), data.footage_contact_name || data.owner?.contact_name],
      [_("Phone"), data.footage_contact_phone || data.owner?.contact_phone],
      [_("E-mail"), data.footage_contact_email || data.owner?.contact_email],
      [_("PEC"), data.footage_contact_pec || data.owner?.contact_pec],
      [_("Hours"), data.footage_contact_hours],
    ].filter(([, value]) => value);
    target.replaceChildren(
      el("dl", { class: "fields" }, rows.map(([label, value]) => [el("dt", {}, label), el("dd", {}, value)])),
      el("p", { class: "note" }, _("This read is recorded in the audit log.")),
    );
  }

  return { open, render };
}

// "Footage from <time> is kept until <time>" for a time the officer chooses (now by default).
function retention(props) {
  const box = el("div", { class: "retention" });
  if (props.records === false) {
    box.append(message("warning", _("This camera does not record: there is no footage to ask for.")));
    return box;
  }
  if (!props.retention_hours) {
    box.append(message("warning", _("Retention unknown: ask the owner at once.")));
    return box;
  }
  // The input is Italian wall time, whatever the browser's zone (a PC set to UTC in a control room).
  const input = el("input", { type: "datetime-local", id: "footage-time", value: romeInputValue(new Date()),
    "aria-describedby": "footage-time-zone" });
  const output = el("p", { class: "retention-until", "aria-live": "polite" });
  const update = () => {
    const from = fromRomeInput(input.value) || new Date();
    const until = new Date(from.getTime() + props.retention_hours * 3_600_000);
    output.textContent = ngettext("Footage from %(from)s is kept until %(until)s (%(count)s hour).",
      "Footage from %(from)s is kept until %(until)s (%(count)s hours).", props.retention_hours,
      { from: formatDateTime(from), until: formatDateTime(until) });
    output.classList.toggle("expired", until < new Date());
  };
  input.addEventListener("input", update);
  update();
  box.append(el("label", { for: "footage-time" }, _("Footage recorded at")), input,
    el("p", { class: "hint", id: "footage-time-zone" }, timeZoneNote()), output);
  return box;
}
