"""Forms of the account administration page. No database writes here; the choices of
institutions are filled in by the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.enums import Role

ROLE_CHOICES = [(r.value, r.label) for r in Role]
NO_INSTITUTION = ("", "— None (not a liaison) —")


def institution_choices(institutions) -> list[tuple[str, str]]:
    return [NO_INSTITUTION] + [(i.code, i.name) for i in institutions]


class InviteForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter an e-mail address."),
            Email("Enter an e-mail address like name@example.edu.", check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the person's name."), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.LIAISON.value)
    institution = SelectField(
        "Institution", choices=[], description="Required for a liaison; ignored for other roles."
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    institution = SelectField("Institution", choices=[])


class ActiveForm(FlaskForm):
    """Disable or enable an account; ``active`` is the state asked for ("1" or "0")."""

    active = HiddenField(validators=[DataRequired()])
