"""Application secrets in Secrets Manager, injected into the tasks as ECS secrets (never as
plain environment in the task definition, never in logs: design §5)."""

from __future__ import annotations

from aws_cdk import SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.nag import acknowledge


class AppSecrets(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        # TIPCHAT_JWT_SECRET: 64 random characters (the app requires 32+ in production).
        self.jwt = secretsmanager.Secret(
            self,
            "JwtKey",
            secret_name=f"tipchat/{config.name}/jwt",
            description="TIPCHAT_JWT_SECRET: signs access tokens",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        # TIPCHAT_CHAINS: chains, routers, tokens and RPC URLs, which carry provider API keys.
        # The operator writes the real value (docs/operations.md, "Adding a chain");
        # CloudFormation only creates the secret and never overwrites it again, because this
        # placeholder does not change. "[]" = no chains = tips off in production.
        self.rpc_urls = secretsmanager.Secret(
            self,
            "RpcUrls",
            secret_name=f"tipchat/{config.name}/rpc-urls",
            description="TIPCHAT_CHAINS: JSON list of chains with their RPC URLs",
            secret_string_value=SecretValue.unsafe_plain_text("[]"),
        )
        acknowledge(
            self.jwt,
            "AwsSolutions-SMG4",
            "One signing key today: rotating it signs everyone out. Rotation is a planned "
            "operation (docs/operations.md) until key ids land (issue 8).",
        )
        acknowledge(
            self.rpc_urls,
            "AwsSolutions-SMG4",
            "The URLs embed third-party provider keys; they rotate at the provider, then "
            "here by hand (docs/operations.md).",
        )
