"""AWS WAF web ACLs: AWS managed rule groups plus rate-based rules.

WAF inspects HTTP requests, including a WebSocket's upgrade request, but not the frames that
follow; frame-level limits are the app's (design §5: bounded input, per-user rate limits).
"""

from __future__ import annotations

from typing import Literal

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

_ACTION_BLOCK = wafv2.CfnWebACL.RuleActionProperty(block={})
# Chat bodies are free text up to 4,000 characters (up to ~16 KB of UTF-8 in JSON) and may
# quote HTML or code: the common rule set's body-size and body-XSS rules would block real
# messages, so they only count. The app renders message text as text, never as HTML.
_COUNT_ONLY = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed(name: str, priority: int, count_only: tuple[str, ...] = ()) -> object:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                    )
                    for rule in count_only
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )


def _rate(
    name: str,
    priority: int,
    limit: int,
    *,
    path_prefix: str | None = None,
    forwarded: bool = False,
) -> object:
    scope_down = None
    if path_prefix is not None:
        scope_down = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="STARTS_WITH",
                search_string=path_prefix,
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                ],
            )
        )
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=_ACTION_BLOCK,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit,  # requests per 5-minute window, per client address
                evaluation_window_sec=300,
                aggregate_key_type="FORWARDED_IP" if forwarded else "IP",
                forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                    header_name="X-Forwarded-For", fallback_behavior="MATCH"
                )
                if forwarded
                else None,
                scope_down_statement=scope_down,
            )
        ),
        visibility_config=_visibility(name),
    )


def web_acl(
    scope: Construct, id: str, *, name: str, waf_scope: Literal["CLOUDFRONT", "REGIONAL"]
) -> wafv2.CfnWebACL:
    """CLOUDFRONT: the edge, which sees each viewer's address, so the per-IP rate rules live
    here (sign-in and sign-up tightly, everything else loosely). REGIONAL: the ALB, behind
    CloudFront, sees edge addresses; it repeats the managed rules (defence in depth for
    anything that reaches the origin) and keeps a coarse rate backstop keyed on the first
    X-Forwarded-For address, which a client can forge, hence coarse."""
    rules: list[object] = [
        _managed("AWSManagedRulesAmazonIpReputationList", 10),
        _managed("AWSManagedRulesCommonRuleSet", 20, _COUNT_ONLY),
        _managed("AWSManagedRulesKnownBadInputsRuleSet", 30),
    ]
    if waf_scope == "CLOUDFRONT":
        # Password guessing and sign-up spam: 100 per 5 minutes per address is far above
        # what a person does and far below a useful guessing rate.
        rules.append(_rate("AuthRate", 1, 100, path_prefix="/api/auth/"))
        # Everything (REST pages, upgrades): 3,000 per 5 minutes = 10/s sustained per address.
        rules.append(_rate("AllRate", 2, 3_000))
    else:
        rules.append(_rate("OriginBackstopRate", 1, 20_000, forwarded=True))
    return wafv2.CfnWebACL(
        scope,
        id,
        name=name,
        scope=waf_scope,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        rules=rules,
        visibility_config=_visibility(name),
    )
