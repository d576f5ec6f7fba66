"""Flask-Login's loaders: a session names the user's session token, not their id; the JSON API
also accepts a personal API token, sent as ``Authorization: Bearer <token>``."""

from __future__ import annotations

from flask import Request, flash, redirect, request, url_for

from app.extensions import db, login_manager
from app.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    if _is_api(request) and bearer_token(request) is not None:
        # On the API a token, when sent, decides who is asking, whatever the session says.
        return None
    user = db.session.scalar(db.select(User).filter_by(session_token=token))
    if user is None or not user.active:
        return None
    return user


def _is_api(req: Request) -> bool:
    return req.path.startswith("/api/")


def bearer_token(req: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, value = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@login_manager.request_loader
def load_user_from_token(req: Request) -> User | None:
    # Tokens are for the JSON API only: the pages, with their forms, need a signed-in session.
    if not _is_api(req):
        return None
    token = bearer_token(req)
    if token is None:
        return None
    from app.services import accounts

    return accounts.authenticate_token(token, address=req.remote_addr)


def unauthorized_json(message: str):
    from app.errors import error_response

    response, status = error_response(401, "Unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response, status


@login_manager.unauthorized_handler
def unauthorized():
    """The API answers 401 in JSON; a page sends the visitor to sign in and come back."""
    if _is_api(request):
        return unauthorized_json(
            "Sign in, or send a personal API token as `Authorization: Bearer <token>`."
        )
    flash(login_manager.login_message, login_manager.login_message_category)
    target = request.full_path if request.query_string else request.path
    return redirect(url_for(login_manager.login_view, next=target))
