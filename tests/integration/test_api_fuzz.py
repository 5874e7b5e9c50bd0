"""API fuzzing with schemathesis against a real server: for every operation of the served
OpenAPI document, generated requests (valid and invalid) as a signed-in user. Nothing may
answer 5xx, and every documented response must match its schema and content type.

Budget: FUZZ_EXAMPLES requests per operation (hypothesis shrinks a failure to a small case)."""

from __future__ import annotations

import secrets

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from tests.conftest import TEST_SETTINGS
from tests.helpers import PASSWORD
from tipchat.app import create_app
from tipchat.config import Settings

FUZZ_EXAMPLES = 30
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(**TEST_SETTINGS)).openapi())


@pytest.fixture
def token(server) -> str:
    """A signed-in user with a room, so that some generated ids hit real rows."""
    with httpx.Client(base_url=server.base_url) as http:
        r = http.post("/api/auth/register", json={"username": "fuzzer", "password": PASSWORD})
        access: str = r.json()["access_token"]
        http.post(
            "/api/rooms",
            json={"name": "fuzz", "kind": "public"},
            headers={"authorization": f"Bearer {access}"},
        )
    return access


@SCHEMA.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_gets_a_5xx_or_an_answer_outside_the_schema(case, server, token):
    response = case.call(
        base_url=server.base_url, headers={"authorization": f"Bearer {token}"}, timeout=15
    )
    case.validate_response(response, checks=CHECKS)


# -- Stateful: chains of calls on ids the API itself handed out --------------------------------

# Runs of the state machine, each a chain of up to STATEFUL_STEPS calls. Schemathesis infers the
# links (POST /api/rooms -> GET/PATCH /api/rooms/{room_id}, -> its members, messages, ...) from
# the response schemas and path parameters, so the chains reach rows a random id would miss.
STATEFUL_EXAMPLES = 40
STATEFUL_STEPS = 8


def test_chains_of_calls_get_no_5xx_and_stay_in_the_schema(server):
    base_url = server.base_url

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # A fresh user per run: a chain may sign itself out or delete its account.
            with httpx.Client(base_url=base_url) as http:
                r = http.post(
                    "/api/auth/register",
                    json={"username": f"st{secrets.token_hex(6)}", "password": PASSWORD},
                )
                self.token = r.json()["access_token"]

        def get_call_kwargs(self, case):
            return {
                "base_url": base_url,
                "headers": {"authorization": f"Bearer {self.token}"},
                "timeout": 15,
            }

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
