"""The owners' forms (docs/owners.md): every field checked on the server, each message next to its
field in the page's language. CSRF comes with FlaskForm, as on the police sign-in form."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from observo.domain.credentials import MIN_PASSWORD_LENGTH
from observo.domain.tax_codes import normalise_tax_code, tax_code_problem
from observo.http.i18n import lazy_gettext
from observo.services.owners import SignUp

_REQUIRED = lazy_gettext("Fill in this field.")
_EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s.]+$", message=lazy_gettext("Write an e-mail address, e.g. name@example.it.")
)
_TOO_LONG = lazy_gettext("Too long: at most %(max)d characters.")
_PHONE = Regexp(
    r"^\+?[0-9][0-9 ./()-]{5,38}$", message=lazy_gettext("Write a phone number, e.g. 011 123 4567.")
)
# English messages of domain/tax_codes.py and what the page says instead.
_TAX_CODE_MESSAGES = {
    "the check letter does not match": lazy_gettext("This codice fiscale is not valid: check it for typos."),
    "the check digit does not match": lazy_gettext("This VAT number is not valid: check it for typos."),
}
_TAX_CODE_SHAPE = lazy_gettext("Write a codice fiscale (16 characters) or a VAT number (11 digits).")


def _required(maximum: int) -> list[Any]:
    return [DataRequired(message=_REQUIRED), Length(max=maximum, message=_TOO_LONG)]


def _new_password() -> list[Any]:
    """A new password's rules, the same at sign-up and at a reset."""
    return [
        DataRequired(message=_REQUIRED),
        Length(
            min=MIN_PASSWORD_LENGTH,
            max=1024,
            message=lazy_gettext("The password needs %(min)d to %(max)d characters."),
        ),
    ]


def _password_again() -> list[Any]:
    return [
        DataRequired(message=_REQUIRED),
        EqualTo("password", message=lazy_gettext("The two passwords differ.")),
    ]


class SignUpForm(FlaskForm):
    organisation_name = StringField(validators=_required(200))
    tax_code = StringField(validators=_required(20))
    address = StringField(validators=_required(300))
    contact_name = StringField(validators=_required(200))
    phone = StringField(validators=[*_required(40), _PHONE])
    pec = EmailField(validators=[*_required(254), _EMAIL])
    email = EmailField(validators=[*_required(254), _EMAIL])
    password = PasswordField(validators=_new_password())
    password_again = PasswordField(validators=_password_again())

    def validate_tax_code(self, field: StringField) -> None:
        problem = tax_code_problem(normalise_tax_code(field.data or ""))
        if problem is not None:
            raise ValidationError(_TAX_CODE_MESSAGES.get(problem, _TAX_CODE_SHAPE))

    def signup(self) -> SignUp:
        return SignUp(
            organisation_name=_text(self.organisation_name.data),
            tax_code=self.tax_code.data or "",
            address=_text(self.address.data),
            contact_name=_text(self.contact_name.data),
            phone=_text(self.phone.data),
            pec=self.pec.data or "",
            email=self.email.data or "",
            password=self.password.data or "",
        )


class ResendForm(FlaskForm):
    email = EmailField(validators=[*_required(254), _EMAIL])


class NewPasswordForm(FlaskForm):
    """The new password of a reset link, twice, with the sign-up's rules."""

    password = PasswordField(validators=_new_password())
    password_again = PasswordField(validators=_password_again())


class OwnerSignInForm(FlaskForm):
    email = EmailField(validators=_required(254))
    password = PasswordField(validators=[DataRequired(message=_REQUIRED), Length(max=1024)])


def _text(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip()
