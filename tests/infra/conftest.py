"""Synthesize the CDK app once per session (offline: infra/cdk.context.json answers every
lookup) and hand the templates and the validation report to the tests.

Nothing here needs a database: the session fixtures of tests/conftest.py are not autouse.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

INFRA = Path(__file__).resolve().parents[2] / "infra"
sys.path.insert(0, str(INFRA))
# jsii prints a banner on Node 20 (supported by CDK, end-of-life for jsii's own policy).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from tipchat_infra import nag  # noqa: E402
from tipchat_infra.config import STAGES, StageConfig  # noqa: E402
from tipchat_infra.stage import build_app  # noqa: E402


def context() -> dict[str, Any]:
    """What `cdk synth` in infra/ would pass: cdk.json's feature flags and cdk.context.json."""
    flags = json.loads((INFRA / "cdk.json").read_text())["context"]
    cached = json.loads((INFRA / "cdk.context.json").read_text())
    return {**flags, **cached}


@dataclass
class Synthesis:
    outdir: Path
    error: str | None  # the synthesis error (a failed validation), if any
    report: dict[str, Any]
    templates: dict[str, dict[str, Any]]  # "Dev/Stateful" -> template
    manifest: dict[str, Any]

    def violations(self, plugin: str = "AwsSolutions") -> list[tuple[str, str]]:
        """(rule, construct path) for every unacknowledged finding of `plugin`."""
        return [
            (violation["ruleName"], construct["constructPath"])
            for report in self.report.get("pluginReports", [])
            if report["pluginName"] == plugin
            for violation in report["violations"]
            for construct in violation["violatingConstructs"]
        ]


def synthesize(
    outdir: Path, *, acknowledge: bool = True, configs: Sequence[StageConfig] = STAGES
) -> Synthesis:
    nag.ENABLED = acknowledge
    nag.ACKNOWLEDGED.clear()
    try:
        app = cdk.App(outdir=str(outdir), context=context())
        stages = build_app(app, configs)
        error = None
        try:
            app.synth()
        except RuntimeError as exc:  # ValidationFailed: the report says why
            error = str(exc)
    finally:
        nag.ENABLED = True
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    templates = {}
    for stage_name, stage in stages.items():
        for stack in (stage.stateful, stage.service, stage.edge):
            path = outdir / f"assembly-{stage_name.title()}" / stack.template_file
            templates[f"{stage_name.title()}/{stack.node.id}"] = json.loads(path.read_text())
    manifest = json.loads((outdir / "manifest.json").read_text())
    return Synthesis(outdir, error, report, templates, manifest)


@pytest.fixture(scope="session")
def synthesis() -> Iterator[Synthesis]:
    with tempfile.TemporaryDirectory(prefix="tipchat-cdk-") as outdir:
        yield synthesize(Path(outdir))
