"""The app synthesizes offline, and cdk-nag's AwsSolutions pack finds nothing unacknowledged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from tipchat_infra import nag

from tests.infra.conftest import Synthesis, synthesize


def test_synthesizes_with_no_error(synthesis: Synthesis) -> None:
    assert synthesis.error is None, synthesis.violations()
    assert set(synthesis.templates) == {
        f"{stage}/{stack}" for stage in ("Dev", "Prod") for stack in ("Stateful", "Service", "Edge")
    }


def test_needs_no_lookups(synthesis: Synthesis) -> None:
    # A lookup that cdk.context.json cannot answer shows up as "missing" in the manifest
    # (and as placeholder AZs in the templates): CI would need AWS credentials.
    for assembly in synthesis.outdir.glob("assembly-*/manifest.json"):
        assert '"missing"' not in assembly.read_text(), assembly
    assert "missing" not in synthesis.manifest
    stateful = synthesis.templates["Prod/Stateful"]
    azs = {
        r["Properties"]["AvailabilityZone"]
        for r in stateful["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert azs == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}


def test_cdk_nag_aws_solutions_has_no_unacknowledged_findings(synthesis: Synthesis) -> None:
    assert synthesis.violations() == []
    # The pack ran over every stage's stacks (a report with no AwsSolutions entry would also
    # be "no findings"): see the control test below for proof that it fails on a finding.


def test_cdk_nag_pack_is_active_and_fails_synthesis_on_a_finding() -> None:
    """Control: the same checks over a bucket without TLS enforcement must fail."""
    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir)
        stack = cdk.Stack(app, "Control")
        s3.Bucket(stack, "Plain")
        nag.add_checks(app)
        try:
            app.synth()
        except RuntimeError as exc:
            assert "ValidationFailed" in str(exc)
        else:
            raise AssertionError("cdk-nag did not fail an insecure bucket")
        report = (Path(outdir) / "validation-report.json").read_text()
        assert "AwsSolutions-S10" in report


def test_every_acknowledgment_is_needed_and_explained() -> None:
    """With acknowledgments off, each one must match a real finding at or below its
    construct: no stale suppressions that would hide a future problem."""
    with tempfile.TemporaryDirectory() as outdir:
        raw = synthesize(Path(outdir), acknowledge=False)
        acknowledged = list(nag.ACKNOWLEDGED)
    findings = raw.violations()
    assert raw.error is not None and findings
    unused = [
        (path, rule)
        for path, rule in acknowledged
        if not any(
            found_rule == rule and (found_path == path or found_path.startswith(path + "/"))
            for found_rule, found_path in findings
        )
    ]
    assert unused == []
    # ...and the other way round: every raw finding is covered by an acknowledgment.
    uncovered = [
        (rule, path)
        for rule, path in findings
        if not any(
            rule == ack_rule and (path == ack_path or path.startswith(ack_path + "/"))
            for ack_path, ack_rule in acknowledged
        )
    ]
    assert uncovered == []
