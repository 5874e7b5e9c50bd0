"""Application secrets in Secrets Manager, injected into the tasks as ECS secrets (never as
plain environment in the task definition, never in logs: design §5)."""

from __future__ import annotations

from aws_cdk import SecretValue
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.nag import acknowledge


def _written_by_operator(
    scope: Construct, id: str, *, name: str, description: str
) -> secretsmanager.Secret:
    """A secret whose real value the operator writes (docs/operations.md). CloudFormation
    creates it holding "[]" (an empty JSON list, valid for the setting) and never overwrites
    the operator's value, because this placeholder never changes."""
    return secretsmanager.Secret(
        scope,
        id,
        secret_name=name,
        description=description,
        secret_string_value=SecretValue.unsafe_plain_text("[]"),
    )


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
        # TIPCHAT_JWT_PREVIOUS_SECRETS: keys that still verify but no longer sign, during a
        # rotation (docs/operations.md, "Rotating the JWT key"). "[]" = none, the state
        # between rotations.
        self.jwt_previous = _written_by_operator(
            self,
            "JwtPrevious",
            name=f"tipchat/{config.name}/jwt-previous",
            description="TIPCHAT_JWT_PREVIOUS_SECRETS: JSON list of keys that still verify",
        )
        # TIPCHAT_CHAINS: chains, routers, tokens and RPC URLs, which carry provider API keys
        # (docs/operations.md, "Adding a chain"). "[]" = no chains = tips off in production.
        self.rpc_urls = _written_by_operator(
            self,
            "RpcUrls",
            name=f"tipchat/{config.name}/rpc-urls",
            description="TIPCHAT_CHAINS: JSON list of chains with their RPC URLs",
        )
        acknowledge(
            self.jwt,
            "AwsSolutions-SMG4",
            "Tokens carry a kid, so a rotation logs nobody out, but it is two writes (old key "
            "to jwt-previous, new key here) and two service rolls 15 minutes apart, since ECS "
            "reads secrets at task start: an operator procedure (docs/operations.md), not a "
            "rotation Lambda that would have to drive deployments.",
        )
        acknowledge(
            self.jwt_previous,
            "AwsSolutions-SMG4",
            "Holds the keys a rotation of the jwt secret retires, written and emptied by hand "
            "as part of that rotation (docs/operations.md); it has no value of its own to rotate.",
        )
        acknowledge(
            self.rpc_urls,
            "AwsSolutions-SMG4",
            "The URLs embed third-party provider keys; they rotate at the provider, then "
            "here by hand (docs/operations.md).",
        )
