"""Schemathesis reads the OpenAPI document the site serves and calls every operation in it with
generated input, valid and invalid, anonymously and with a liaison's API token: no answer is a
server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from app.services import accounts, unit, workflow
from tests import factories

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(params=["anonymous", "liaison"])
def identity(request, app, index, make_user):
    """A few published entries and a liaison's draft; the headers of who calls: nobody, or the
    liaison with an API token."""
    factories.publish(title="Applied Cybersecurity Foundations")
    factories.publish(title="Precision Agriculture Technician", institution="TCC")
    liaison = make_user("liaison@okstate.example.edu", role="liaison")
    workflow.create_request(liaison, "endorsement", {"title": "Drone Survey Basics"})
    _token, raw = accounts.create_token(liaison, "schemathesis")
    unit.commit()
    return {} if request.param == "anonymous" else {"Authorization": f"Bearer {raw}"}


# The search's five other formats read their parameters exactly as /api/v1/credentials does:
# only that one gets Schemathesis's coverage phase (some 300 boundary cases); the others get
# the generated examples. With a token, only the operations that need one are called again.
SEARCH_FORMATS = "^/(search\\.|api/v1/credentials\\.jsonl|api/v1/ctdl)"
PUBLIC = "^/(?!api/v1/requests)"


@pytest.fixture
def api_schema(app, identity):
    """The OpenAPI document as the site serves it."""
    no_coverage = {"coverage": {"enabled": False}}
    operations = [{"include-path-regex": SEARCH_FORMATS, "phases": no_coverage}]
    if identity:
        operations.append({"include-path-regex": PUBLIC, "enabled": False})
    config = schemathesis.Config.from_dict({"operations": operations})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    # The examples of one operation share the test's app and rolled-back transaction.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_gives_a_server_error(case, identity):
    case.call_and_validate(headers=identity, checks=[not_a_server_error])
