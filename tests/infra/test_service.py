"""The stateless stacks: the ALB and its timeouts, the ECS services and their scaling, IAM
scoped to what the tasks use, WAF, alarms, and the edge (CloudFront with OAC)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.conftest import Synthesis
from tests.infra.test_stateful import resources

STAGES = ("Dev", "Prod")


@pytest.fixture(scope="module", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _attributes(alb: dict[str, Any]) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}


def test_alb_idle_timeout_suits_websockets(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Service"]
    (alb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = _attributes(alb)
    # Long enough that the 20 s app pings keep any socket alive with room to spare; the ALB
    # maximum is 4,000 s.
    assert 300 <= int(attributes["idle_timeout.timeout_seconds"]) <= 4000
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert alb["Properties"]["Scheme"] == "internet-facing"


def test_alb_is_https_only_and_admits_only_cloudfront(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Service"]
    listeners = resources(template, "AWS::ElasticLoadBalancingV2::Listener")
    assert [(x["Properties"]["Port"], x["Properties"]["Protocol"]) for x in listeners.values()] == [
        (443, "HTTPS")
    ]
    (listener,) = listeners.values()
    assert listener["Properties"]["Certificates"]
    (alb_group,) = [
        k for k in resources(template, "AWS::EC2::SecurityGroup") if k.startswith("LoadBalancer")
    ]
    ingress = [
        r["Properties"]
        for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [alb_group, "GroupId"]}
    ]
    assert ingress == [
        {
            "Description": "CloudFront origin-facing",
            "FromPort": 443,
            "GroupId": {"Fn::GetAtt": [alb_group, "GroupId"]},
            "IpProtocol": "tcp",
            "SourcePrefixListId": "pl-4fa04526",
            "ToPort": 443,
        }
    ]
    # The app tasks admit the ALB, on the app port only.
    (app_ingress,) = [
        r["Properties"]
        for k, r in resources(template, "AWS::EC2::SecurityGroupIngress").items()
        if k.startswith("AppTasksfrom")
    ]
    assert app_ingress["SourceSecurityGroupId"] == {"Fn::GetAtt": [alb_group, "GroupId"]}
    assert (app_ingress["FromPort"], app_ingress["ToPort"]) == (8000, 8000)


def test_metrics_endpoint_is_not_routed(synthesis: Synthesis) -> None:
    Template.from_json(synthesis.templates["Prod/Service"]).has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Conditions": [
                {
                    "Field": "path-pattern",
                    "PathPatternConfig": {"Values": ["/metrics", "/metrics/*"]},
                }
            ],
            "Actions": [Match.object_like({"Type": "fixed-response"})],
        },
    )


def _containers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        c["Name"]: c
        for task in resources(template, "AWS::ECS::TaskDefinition").values()
        for c in task["Properties"]["ContainerDefinitions"]
    }


def test_app_and_worker_run_the_same_image_with_their_commands(synthesis: Synthesis) -> None:
    containers = _containers(synthesis.templates["Prod/Service"])
    assert containers["tipchat"]["Command"] == ["tipchat", "serve", "--host", "0.0.0.0"]  # noqa: S104
    assert containers["worker"]["Command"] == ["tipchat", "worker"]
    assert containers["tipchat"]["Image"] == containers["worker"]["Image"]
    assert (
        containers["tipchat"]["HealthCheck"]["Command"][-1] == "/usr/local/bin/tipchat-healthcheck"
    )
    assert "HealthCheck" not in containers["worker"]  # no HTTP in the worker
    assert containers["cloudwatch-agent"]["Essential"] is False


def test_credentials_are_ecs_secrets_never_plain_environment(synthesis: Synthesis) -> None:
    containers = _containers(synthesis.templates["Prod/Service"])
    for name in ("tipchat", "worker"):
        env = {e["Name"]: e["Value"] for e in containers[name]["Environment"]}
        secrets = {s["Name"] for s in containers[name]["Secrets"]}
        assert {
            "TIPCHAT_JWT_SECRET",
            "TIPCHAT_JWT_PREVIOUS_SECRETS",
            "DB_USER",
            "DB_PASSWORD",
            "REDIS_AUTH_TOKEN",
            "TIPCHAT_CHAINS",
        } <= secrets
        assert not secrets & env.keys()
        assert not any(word in key for key in env for word in ("SECRET", "PASSWORD", "TOKEN")), (
            env.keys()
        )
        assert env["TIPCHAT_ENV"] == "production"
        assert env["TIPCHAT_COOKIE_SECURE"] == "true"
        assert json.loads(env["TIPCHAT_ALLOWED_ORIGINS"]) == ["https://chat.example.com"]


def test_services_run_private_with_circuit_breakers(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Service"]
    services = resources(template, "AWS::ECS::Service")
    assert len(services) == 2
    for service in services.values():
        props = service["Properties"]
        network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network["AssignPublicIp"] == "DISABLED"
        assert all("AppSubnet" in json.dumps(s) for s in network["Subnets"])
        breaker = props["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
        assert breaker == {"Enable": True, "Rollback": True}


def test_app_autoscales_on_cpu_requests_and_open_sockets(synthesis: Synthesis) -> None:
    template = synthesis.templates["Prod/Service"]
    (target,) = resources(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (3, 30)
    configs = [
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        for p in resources(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    ]
    predefined = {
        c["PredefinedMetricSpecification"]["PredefinedMetricType"]
        for c in configs
        if "PredefinedMetricSpecification" in c
    }
    assert predefined == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
    (custom,) = [
        c["CustomizedMetricSpecification"] for c in configs if "CustomizedMetricSpecification" in c
    ]
    assert custom["MetricName"] == "tipchat_open_sockets"
    assert custom["Namespace"] == "Tipchat/prod"
    assert custom["Statistic"] == "Average"


def _statements(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    out = []
    for _logical_id, policy in resources(template, "AWS::IAM::Policy").items():
        roles = [r["Ref"] for r in policy["Properties"]["Roles"]]
        if any(r.startswith(role_prefix) for r in roles):
            out += policy["Properties"]["PolicyDocument"]["Statement"]
    return out


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else actions


def test_iam_is_least_privilege(synthesis: Synthesis) -> None:
    for name, template in synthesis.templates.items():
        for policy in resources(template, "AWS::IAM::Policy").values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = _actions(statement)
                assert not any(a == "*" or a.endswith(":*") for a in actions), (name, actions)
                if statement.get("Resource") == "*":
                    # The one action AWS offers no resource-level permission for.
                    assert actions == ["ecr:GetAuthorizationToken"], (name, statement)

    template = synthesis.templates["Prod/Service"]
    app_task = _statements(template, "AppTaskTaskRole")
    app_actions = sorted(a for s in app_task for a in _actions(s))
    assert app_actions == sorted(
        [
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:PutObject",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ]
    )
    media = [s for s in app_task if "s3:PutObject" in _actions(s)]
    assert [s["Resource"] for s in media] == ["arn:aws:s3:::tipchat-prod-media-222222222222/*"]
    # The worker's one AWS call: the attachment sweep deletes media objects.
    worker_task = _statements(template, "WorkerTaskTaskRole")
    assert [(_actions(s), s["Resource"]) for s in worker_task] == [
        (["s3:DeleteObject"], "arn:aws:s3:::tipchat-prod-media-222222222222/*")
    ]


def _secret_arn(value_from: Any) -> Any:
    """The secret an ECS secret's ValueFrom names, without a ":<json key>::" suffix."""
    if "Fn::Join" in value_from:
        return value_from["Fn::Join"][1][0]
    return value_from


