"""The ALB the app nodes sit behind: HTTPS only, reachable only from CloudFront, and an idle
timeout long enough for WebSockets."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.network import PUBLIC
from tipchat_infra.constructs.web_acl import web_acl

# The ALB closes a connection after this long without a byte either way. The app pings every
# 20 s (ws_ping_interval_s), so this only matters for a broken client; an hour (the ALB
# allows up to 4,000 s) means a quiet socket is never cut by the balancer.
IDLE_TIMEOUT_S = 3600


class LoadBalancer(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        vpc: ec2.IVpc,
        zone: route53.IHostedZone,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="tipchat ALB: HTTPS from CloudFront only",
            allow_all_outbound=False,
        )
        # Only CloudFront's origin-facing addresses: the WAF, the caching of the web client
        # and TLS termination at the edge cannot be bypassed by calling the ALB directly.
        self.security_group.add_ingress_rule(
            ec2.Peer.prefix_list(config.cloudfront_prefix_list_id),
            ec2.Port.tcp(443),
            "CloudFront origin-facing",
        )
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            vpc_subnets=PUBLIC,
            internet_facing=True,
            security_group=self.security_group,
            idle_timeout=Duration.seconds(IDLE_TIMEOUT_S),
            drop_invalid_header_fields=True,
        )
        self.alb.log_access_logs(access_logs, prefix="alb")
        certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=config.origin_domain_name,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        self.listener = self.alb.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[certificate],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=False,  # no 0.0.0.0/0 rule: the ingress above is the only one
        )
        # /metrics is for the metrics sidecar inside the task, never for the internet.
        self.listener.add_action(
            "NoMetrics",
            priority=10,
            conditions=[elbv2.ListenerCondition.path_patterns(["/metrics", "/metrics/*"])],
            action=elbv2.ListenerAction.fixed_response(404),
        )
        route53.ARecord(
            self,
            "OriginRecord",
            zone=zone,
            record_name=config.origin_domain_name,
            target=route53.RecordTarget.from_alias(targets.LoadBalancerTarget(self.alb)),
        )
        self.web_acl = web_acl(
            self, "WebAcl", name=f"tipchat-{config.name}-alb", waf_scope="REGIONAL"
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.alb.load_balancer_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
