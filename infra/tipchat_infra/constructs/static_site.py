"""The web client on S3 + CloudFront (with origin access control), and CloudFront as the one
public entry: the app's paths (/api/*, /ws, ...) go to the ALB, everything else to the bucket.

One origin for page, API and WebSocket is what the client expects (it calls relative URLs
and opens wss://<page host>/ws) and what makes the SameSite session cookies work.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tipchat.api import web
from tipchat.storage.objects import s3_browser_origins
from tipchat_infra.config import StageConfig
from tipchat_infra.constructs.storage import media_bucket_name
from tipchat_infra.nag import acknowledge


# CloudFront sends the page with the very Content-Security-Policy `tipchat serve` sends
# (tipchat.api.web.csp), media bucket included: the browser uploads to it and shows images
# from it.
def csp(media_bucket: str, region: str) -> str:
    return web.csp(s3_browser_origins(bucket=media_bucket, endpoint_url=None, region=region))


# Paths the app answers; everything else is the built client in the bucket. /metrics and
# /readyz are deliberately absent: they are for the inside.
APP_PATHS = ("/api/*", "/ws", "/healthz", "/openapi.json", "/docs", "/docs/*")


class StaticSite(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        zone: route53.IHostedZone,
        web_acl_arn: str,
    ) -> None:
        super().__init__(scope, id)
        logs = s3.Bucket(
            self,
            "Logs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # CloudFront standard logging writes with ACLs, so ACLs stay enabled here.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The built client (web/ -> src/tipchat/static). Deployed by `aws s3 sync` in the
        # release pipeline (docs/operations.md); rebuilt from source at will, so DESTROY.
        self.bucket = s3.Bucket(
            self,
            "Web",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="web-bucket/",
            removal_policy=RemovalPolicy.DESTROY,
        )
        certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=config.domain_name,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp(media_bucket_name(config), config.region),
                    override=False
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
        )
        app_origin = origins.HttpOrigin(
            config.origin_domain_name,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            read_timeout=Duration.seconds(60),
        )
        app_behavior = cloudfront.BehaviorOptions(
            origin=app_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # Cookies, query strings and headers (Origin and the WebSocket upgrade headers
            # included) pass through; Host becomes the origin's name so TLS to the ALB
            # verifies against its certificate.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"tipchat {config.name}",
            domain_names=[config.domain_name],
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
            additional_behaviors={path: app_behavior for path in APP_PATHS},
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        for record in (route53.ARecord, route53.AaaaRecord):
            record(
                self,
                record.__name__,
                zone=zone,
                record_name=config.domain_name,
                target=route53.RecordTarget.from_alias(targets.CloudFrontTarget(self.distribution)),
            )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "A chat service for anyone: no geographic restriction (sanctions screening, "
            "if a deployment needs it, belongs in its own WAF rule).",
        )
