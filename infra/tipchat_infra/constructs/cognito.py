"""Optional: a Cognito user pool as an OIDC provider (design §5: optional configuration).

Off by default (StageConfig.enable_cognito). tipchat keeps its own accounts either way; Cognito
is one more way to sign in, through standard OIDC discovery at the issuer URL output here. The
client's callback is the app's OIDC redirect URI (src/tipchat/api/oidc.py). The issuer and the
client id are stack outputs, not yet task environment (TIPCHAT_OIDC_*, docs/operations.md).
"""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from tipchat_infra.config import StageConfig
from tipchat_infra.nag import acknowledge


class CognitoProvider(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"tipchat-{config.name}",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.user_pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=f"tipchat-{config.name}-{config.account}"
            ),
        )
        self.client = self.user_pool.add_client(
            "Web",
            generate_secret=True,  # a confidential client: the tipchat server does the exchange
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[
                    cognito.OAuthScope.OPENID,
                    cognito.OAuthScope.EMAIL,
                    cognito.OAuthScope.PROFILE,
                ],
                # tipchat's redirect URI: TIPCHAT_PUBLIC_ORIGIN + /api/auth/oidc/callback.
                callback_urls=[config.site_origin + "/api/auth/oidc/callback"],
                logout_urls=[config.site_origin + "/"],
            ),
            prevent_user_existence_errors=True,
        )
        region = Stack.of(self).region
        CfnOutput(
            self,
            "Issuer",
            value=f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool.user_pool_id}",
        )
        CfnOutput(self, "ClientId", value=self.client.user_pool_client_id)

        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is offered (TOTP), not forced: Cognito is an optional extra sign-in path "
            "next to tipchat's own accounts, and forcing MFA there only would be inconsistent.",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "Threat protection needs the Plus feature plan (priced per MAU); tipchat's own "
            "login rate limits and the CloudFront WAF rate rule cover credential stuffing.",
        )
