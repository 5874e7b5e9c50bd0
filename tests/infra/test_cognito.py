"""The optional Cognito user pool: off in both stages; when on, clean under cdk-nag and the app
service's OIDC provider (issuer and client id as environment, the client secret as an ECS
secret)."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from tipchat_infra import nag
from tipchat_infra.config import DEV

from tests.infra.conftest import Synthesis, synthesize
from tests.infra.test_service import _containers, _export_of, _secret_reads
from tests.infra.test_stateful import resources

WITH_COGNITO = dataclasses.replace(DEV, enable_cognito=True)
OIDC_SETTINGS = {
    "TIPCHAT_OIDC_ISSUER",
    "TIPCHAT_OIDC_CLIENT_ID",
    "TIPCHAT_OIDC_CLIENT_SECRET",
    "TIPCHAT_OIDC_NAME",
    "TIPCHAT_OIDC_LIMIT_PER_IP",
}


@pytest.fixture(scope="module")
def with_cognito() -> Iterator[Synthesis]:
    """The dev stage with Cognito on, every stack (the service stack reads the pool)."""
    with tempfile.TemporaryDirectory(prefix="tipchat-cdk-cognito-") as outdir:
        yield synthesize(Path(outdir), configs=[WITH_COGNITO])


def _settings(container: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(environment, secrets) of a container definition, by name."""
    return (
        {e["Name"]: e["Value"] for e in container.get("Environment", [])},
        {s["Name"]: s["ValueFrom"] for s in container.get("Secrets", [])},
    )


def test_off_by_default(synthesis: Synthesis) -> None:
    for stage in ("Dev", "Prod"):
        Template.from_json(synthesis.templates[f"{stage}/Stateful"]).resource_count_is(
            "AWS::Cognito::UserPool", 0
        )
        # ...and the app offers no OIDC sign-in: nothing OIDC reaches any container.
        for name, container in _containers(synthesis.templates[f"{stage}/Service"]).items():
            environment, secrets = _settings(container)
            assert not {*environment, *secrets} & OIDC_SETTINGS, (stage, name)


def test_when_enabled_it_is_an_oidc_provider_that_passes_the_checks(
    with_cognito: Synthesis,
) -> None:
    assert with_cognito.error is None, with_cognito.violations()
    template = Template.from_json(with_cognito.templates["Dev/Stateful"])
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {"Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": 12})}},
    )
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "AllowedOAuthFlows": ["code"],
            "GenerateSecret": True,
            "AllowedOAuthScopes": Match.array_with(["openid"]),
            "CallbackURLs": [Match.string_like_regexp(r"^https://.*/api/auth/oidc/callback$")],
        },
    )


def test_when_enabled_the_app_signs_in_with_it(with_cognito: Synthesis) -> None:
    stateful = with_cognito.templates["Dev/Stateful"]
    service = with_cognito.templates["Dev/Service"]
    (pool,) = resources(stateful, "AWS::Cognito::UserPool")
    (client,) = resources(stateful, "AWS::Cognito::UserPoolClient")
    # The client secret is copied into Secrets Manager by reference, never as a literal.
    ((secret_id, secret),) = [
        (k, r)
        for k, r in resources(stateful, "AWS::SecretsManager::Secret").items()
        if r["Properties"]["Name"] == "tipchat/dev/oidc-client-secret"
    ]
    assert secret["Properties"]["SecretString"] == {"Fn::GetAtt": [client, "ClientSecret"]}

    containers = _containers(service)
    environment, secrets = _settings(containers["tipchat"])
    assert environment["TIPCHAT_OIDC_ISSUER"] == {
        "Fn::Join": [
            "",
            ["https://cognito-idp.eu-west-1.amazonaws.com/", _export_of(stateful, pool)],
        ]
    }
    assert environment["TIPCHAT_OIDC_CLIENT_ID"] == _export_of(stateful, client)
    assert environment["TIPCHAT_OIDC_NAME"] == "Cognito"
    # Behind CloudFront, like the login limit: an address is an edge, not a viewer.
    assert environment["TIPCHAT_OIDC_LIMIT_PER_IP"] == environment["TIPCHAT_LOGIN_LIMIT_PER_IP"]
    assert "TIPCHAT_OIDC_CLIENT_SECRET" not in environment
    assert secrets["TIPCHAT_OIDC_CLIENT_SECRET"] == _export_of(stateful, secret_id)
    (app_task,) = [
        t
        for k, t in resources(service, "AWS::ECS::TaskDefinition").items()
        if k.startswith("AppTask")
    ]
    execution_role = app_task["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
    assert secrets["TIPCHAT_OIDC_CLIENT_SECRET"] in _secret_reads(service, execution_role)
    assert "resolve:secretsmanager" not in json.dumps(containers["tipchat"])

    # The worker signs nobody in: it gets none of it, and may not read the client secret.
    environment, secrets = _settings(containers["worker"])
    assert not {*environment, *secrets} & OIDC_SETTINGS
    (worker_task,) = [
        t
        for k, t in resources(service, "AWS::ECS::TaskDefinition").items()
        if k.startswith("WorkerTask")
    ]
    worker_role = worker_task["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
    assert _export_of(stateful, secret_id) not in _secret_reads(service, worker_role)


def test_its_acknowledgments_are_all_needed() -> None:
    with tempfile.TemporaryDirectory() as outdir:
        raw = synthesize(Path(outdir), acknowledge=False, configs=[WITH_COGNITO])
        acknowledged = list(nag.ACKNOWLEDGED)
    found = raw.violations()
    cognito_acks = [(p, r) for p, r in acknowledged if "/Cognito/" in p]
    assert cognito_acks
    for path, rule in cognito_acks:
        assert any(rule == f and fp.startswith(path + "/") for f, fp in found), (path, rule)
