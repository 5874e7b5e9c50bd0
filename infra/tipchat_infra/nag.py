"""cdk-nag: the AwsSolutions rule pack, and the one way this app acknowledges a finding.

cdk-nag 3 plugs into CDK's policy validation (`Validations.of(app).add_plugins(...)`): an
unacknowledged finding fails synthesis, and `cdk.out/validation-report.json` lists it. Every
acknowledgment goes through `acknowledge` so it carries a reason, written next to the
resource it is about.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# Every acknowledgment made, as (construct path, rule): the tests check that each one is still
# needed (it matches a finding when acknowledgments are switched off).
ACKNOWLEDGED: list[tuple[str, str]] = []
# Tests switch this off to see the raw findings.
ENABLED = True


def add_checks(app: IConstruct) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept finding `rule` (e.g. "AwsSolutions-RDS11", or "AwsSolutions-IAM5[Resource::*]"
    for one finding of a rule with several) on `scope` and everything below it."""
    if len(reason) < 20:
        raise ValueError(f"{rule}: an acknowledgment needs a real reason")
    ACKNOWLEDGED.append((scope.node.path, rule))
    if ENABLED:
        Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
