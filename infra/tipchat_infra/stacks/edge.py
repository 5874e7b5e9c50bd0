"""The edge stack, in us-east-1 because CloudFront takes its certificate and its WAF web ACL
from there: the distribution, the web client's bucket, the site's DNS records.

It references the regional stacks by name only (origin.<domain>), so no cross-region
exports are needed and each stack deploys on its own."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_route53 as route53
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.static_site import StaticSite
from tipchat_infra.constructs.web_acl import web_acl


class EdgeStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
        )
        acl = web_acl(self, "WebAcl", name=f"tipchat-{config.name}-edge", waf_scope="CLOUDFRONT")
        self.site = StaticSite(self, "Site", config=config, zone=zone, web_acl_arn=acl.attr_arn)
        CfnOutput(self, "WebBucket", value=self.site.bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=self.site.distribution.distribution_id)
