"""The request workflow: its states and the table of legal transitions.

Pure Python: nothing here knows Flask or the database. The services in
``app.services.workflow`` apply these rules; views and templates only ask them.
"""

from app.workflow.states import (
    TRANSITIONS,
    Action,
    RequestState,
    Transition,
    transition_for,
)

__all__ = ["TRANSITIONS", "Action", "RequestState", "Transition", "transition_for"]
