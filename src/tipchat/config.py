"""Settings from the environment (prefix TIPCHAT_, plus DATABASE_URL) and an optional .env file.

Every setting has a safe default for the single-node mode; `check_production` refuses the
dev defaults that must never reach production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"  # noqa: S105


NATIVE_TOKEN = "0x0000000000000000000000000000000000000000"  # noqa: S105 - an address


def _checksum(value: str) -> str:
    from eth_utils.address import is_hex_address, to_checksum_address

    if not is_hex_address(value):
        raise ValueError(f"not an address: {value!r}")
    return str(to_checksum_address(value))


class TokenConfig(BaseModel):
    """A coin tips may use. The native coin has the zero address, as in the router's `Tip`."""

    address: str = NATIVE_TOKEN
    symbol: str = Field(min_length=1, max_length=16)
    decimals: int = Field(ge=0, le=36)

    _check_address = field_validator("address")(_checksum)


class ChainConfig(BaseModel):
    """One chain tips may use (TIPCHAT_CHAINS is a JSON list of these). See docs/tipping.md."""

    chain_id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=64)
    # Several URLs: the chain watcher fails over between them in order.
    rpc_urls: list[str] = Field(min_length=1)
    router: str
    tokens: list[TokenConfig] = Field(min_length=1)
    # Blocks on top of a tip's block before it counts as confirmed. No default: the right
    # depth depends on the chain (a few on an L2 with a sequencer, more on an L1).
    confirmations: int = Field(ge=1, le=1000)
    explorer_url: str | None = None
    # Blocks on top of a tip's block before it counts as finalized. None: the chain's own
    # `finalized` block tag (post-merge L1s, OP-stack L2s, anvil) decides.
    finality_depth: int | None = Field(default=None, ge=1, le=100_000)
    # True only for the local anvil chain: its RPC URL is shown to clients, faucet allowed.
    dev: bool = False

    _check_router = field_validator("router")(_checksum)

    @model_validator(mode="after")
    def _unique_tokens(self) -> ChainConfig:
        addresses = [t.address for t in self.tokens]
        if len(set(addresses)) != len(addresses):
            raise ValueError(f"chain {self.chain_id}: a token is listed twice")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIPCHAT_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    # None: start an embedded PostgreSQL under data_dir/postgres.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TIPCHAT_DATABASE_URL")
    )
    db_pool_size: int = 20
    # None: single node, in-process fan-out. Set: a cluster node, fan-out over Redis/Valkey.
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "TIPCHAT_REDIS_URL")
    )
    # Prefix of every Redis key and channel, so several deployments can share one Redis.
    redis_prefix: str = "tipchat:"

    jwt_secret: str = DEV_JWT_SECRET
    # Keys that no longer sign but still verify (a rotation: put the old key here and a new
    # one in jwt_secret; drop the old one after access_token_ttl_s). docs/operations.md.
    jwt_previous_secrets: list[str] = []
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    # None: Secure cookies exactly when the request came over https.
    cookie_secure: bool | None = None
    # Origins allowed to open the WebSocket and call the API with cookies, besides the
    # server's own origin (Origin host equal to the Host header).
    allowed_origins: list[str] = []

    # Rate limits: (count, window seconds). Login and register are guessing targets.
    login_limit_per_ip: tuple[int, int] = (30, 60)
    login_limit_per_username: tuple[int, int] = (10, 60)
    register_limit_per_ip: tuple[int, int] = (20, 3600)
    # Attempts on one name (probing which names exist, or racing for one).
    register_limit_per_username: tuple[int, int] = (10, 3600)
    # Sends per user (WebSocket and REST together). A person types at most a message a second
    # or so, with short bursts (a pasted list, quick replies); a well-behaved bot posts in
    # bursts too. 20 in 10 s lets both through and stops a script flooding a room at full speed.
    send_limit_per_user: tuple[int, int] = (20, 10)
    # Searches per user: each one is a full-text query over every room the user is in.
    search_limit_per_user: tuple[int, int] = (30, 60)

    # Attachments (docs/protocol.md). "local": files under data_dir/attachments, the app
    # itself serves the signed upload and download URLs (single node). "s3": presigned URLs
    # of s3_bucket at s3_endpoint_url (None: AWS itself; else any S3-compatible store), with
    # credentials from the usual AWS environment (variables, profile or IAM role).
    attachments_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    attachment_max_bytes: int = 25 * 1024 * 1024
    # Upload and download URLs live this long: a slow upload of the largest file fits, and a
    # link that leaks (a screenshot, a forwarded URL) soon stops working.
    attachment_url_ttl_s: int = 600
    # Upload slots per user: each is a row and possibly a stored object.
    attachment_limit_per_user: tuple[int, int] = (60, 3600)
    # Uploads not sent with a message this long after their slot was made are deleted (row,
    # file, thumbnail) by the sweep, as are the files of deleted messages. A day lets a draft
    # with files wait overnight; it must outlive the upload URL, or a slow upload could land
    # after its row is gone.
    attachment_unused_ttl_s: int = 24 * 3600
    # Seconds between sweeps (every node runs them; an advisory lock lets one act at a time).
    attachment_sweep_interval_s: float = 600.0

    # WebSocket.
    # 256 frames is about 4 seconds of a busy room at 60 events/s: enough to ride out a GC
    # pause or a slow network burst, small enough that a stuck client costs < 1 MiB.
    ws_send_queue: int = 256
    # Replays longer than this are cheaper as REST history pages than as one burst of frames.
    ws_replay_bound: int = 1000
    ws_max_frame_bytes: int = 64 * 1024
    ws_auth_timeout_s: float = 10.0
    ws_ping_interval_s: float = 20.0
    ws_ping_timeout_s: float = 20.0
    # Frames a socket may send: a person's client sends a few a second at most (messages,
    # typing every few seconds, read markers); a burst covers reconnect (resume, subscribe).
    ws_frames_per_s: float = 20.0
    ws_frame_burst: int = 60
    # Sockets per user on one node: tabs and devices, not a script opening thousands.
    ws_max_sockets_per_user: int = 16
    # A socket's presence entry lives this long unless refreshed (every third of it): the
    # users of a node that dies show offline within this time.
    presence_ttl_s: float = 60.0
    # How long a room waits for a missing seq before reading it from storage.
    gap_fill_delay_s: float = 0.2
    shutdown_grace_s: float = 10.0

    # Chains tips may use (JSON list of ChainConfig). Empty outside production: a local anvil
    # dev chain is started with the router deployed (unless dev_chain is false). Empty in
    # production: tips are off.
    chains: list[ChainConfig] = []
    dev_chain: bool = True
    # Seconds between blocks on the dev chain once deployed (0: a block only per transaction),
    # so confirmations advance by themselves as on a real chain.
    dev_chain_block_time_s: int = 1
    # The anvil binary; unset: contracts/node_modules (npm @foundry-rs/anvil), then PATH.
    anvil_path: Path | None = None
    # Dev faucet requests per user per hour.
    faucet_limit_per_user: tuple[int, int] = (5, 3600)

    # Wallet linking (SIWE) and tips; see docs/tipping.md.
    # The origin people use this server at ("https://chat.example.com"): SIWE messages must
    # name it as their domain and URI. Unset: the request's own origin (scheme and Host
    # header), which suits a dev server; in production the Host header is whatever a client
    # sends, so a phishing site could relay a signature made for its own domain, and wallet
    # linking refuses to work there until this is set.
    public_origin: str | None = None
    # A SIWE nonce is good for one link attempt within this many seconds.
    siwe_nonce_ttl_s: int = 300
    # Nonces and link attempts per user (each link attempt may cost an RPC call).
    wallet_limit_per_user: tuple[int, int] = (60, 3600)
    # Tip intents per user: each posts a message in a room.
    tip_limit_per_user: tuple[int, int] = (30, 60)
    # An intent with nothing seen on chain after this long fails as expired.
    tip_intent_ttl_s: int = 3600
    # Run the chain watchers inside `tipchat serve` (one per chain). Off: run `tipchat
    # worker` instead; with several nodes either way, an advisory lock lets one act per chain.
    watcher: bool = True
    watcher_poll_interval_s: float = 2.0
    # Waits between passes grow to this while every RPC URL of a chain fails.
    watcher_max_backoff_s: float = 60.0
    # Blocks per eth_getLogs call (providers cap ranges; 1,000 is under all common caps).
    watcher_log_range: int = 1000
    # A chain seen for the first time is read from this many blocks below its head.
    watcher_first_lookback: int = 1000

    @model_validator(mode="after")
    def _sweep_after_upload_urls(self) -> Settings:
        if self.attachment_unused_ttl_s <= self.attachment_url_ttl_s:
            raise ValueError("attachment_unused_ttl_s must be longer than attachment_url_ttl_s")
        return self

    @field_validator("chains")
    @classmethod
    def _unique_chains(cls, chains: list[ChainConfig]) -> list[ChainConfig]:
        ids = [c.chain_id for c in chains]
        if len(set(ids)) != len(ids):
            raise ValueError("a chain_id is listed twice in TIPCHAT_CHAINS")
        return chains

    @property
    def starts_dev_chain(self) -> bool:
        """Start the embedded anvil chain: only outside production, with no chain configured."""
        return not self.is_production and not self.chains and self.dev_chain

    # Sign-in with an external OpenID Connect provider (docs/operations.md, "Signing in with
    # OIDC"). Off while oidc_issuer is unset. The issuer is the exact URL the provider names in
    # its discovery document and tokens ("https://accounts.google.com").
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    # None: a public client (PKCE only); providers for web servers issue a secret.
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    # The provider's name on the sign-in button ("Sign in with Google").
    oidc_name: str = "OpenID Connect"
    # Sign-in and link starts per IP: each one writes a row and may fetch the provider's keys.
    oidc_limit_per_ip: tuple[int, int] = (30, 60)

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer is None:
            return self
        parts = urlsplit(self.oidc_issuer)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
            raise ValueError("TIPCHAT_OIDC_ISSUER must be an http(s) URL without a query")
        if not self.oidc_client_id:
            raise ValueError("TIPCHAT_OIDC_ISSUER needs TIPCHAT_OIDC_CLIENT_ID")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("TIPCHAT_OIDC_SCOPES must include openid")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    # The built web client (web/ builds into the package's static/ folder).
    web_dir: Path = Path(__file__).parent / "static"

    log_level: str = "info"
    log_json: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def secret_values(self) -> list[str]:
        """Every configured value that must never be logged: the JWT keys, the OIDC client
        secret, RPC URLs (whole, and their paths and passwords, where providers put API keys),
        and URL passwords."""
        values = [self.jwt_secret, *self.jwt_previous_secrets, self.oidc_client_secret or ""]
        urls = [u for chain in self.chains for u in chain.rpc_urls]
        for url in urls:
            parts = urlsplit(url)
            values += [url, parts.path, parts.query, parts.password or ""]
        for service_url in (self.database_url, self.redis_url):
            if service_url:
                values.append(urlsplit(service_url).password or "")
        return [v for v in values if v and v != "/"]

    def check_production(self) -> None:
        """Refuse to run production with development defaults."""
        if not self.is_production:
            return
        problems = []
        if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32:
            problems.append("TIPCHAT_JWT_SECRET must be set to a random value of 32+ characters")
        if any(k == DEV_JWT_SECRET or len(k) < 32 for k in self.jwt_previous_secrets):
            problems.append("TIPCHAT_JWT_PREVIOUS_SECRETS may hold only real keys (32+ chars)")
        if self.database_url is None:
            problems.append("DATABASE_URL must point at a managed PostgreSQL")
        if self.oidc_issuer is not None:
            # The redirect URI must not come from a Host header a client chose.
            if self.public_origin is None:
                problems.append("OIDC sign-in needs TIPCHAT_PUBLIC_ORIGIN")
            if not self.oidc_issuer.startswith("https://"):
                problems.append("TIPCHAT_OIDC_ISSUER must be an https:// URL")
        if problems:
            raise SystemExit("refusing to start in production: " + "; ".join(problems))
