"""The errors services raise. The web layer maps each to an HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ServiceError):
    """The object does not exist, or the caller may not know that it does."""

    status = 404


class PermissionDenied(ServiceError):
    status = 403


class Conflict(ServiceError):
    """The object changed since the caller saw it, or the action is not legal from its state."""

    status = 409


class InvalidInput(ServiceError):
    """The input breaks a rule; ``errors`` maps each field to its messages."""

    status = 422

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, **details):
        super().__init__(message, **details)
        self.errors = errors or {}
