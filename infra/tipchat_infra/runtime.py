"""What every tipchat container is given: plain settings as environment, credentials as ECS
secrets (resolved by the ECS agent at start, never stored in the task definition).

Names on the left are what the process reads: TIPCHAT_* and REDIS_URL/DATABASE_URL are
tipchat.config.Settings; DB_* and REDIS_* are parts that infra/container/entrypoint.py joins
into DATABASE_URL and REDIS_URL (ECS can inject one JSON field of a secret, not a formatted URL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Token
from aws_cdk import aws_ecs as ecs

from tipchat_infra.config import StageConfig
from tipchat_infra.stacks.stateful import StatefulStack

# Settings.chains: the JSON list of chains, whose RPC URLs carry provider keys, so the whole
# value is a secret (docs/tipping.md).
RPC_URLS_ENV = "TIPCHAT_CHAINS"
# Per-IP limits on signing in, raised because behind CloudFront the app sees edge addresses,
# each shared by many viewers; the per-viewer limit is CloudFront's WAF rate rule
# (docs/operations.md, "Per-IP limits behind CloudFront").
SIGN_IN_LIMIT_PER_EDGE_IP = "[600, 60]"


@dataclass(frozen=True)
class Runtime:
    environment: dict[str, str]
    secrets: dict[str, ecs.Secret]

    def __or__(self, other: Runtime) -> Runtime:
        return Runtime(
            environment={**self.environment, **other.environment},
            secrets={**self.secrets, **other.secrets},
        )


def tipchat_runtime(config: StageConfig, data: StatefulStack) -> Runtime:
    db = data.database.instance
    db_secret = data.database.secret
    assert db_secret is not None
    cache = data.cache.replication_group
    environment = {
        "TIPCHAT_ENV": "production",
        "TIPCHAT_LOG_JSON": "true",
        # The browser loads the page from CloudFront (https://<domain>) and opens /ws through
        # it; the app sees the ALB's Host, so the site origin is allowed explicitly.
        "TIPCHAT_ALLOWED_ORIGINS": json.dumps([config.site_origin]),
        # Behind the ALB the app is spoken to over plain HTTP; the browser is always on HTTPS.
        "TIPCHAT_COOKIE_SECURE": "true",
        # SIWE messages must name the public origin; behind a proxy the Host header is not it.
        "TIPCHAT_PUBLIC_ORIGIN": config.site_origin,
        # uvicorn trusts X-Forwarded-For from these peers (the ALB nodes, inside the VPC).
        # The client address it then sees is a CloudFront edge, so the per-IP limits are
        # raised (SIGN_IN_LIMIT_PER_EDGE_IP).
        "FORWARDED_ALLOW_IPS": config.vpc_cidr,
        "TIPCHAT_LOGIN_LIMIT_PER_IP": SIGN_IN_LIMIT_PER_EDGE_IP,
        "TIPCHAT_REGISTER_LIMIT_PER_IP": "[600, 3600]",
        "DB_HOST": db.db_instance_endpoint_address,
        "DB_PORT": db.db_instance_endpoint_port,
        "DB_NAME": "tipchat",
        "REDIS_HOST": cache.attr_primary_end_point_address,
        "REDIS_PORT": Token.as_string(cache.attr_primary_end_point_port),
        # Attachments in the private media bucket, through presigned URLs (docs/protocol.md).
        "TIPCHAT_ATTACHMENTS_BACKEND": "s3",
        "TIPCHAT_S3_BUCKET": data.media.bucket.bucket_name,
        "TIPCHAT_S3_REGION": config.region,
    }
    secrets = {
        "TIPCHAT_JWT_SECRET": ecs.Secret.from_secrets_manager(data.secrets.jwt),
        "TIPCHAT_JWT_PREVIOUS_SECRETS": ecs.Secret.from_secrets_manager(data.secrets.jwt_previous),
        "DB_USER": ecs.Secret.from_secrets_manager(db_secret, "username"),
        "DB_PASSWORD": ecs.Secret.from_secrets_manager(db_secret, "password"),
        "REDIS_AUTH_TOKEN": ecs.Secret.from_secrets_manager(data.cache.auth_secret),
        RPC_URLS_ENV: ecs.Secret.from_secrets_manager(data.secrets.rpc_urls),
    }
    return Runtime(environment=environment, secrets=secrets)


def oidc_runtime(data: StatefulStack) -> Runtime:
    """Sign-in with the stage's Cognito user pool (StageConfig.enable_cognito), for the app
    service: the worker signs nobody in, so it is not given the client secret. Nothing at all
    when Cognito is off, and the app offers no OIDC sign-in."""
    provider = data.cognito
    if provider is None:
        return Runtime(environment={}, secrets={})
    return Runtime(
        environment={
            "TIPCHAT_OIDC_ISSUER": provider.issuer,
            "TIPCHAT_OIDC_CLIENT_ID": provider.client.user_pool_client_id,
            "TIPCHAT_OIDC_NAME": "Cognito",  # the button: "Sign in with Cognito"
            "TIPCHAT_OIDC_LIMIT_PER_IP": SIGN_IN_LIMIT_PER_EDGE_IP,
        },
        secrets={
            "TIPCHAT_OIDC_CLIENT_SECRET": ecs.Secret.from_secrets_manager(provider.client_secret)
        },
    )
