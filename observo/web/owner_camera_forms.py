"""The owner's camera form (docs/owners.md, "Registering cameras"): the page's text fields turned
into the input of schemas/owner_declaration.py, which alone decides what is valid, and its errors
turned back into one message per field in the page's language.

No WTForms fields: the schema is the one validator (the API will use it too), so the form only
carries the typed text back to the page. The CSRF token is checked by CSRFProtect on every POST.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from marshmallow import ValidationError

from observo.errors import FieldIssue
from observo.http.i18n import lazy_gettext as _l
from observo.schemas.owner_declaration import OwnerCameraDeclaration, outside_extent

# The form's fields, in page order; each input's `name` and `id` (docs: owners/camera_form.html).
NUMBERS = ("longitude", "latitude", "bearing_deg", "hfov_deg", "range_m", "height_m", "tilt_deg")
INTEGERS = ("retention_hours",)
TEXTS = (
    "name",
    "camera_type",
    "footage_contact_name",
    "footage_contact_phone",
    "footage_contact_email",
    "footage_contact_pec",
    "footage_contact_hours",
    "police_visibility",
)
CHECKBOXES = ("indoor", "contact_consent")  # checked: "yes"
YES_NO = ("records",)  # a radio pair: "yes" or "no"; neither chosen: not answered
FIELDS = (*NUMBERS, *INTEGERS, *TEXTS, *CHECKBOXES, *YES_NO)

_MISSING = "Missing data for required field."  # marshmallow's message for a required field

# What each field needs, said once: shown whatever the schema found wrong with it.
INVALID: Mapping[str, LazyString] = {
    "longitude": _l("Click the map where the camera is, or write its longitude (e.g. 7.6869)."),
    "latitude": _l("Click the map where the camera is, or write its latitude (e.g. 45.0703)."),
    "name": _l("Say what the camera films, e.g. Shop entrance (at most 200 characters)."),
    "camera_type": _l("Choose the type of camera."),
    "bearing_deg": _l("A direction from 0 to 359 degrees: 0 north, 90 east, 180 south, 270 west."),
    "hfov_deg": _l("An angle from 1 to 360 degrees."),
    "range_m": _l("A distance from 1 to 500 metres."),
    "height_m": _l("A height from 0 to 300 metres."),
    "tilt_deg": _l("A tilt from -90 to 90 degrees below the horizontal."),
    "records": _l("Say whether the camera records."),
    "retention_hours": _l("A whole number of hours from 1 to 8760 (a year)."),
    "footage_contact_name": _l("At most 200 characters."),
    "footage_contact_phone": _l("At most 40 characters."),
    "footage_contact_email": _l("Write an e-mail address, e.g. name@example.it."),
    "footage_contact_pec": _l("Write an e-mail address, e.g. name@pec.example.it."),
    "footage_contact_hours": _l("At most 200 characters."),
    "contact_consent": _l("Tick the box or leave it empty."),
    "police_visibility": _l("Choose which police may see the camera."),
}
# When the field is missing although the rest of the form needs it.
REQUIRED: Mapping[str, LazyString] = {
    "bearing_deg": _l(
        "Give the direction the camera looks in (0 north, 90 east), or an angle of 360 for a camera "
        "that sees all round."
    ),
    "retention_hours": _l("A camera that records keeps its footage for some hours: say how many."),
}
OUTSIDE = _l("This position is outside the area the registry covers.")


@dataclass
class DeclarationForm:
    """The typed text of each field (`values`) and its messages (`errors`), as the page shows them."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_request(cls, form: Mapping[str, str]) -> DeclarationForm:
        return cls({name: str(form.get(name, "")).strip() for name in FIELDS})

    @classmethod
    def from_declared(cls, declared: Mapping[str, Any]) -> DeclarationForm:
        """The form of a declaration or camera already stored (schema terms)."""
        values = {}
        for name in FIELDS:
            value = declared.get(name)
            if name in CHECKBOXES:
                values[name] = "yes" if value else ""
            elif name in YES_NO:
                values[name] = "" if value is None else "yes" if value else "no"
            elif isinstance(value, float):
                values[name] = _number_text(value)
            else:
                values[name] = "" if value is None else str(value)
        return cls(values)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def validate(self, extent: tuple[float, float, float, float]) -> dict[str, Any] | None:
        """The declaration as the schema loads it, or None with `errors` filled in."""
        try:
            declared: dict[str, Any] = OwnerCameraDeclaration().load(self.schema_input())
        except ValidationError as error:
            self.errors = _messages(error.messages)
            return None
        if outside_extent(declared, extent):
            self.errors = {"longitude": [str(OUTSIDE)], "latitude": [str(OUTSIDE)]}
            return None
        return declared

    def schema_input(self) -> dict[str, Any]:
        """Empty fields are left out (the schema's defaults apply); numbers may use a decimal comma."""
        data: dict[str, Any] = {}
        for name in FIELDS:
            text = self.value(name)
            if name in CHECKBOXES:
                data[name] = text == "yes"
            elif not text:
                continue
            elif name in YES_NO:
                data[name] = {"yes": True, "no": False}.get(text, text)
            elif name in NUMBERS:
                data[name] = _number(text)
            elif name in INTEGERS:
                data[name] = int(text) if text.isdigit() and text.isascii() else text
            else:
                data[name] = text
        return data


def _number(text: str) -> float | str:
    """A float from '12,5' or '12.5'; the text itself when it is not a number (the schema says so)."""
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        number = float(candidate)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _messages(messages: Any) -> dict[str, list[str]]:
    """One message per field in the page's language, from the schema's (English) messages."""
    found: dict[str, list[str]] = {}
    if not isinstance(messages, dict):
        return {"name": [str(INVALID["name"])]}
    for name, problems in messages.items():
        if name not in INVALID:
            continue
        listed = problems if isinstance(problems, list) else [problems]
        missing = any(
            (isinstance(problem, FieldIssue) and problem.code == "required") or problem == _MISSING
            for problem in listed
        )
        found[name] = [str(REQUIRED[name] if missing and name in REQUIRED else INVALID[name])]
    return found
