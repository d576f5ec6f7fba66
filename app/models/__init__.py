"""Typed SQLAlchemy models, one module per aggregate. No business rules live here."""

from app.models.content import (
    Activity,
    ContentTerm,
    Course,
    CredentialContent,
    Outcome,
    Partner,
    Skill,
    StackTarget,
)
from app.models.entry import Entry, EntryVersion
from app.models.institution import Institution
from app.models.mail import MailMessage
from app.models.outbox import IndexTask
from app.models.policy import RuleOverride, Setting
from app.models.request import Comment, CredentialRequest, TransitionRecord
from app.models.taxonomy import TaxonomyTerm
from app.models.throttle import ThrottleEvent
from app.models.token import ApiToken
from app.models.user import User

__all__ = [
    "Activity",
    "ApiToken",
    "Comment",
    "ContentTerm",
    "Course",
    "CredentialContent",
    "CredentialRequest",
    "Entry",
    "EntryVersion",
    "IndexTask",
    "Institution",
    "MailMessage",
    "Outcome",
    "Partner",
    "RuleOverride",
    "Setting",
    "Skill",
    "StackTarget",
    "TaxonomyTerm",
    "ThrottleEvent",
    "TransitionRecord",
    "User",
]
