"""Forms of the account pages: sign in, passwords, API tokens. No database writes here."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.services.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

_PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters, not a common password. "
    "A few unrelated words work well."
)


def _new_password_field() -> PasswordField:
    return PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(
                min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."
            ),
            Length(
                max=MAX_PASSWORD_LENGTH, message=f"Use at most {MAX_PASSWORD_LENGTH} characters."
            ),
        ],
        description=_PASSWORD_HINT,
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field(other: str) -> PasswordField:
    return PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo(other, "The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter your e-mail address.")],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST."""


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field()
    confirm = _confirm_field("new_password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter your e-mail address.")],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class ResetPasswordForm(FlaskForm):
    password = _new_password_field()
    confirm = _confirm_field("password")


class CreateTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[
            DataRequired("Give the token a name."),
            Length(max=100, message="Use at most 100 characters."),
        ],
        description="What the token is for, for example “Nightly catalog sync”.",
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: the token to revoke is named in the URL."""
