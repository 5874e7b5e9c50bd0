"""The stateful stack: encrypted, private data stores that only the tipchat tasks can reach,
and logical ids that do not move."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.conftest import Synthesis

STAGES = ("Dev", "Prod")
# Resources whose replacement loses data or identity. A changed logical id means
# CloudFormation would delete and recreate them.
STATEFUL_TYPES = {
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::ECR::Repository",
    "AWS::EC2::VPC",
    "AWS::Cognito::UserPool",
}
EXPECTED_IDS = Path(__file__).with_name("expected_logical_ids.json")


def resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


@pytest.fixture(scope="module", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_stateful_logical_ids_are_stable(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Stateful"]
    found = sorted(
        f"{r['Type']} {logical_id}"
        for logical_id, r in template["Resources"].items()
        if r["Type"] in STATEFUL_TYPES
    )
    expected = json.loads(EXPECTED_IDS.read_text())[stage]
    assert found == expected, (
        "A stateful resource's logical id changed (CloudFormation would replace it). If that "
        "is intended, update tests/infra/expected_logical_ids.json and plan the data move."
    )


def test_database_is_encrypted_private_multi_az_in_prod(synthesis: Synthesis, stage: str) -> None:
    template = Template.from_json(synthesis.templates[f"{stage}/Stateful"])
    prod = stage == "Prod"
    template.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "Engine": "postgres",
            "StorageEncrypted": True,
            "KmsKeyId": Match.any_value(),
            "PubliclyAccessible": False,
            "MultiAZ": prod,
            "DeletionProtection": prod,
            "BackupRetentionPeriod": Match.any_value(),
        },
    )
    (instance,) = resources(
        synthesis.templates[f"{stage}/Stateful"], "AWS::RDS::DBInstance"
    ).values()
    # The password is a dynamic reference into Secrets Manager, never a literal.
    assert "resolve:secretsmanager" in json.dumps(instance["Properties"]["MasterUserPassword"])
    assert instance["Properties"]["BackupRetentionPeriod"] >= 3
    assert instance["DeletionPolicy"] == ("Retain" if prod else "Snapshot")
    template.has_resource_properties(
        "AWS::RDS::DBParameterGroup", {"Parameters": Match.object_like({"rds.force_ssl": "1"})}
    )
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_cache_is_encrypted_with_auth(synthesis: Synthesis, stage: str) -> None:
    template = Template.from_json(synthesis.templates[f"{stage}/Stateful"])
    template.has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        {
            "Engine": "valkey",
            "AtRestEncryptionEnabled": True,
            "KmsKeyId": Match.any_value(),
            "TransitEncryptionEnabled": True,
            "TransitEncryptionMode": "required",
            "MultiAZEnabled": stage == "Prod",
        },
    )
    (group,) = resources(
        synthesis.templates[f"{stage}/Stateful"], "AWS::ElastiCache::ReplicationGroup"
    ).values()
    assert "resolve:secretsmanager" in json.dumps(group["Properties"]["AuthToken"])


def test_data_stores_sit_in_isolated_subnets(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Stateful"]
    (subnet_group,) = resources(template, "AWS::RDS::DBSubnetGroup").values()
    (cache_subnets,) = resources(template, "AWS::ElastiCache::SubnetGroup").values()
    for group in (
        subnet_group["Properties"]["SubnetIds"],
        cache_subnets["Properties"]["SubnetIds"],
    ):
        refs = [s["Ref"] for s in group]
        assert refs and all(ref.startswith("NetworkVpcDataSubnet") for ref in refs), refs
    # Isolated: the data subnets' route tables have no route at all (no NAT, no IGW).
    for logical_id, _route in resources(template, "AWS::EC2::Route").items():
        assert "DataSubnet" not in logical_id, logical_id


def _ingress_rules(template: dict[str, Any]) -> list[dict[str, Any]]:
    rules = [
        r["Properties"] for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
    ]
    for group in resources(template, "AWS::EC2::SecurityGroup").values():
        rules += group["Properties"].get("SecurityGroupIngress", [])
    return rules


def test_no_ingress_from_anywhere(synthesis: Synthesis) -> None:
    """No security group in any stack admits 0.0.0.0/0 or ::/0: data stores admit the task
    groups, the tasks admit the ALB, the ALB admits CloudFront's prefix list."""
    for name, template in synthesis.templates.items():
        for rule in _ingress_rules(template):
            assert rule.get("CidrIp") not in ("0.0.0.0/0",), (name, rule)
            assert rule.get("CidrIpv6") not in ("::/0",), (name, rule)


def test_data_security_groups_admit_only_the_task_groups(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Stateful"]
    groups = resources(template, "AWS::EC2::SecurityGroup")
    for store, port in (("Database", 5432), ("Cache", 6379)):
        (group_id,) = [k for k in groups if k.startswith(f"{store}SecurityGroup")]
        rules = [
            r["Properties"]
            for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
            if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
        ]
        assert "SecurityGroupIngress" not in groups[group_id]["Properties"]  # no inline rules
        sources = sorted(r["SourceSecurityGroupId"]["Fn::GetAtt"][0] for r in rules)
        assert sources == sorted(
            k for k in groups if k.startswith(("NetworkAppTasks", "NetworkWorkerTasks"))
        )
        assert {(r["FromPort"], r["ToPort"]) for r in rules} == {(port, port)}


def test_buckets_are_private_encrypted_and_tls_only(synthesis: Synthesis) -> None:
    for name, template in synthesis.templates.items():
        buckets = resources(template, "AWS::S3::Bucket")
        policies = resources(template, "AWS::S3::BucketPolicy")
        for logical_id, bucket in buckets.items():
            props = bucket["Properties"]
            assert props["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }, (name, logical_id)
            assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
            policy = next(
                p for p in policies.values() if p["Properties"]["Bucket"] == {"Ref": logical_id}
            )
            denies_plain_http = [
                s
                for s in policy["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Deny"
                and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            ]
            assert denies_plain_http, (name, logical_id)


def test_media_bucket_has_lifecycle_and_cors_for_the_site_only(synthesis: Synthesis) -> None:
    template = Template.from_json(synthesis.templates["Prod/Stateful"])
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": "tipchat-prod-media-222222222222",
            "VersioningConfiguration": {"Status": "Enabled"},
            "CorsConfiguration": {
                "CorsRules": [
                    Match.object_like(
                        {
                            "AllowedOrigins": ["https://chat.example.com"],
                            "AllowedMethods": Match.array_with(["PUT", "GET"]),
                        }
                    )
                ]
            },
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}
                        )
                    ]
                )
            },
        },
    )
