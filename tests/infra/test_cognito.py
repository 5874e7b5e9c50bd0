"""The optional Cognito user pool: off in both stages, and clean under cdk-nag when on."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk.assertions import Match, Template
from tipchat_infra import nag
from tipchat_infra.config import DEV
from tipchat_infra.stacks.stateful import StatefulStack

from tests.infra.conftest import Synthesis, context


def test_off_by_default(synthesis: Synthesis) -> None:
    for stage in ("Dev", "Prod"):
        Template.from_json(synthesis.templates[f"{stage}/Stateful"]).resource_count_is(
            "AWS::Cognito::UserPool", 0
        )


def test_when_enabled_it_is_an_oidc_provider_that_passes_the_checks() -> None:
    config = dataclasses.replace(DEV, enable_cognito=True)
    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir, context=context())
        stack = StatefulStack(
            app,
            "WithCognito",
            config=config,
            env=cdk.Environment(account=DEV.account, region=DEV.region),
        )
        nag.add_checks(app)
        app.synth()  # raises on an unacknowledged finding
        template = Template.from_json(json.loads((Path(outdir) / stack.template_file).read_text()))
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


def test_its_acknowledgments_are_all_needed() -> None:
    config = dataclasses.replace(DEV, enable_cognito=True)
    nag.ENABLED = False
    nag.ACKNOWLEDGED.clear()
    try:
        with tempfile.TemporaryDirectory() as outdir:
            app = cdk.App(outdir=outdir, context=context())
            StatefulStack(
                app,
                "Raw",
                config=config,
                env=cdk.Environment(account=DEV.account, region=DEV.region),
            )
            nag.add_checks(app)
            with contextlib.suppress(RuntimeError):
                app.synth()
            report = json.loads((Path(outdir) / "validation-report.json").read_text())
    finally:
        nag.ENABLED = True
    found = {
        (v["ruleName"], c["constructPath"])
        for r in report["pluginReports"]
        if r["pluginName"] == "AwsSolutions"
        for v in r["violations"]
        for c in v["violatingConstructs"]
    }
    cognito_acks = [(p, r) for p, r in nag.ACKNOWLEDGED if "/Cognito/" in p]
    assert cognito_acks
    for path, rule in cognito_acks:
        assert any(rule == f and fp.startswith(path + "/") for f, fp in found), (path, rule)
