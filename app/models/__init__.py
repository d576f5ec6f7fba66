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
from app.models.demand import DemandCount
from app.models.entry import Entry, EntryVersion
from app.models.import_job import ImportJob
from app.models.institution import Institution
from app.models.mail import MailMessage, Notification
from app.models.outbox import IndexTask
from app.models.policy import RuleOverride, Setting, SettingChange
from app.models.request import (
    Attachment,
    Comment,
    CredentialRequest,
    Signoff,
    TransitionRecord,
)
from app.models.synonym import SynonymGroup
from app.models.taxonomy import TaxonomyTerm
from app.models.throttle import ThrottleEvent
from app.models.token import ApiToken
from app.models.user import User

__all__ = [
    "ImportJob",
    "Activity",
    "ApiToken",
    "Attachment",
    "Comment",
    "ContentTerm",
    "Course",
    "CredentialContent",
    "CredentialRequest",
    "DemandCount",
    "Entry",
    "EntryVersion",
    "IndexTask",
    "Institution",
    "MailMessage",
    "Notification",
    "Outcome",
    "Partner",
    "RuleOverride",
    "Setting",
    "SettingChange",
    "Signoff",
    "Skill",
    "StackTarget",
    "SynonymGroup",
    "TaxonomyTerm",
    "ThrottleEvent",
    "TransitionRecord",
    "User",
]