def _secret_reads(template: dict[str, Any], role_logical_id: str) -> list[Any]:
    return [
        arn
        for s in _statements(template, role_logical_id)
        if "secretsmanager:GetSecretValue" in _actions(s)
        for arn in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]


def test_execution_roles_read_exactly_the_declared_secrets(
    synthesis: Synthesis, stage: str
) -> None:
    template = synthesis.templates[f"{stage}/Service"]
    for task in resources(template, "AWS::ECS::TaskDefinition").values():
        declared = [
            _secret_arn(secret["ValueFrom"])
            for container in task["Properties"]["ContainerDefinitions"]
            for secret in container.get("Secrets", [])
        ]
        role = task["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
        reads = _secret_reads(template, role)
        assert declared, role
        assert sorted(map(json.dumps, reads)) == sorted({json.dumps(a) for a in declared}), role


def _export_of(stateful: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """How another stack imports `logical_id`'s Ref (its ARN, for a secret)."""
    (name,) = [
        o["Export"]["Name"]
        for o in stateful["Outputs"].values()
        if o["Value"] == {"Ref": logical_id} and "Export" in o
    ]
    return {"Fn::ImportValue": name}


def test_jwt_previous_keys_come_from_their_own_secret(
    synthesis: Synthesis, stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rotation without logging anyone out (docs/operations.md): the tasks get
    TIPCHAT_JWT_PREVIOUS_SECRETS from tipchat/<stage>/jwt-previous, "[]" until a rotation."""
    from tipchat.config import Settings

    stateful = synthesis.templates[f"{stage}/Stateful"]
    ((logical_id, secret),) = [
        (k, r)
        for k, r in resources(stateful, "AWS::SecretsManager::Secret").items()
        if r["Properties"]["Name"] == f"tipchat/{stage.lower()}/jwt-previous"
    ]
    placeholder = secret["Properties"]["SecretString"]
    assert "GenerateSecretString" not in secret["Properties"]
    # The placeholder is a valid value of the setting: no previous key.
    monkeypatch.setenv("TIPCHAT_JWT_PREVIOUS_SECRETS", placeholder)
    assert Settings(_env_file=None).jwt_previous_secrets == []

    template = synthesis.templates[f"{stage}/Service"]
    for task in resources(template, "AWS::ECS::TaskDefinition").values():
        for container in task["Properties"]["ContainerDefinitions"]:
            secrets = {s["Name"]: s["ValueFrom"] for s in container.get("Secrets", [])}
            if "TIPCHAT_JWT_SECRET" not in secrets:
                continue
            previous = secrets["TIPCHAT_JWT_PREVIOUS_SECRETS"]
            assert previous == _export_of(stateful, logical_id), container["Name"]
            role = task["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
            assert previous in _secret_reads(template, role), container["Name"]
    assert "TIPCHAT_JWT_PREVIOUS_SECRETS" in {
        s["Name"] for s in _containers(template)["tipchat"]["Secrets"]
    }


def test_alarms_cover_the_signals_that_page(synthesis: Synthesis, stage: str) -> None:
    template = synthesis.templates[f"{stage}/Service"]
    alarms = {
        a["Properties"]["AlarmName"].rsplit("-", 1)[1]: a["Properties"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    assert set(alarms) == {
        "Http5xx",
        "LatencyP99",
        "OpenSockets",
        "DatabaseCpu",
        "CacheMemory",
        "TipVerifierLag",
    }
    assert alarms["LatencyP99"]["ExtendedStatistic"] == "p99"
    assert alarms["OpenSockets"]["MetricName"] == "tipchat_open_sockets"
    assert alarms["TipVerifierLag"]["MetricName"] == "tipchat_tip_verifier_lag_seconds"
    assert alarms["CacheMemory"]["MetricName"] == "DatabaseMemoryUsagePercentage"
    assert all(a["AlarmActions"] for a in alarms.values())
    Template.from_json(template).resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_waf_guards_cloudfront_and_the_alb(synthesis: Synthesis, stage: str) -> None:
    for stack, scope in (("Edge", "CLOUDFRONT"), ("Service", "REGIONAL")):
        template = synthesis.templates[f"{stage}/{stack}"]
        (acl,) = resources(template, "AWS::WAFv2::WebACL").values()
        assert acl["Properties"]["Scope"] == scope
        statements = [r["Statement"] for r in acl["Properties"]["Rules"]]
        managed = {
            s["ManagedRuleGroupStatement"]["Name"]
            for s in statements
            if "ManagedRuleGroupStatement" in s
        }
        assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
        assert any("RateBasedStatement" in s for s in statements)
    Template.from_json(synthesis.templates[f"{stage}/Service"]).resource_count_is(
        "AWS::WAFv2::WebACLAssociation", 1
    )


def test_cloudfront_serves_the_client_through_oac_and_routes_the_app(synthesis: Synthesis) -> None:
    template = synthesis.templates["Prod/Edge"]
    Template.from_json(template).resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["chat.example.com"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert "WebACLId" in config
    s3_origin, alb_origin = sorted(config["Origins"], key=lambda o: "CustomOriginConfig" in o)
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not OAI
    assert alb_origin["DomainName"] == "origin.chat.example.com"
    assert alb_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    routed = {b["PathPattern"] for b in config["CacheBehaviors"]}
    assert {"/api/*", "/ws"} <= routed
    assert "/metrics" not in routed and "/readyz" not in routed


def test_cloudfront_sends_the_apps_content_security_policy(synthesis: Synthesis) -> None:
    """The page's CSP as the app sends it with attachments in the prod media bucket."""
    from tipchat.api.web import csp
    from tipchat.storage.objects import s3_browser_origins

    bucket = "tipchat-prod-media-222222222222"
    app_csp = csp(s3_browser_origins(bucket=bucket, endpoint_url=None, region="eu-west-1"))
    assert f"https://{bucket}.s3.eu-west-1.amazonaws.com" in app_csp
    (policy,) = resources(
        synthesis.templates["Prod/Edge"], "AWS::CloudFront::ResponseHeadersPolicy"
    ).values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["ContentSecurityPolicy"]["ContentSecurityPolicy"] == app_csp
