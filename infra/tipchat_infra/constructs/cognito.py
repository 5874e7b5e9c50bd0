"""Optional: a Cognito user pool as an OIDC provider (design §5: optional configuration).

Off by default (StageConfig.enable_cognito). tipchat keeps its own accounts either way; Cognito
is one more way to sign in, through standard OIDC discovery at the issuer URL output here. The
client's callback is the app's OIDC redirect URI (src/tipchat/api/oidc.py). The app service is
given the issuer, the client id and (as an ECS secret) the client secret: runtime.oidc_runtime.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
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
        # Exactly as the pool's discovery document names it (TIPCHAT_OIDC_ISSUER).
        self.issuer = (
            f"https://cognito-idp.{Stack.of(self).region}.amazonaws.com/"
            f"{self.user_pool.user_pool_id}"
        )
        # TIPCHAT_OIDC_CLIENT_SECRET, for ECS to inject. CloudFormation copies it from the
        # client (Fn::GetAtt ClientSecret): the template holds only that reference, and no
        # custom resource reads it (UserPoolClient.user_pool_client_secret would add one,
        # with a Lambda function).
        client_resource = self.client.node.default_child
        assert isinstance(client_resource, cognito.CfnUserPoolClient)
        self.client_secret = secretsmanager.Secret(
            self,
            "ClientSecret",
            secret_name=f"tipchat/{config.name}/oidc-client-secret",
            description="TIPCHAT_OIDC_CLIENT_SECRET: the Cognito app client's secret",
            secret_string_value=SecretValue.resource_attribute(client_resource.attr_client_secret),
        )
        CfnOutput(self, "Issuer", value=self.issuer)
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
        acknowledge(
            self.client_secret,
            "AwsSolutions-SMG4",
            "A copy of the app client's secret, which Cognito generates; a new client's secret "
            "reaches it through the stack (Fn::GetAtt), and rotating the copy alone would only "
            "break sign-in.",
        )
