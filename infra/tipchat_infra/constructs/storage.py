"""Buckets: media (attachments; private, reached only through presigned URLs) and the access-log
bucket that the media bucket and the load balancer write to."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tipchat_infra.config import StageConfig


def _private_bucket(scope: Construct, id: str, **kwargs: object) -> s3.Bucket:
    """Block all public access, SSE, TLS-only, and object ACLs disabled."""
    return s3.Bucket(
        scope,
        id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        **kwargs,  # type: ignore[arg-type]
    )


class AccessLogs(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        # SSE-S3 (not KMS): ELB access-log delivery supports only SSE-S3. (It does not log
        # itself; cdk-nag's S1 accepts a log-destination bucket as it is.)
        self.bucket = _private_bucket(
            self,
            "Bucket",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )



def media_bucket_name(config: StageConfig) -> str:
    """A fixed, account-qualified name: IAM policies and the CSP name it literally."""
    return f"tipchat-{config.name}-media-{config.account}"

class Media(Construct):
    """Attachments. Browsers PUT and GET with presigned URLs (design §3 attachments), so the
    bucket needs CORS for the site's origin and nothing public."""

    def __init__(
        self, scope: Construct, id: str, *, config: StageConfig, access_logs: s3.IBucket
    ) -> None:
        super().__init__(scope, id)
        # A fixed, account-qualified name: the app's IAM policy then names its objects
        # literally (no cross-stack token), and operators can find the bucket.
        self.bucket_name = media_bucket_name(config)
        self.bucket = _private_bucket(
            self,
            "Bucket",
            bucket_name=self.bucket_name,
            versioned=True,  # an overwrite or delete by a bug is recoverable for 30 days
            removal_policy=RemovalPolicy.RETAIN,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="media/",
            cors=[
                s3.CorsRule(
                    allowed_origins=[config.site_origin],
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                    allowed_headers=["*"],  # the presigned signature is the authorization
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abandoned-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="old-versions",
                    noncurrent_version_expiration=Duration.days(30),
                ),
                # Chat media is read a lot in its first days and rarely after.
                s3.LifecycleRule(
                    id="tiering",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INTELLIGENT_TIERING,
                            transition_after=Duration.days(30),
                        )
                    ],
                ),
            ],
        )
