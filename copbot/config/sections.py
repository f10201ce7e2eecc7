"""The config tables of platforms, storage, permissions, knowledge, activity and semantic search."""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from copbot.config.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///copbot.sqlite3"
ACTIVITY_IDS = (
    "problem_solving",
    "request_for_information",
    "seeking_experience",
    "reusing_assets",
    "coordination",
    "building_an_argument",
    "growing_confidence",
    "discussing_developments",
    "documenting_projects",
    "visits",
    "identifying_gaps",
    "other",
)


class Section(BaseModel):
    """Base for every config table: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class EnvSecret(Section):
    """A secret read from an environment variable: ``token = { env = "DISCORD_TOKEN" }``."""

    env: str = Field(min_length=1)

    def resolve(self) -> str:
        """The secret's value; raises ConfigError naming the variable when it is unset or empty."""
        value = os.environ.get(self.env, "")
        if not value:
            raise ConfigError(f"environment variable {self.env} is not set (the config file names it as a secret)")
        return value

    def is_set(self) -> bool:
        """Whether the environment variable holds a value now."""
        return bool(os.environ.get(self.env))


def _reject_literal_secret(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(
            'secrets are never written in the file; put it in an environment variable and write { env = "NAME" }'
        )
    return value


OptionalSecret = Annotated[EnvSecret | None, BeforeValidator(_reject_literal_secret)]


class BotSection(Section):
    """General settings."""

    name: str = "copbot"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    command_prefix: str = Field(default="!", min_length=1, max_length=3)


class DatabaseSection(Section):
    """Where the bot keeps its data."""

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path/to/file.sqlite3 or postgresql+asyncpg://user@host/db")
        return value


class ConsoleSection(Section):
    """The local console adapter: one room on stdin/stdout."""

    enabled: bool | None = None
    """None: on when no other platform is enabled."""
    user: str = "you"
    room: str = "general"
    moderators: list[str] = Field(default_factory=list)
    command_prefix: str = Field(default="/", min_length=1, max_length=3)
    """What commands typed in the console start with."""


class DiscordSection(Section):
    """Discord connection settings."""

    enabled: bool = False
    token: OptionalSecret = None
    guild_ids: list[int] = Field(default_factory=list)
    shards: int | Literal["auto"] | None = None
    solved_tag: str = "solved"

    @model_validator(mode="after")
    def _token_when_enabled(self) -> DiscordSection:
        if self.enabled and self.token is None:
            raise ValueError('discord is enabled but has no token; add token = { env = "DISCORD_TOKEN" }')
        return self


class MatrixSection(Section):
    """Matrix connection settings."""

    enabled: bool = False
    homeserver: str = "https://matrix.example.org"
    user_id: str = "@copbot:example.org"
    access_token: OptionalSecret = None
    password: OptionalSecret = None
    device_name: str = "copbot"
    allowed_rooms: list[str] = Field(default_factory=list)
    allowed_servers: list[str] = Field(default_factory=list)
    ignore_users: list[str] = Field(default_factory=list)
    command_prefix: str | None = None

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> MatrixSection:
        if self.enabled and self.access_token is None and self.password is None:
            raise ValueError(
                'matrix is enabled but has no credentials; add access_token = { env = "MATRIX_ACCESS_TOKEN" } '
                'or password = { env = "MATRIX_PASSWORD" }'
            )
        return self


class PermissionsSection(Section):
    """Who may moderate and edit; empty means the platform's own rights decide."""

    discord_moderator_roles: list[str] = Field(default_factory=list)
    discord_editor_roles: list[str] = Field(default_factory=list)
    matrix_moderator_power_level: int | None = None
    matrix_editor_power_level: int | None = None
    rate_limit_per_minute: int = Field(default=12, ge=1)


class KnowledgeSection(Section):
    """Capture and search of the knowledge base."""

    suggest_limit: int = Field(default=3, ge=1, le=10)
    suggest_min_score: float = Field(default=0.35, ge=0.0, le=1.0)
    """How well an entry must match (0..1, relative) before /ask suggests it."""
    solved_emojis: list[str] = Field(default_factory=lambda: ["✅", "✔️", "☑️", "white_check_mark"])
    guess_from_thanks: bool = True
    share: dict[str, list[str]] = Field(default_factory=dict)
    """Private rooms whose entries other rooms may see too: room id -> room ids ("*": every room)."""


class ChannelBehaviour(Section):
    """What the bot does in one channel (or by default)."""

    recognise: bool = True
    offer_thread: bool = True
    suggest_entries: bool = True
    offer_share: bool = True
    suggest_experts: bool = True
    private_results: bool = True
    """Where a private answer can carry a button to post it (Discord), /search and /kb show answer only the
    member; false answers in the channel."""


class ActivitySection(Section):
    """Practice-activity recognition and the bot's reactions to it."""

    enabled: bool = True
    language: str = "en"
    cooldown_minutes: float = Field(default=30.0, ge=0.0)
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    cues: dict[str, list[str]] = Field(default_factory=dict)
    default: ChannelBehaviour = Field(default_factory=ChannelBehaviour)
    channels: dict[str, ChannelBehaviour] = Field(default_factory=dict)

    @field_validator("cues")
    @classmethod
    def _known_activities(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(ACTIVITY_IDS))
        if unknown:
            raise ValueError(f"unknown activity {unknown[0]!r}; known: {', '.join(ACTIVITY_IDS)}")
        return value

    def behaviour_for(self, channel: str) -> ChannelBehaviour:
        """The behaviour configured for ``channel`` (a room id), or the default."""
        return self.channels.get(channel, self.default)


class SemanticSection(Section):
    """Optional embedding-based search and recognition (needs the semantic extra)."""

    enabled: bool = False
    model: str = "all-MiniLM-L6-v2"
    fusion_weight: float = Field(default=0.8, ge=0.0, le=1.0)
    """Weight of cosine similarity against the min-max lexical score; 0.8 is best on SemEval-2016 dev."""


class HealthSection(Section):
    """Thresholds of the community-health figures (/health, the health_digest prompt, copbot report)."""

    core_week_share: float = Field(default=0.5, gt=0.0, le=1.0)
    """Core group: posted in at least this share of the period's weeks."""
    active_week_share: float = Field(default=0.25, gt=0.0, le=1.0)
    """Active members: posted in at least this share of the weeks (but less than the core group)."""
    occasional_min_weeks: int = Field(default=2, ge=2)
    """Occasional members: posted in at least this many weeks; fewer is peripheral."""
    stale_months: int = Field(default=12, ge=1)
    """An entry not created or edited for this many months (of 30 days) is stale."""

    @model_validator(mode="after")
    def _ordered(self) -> HealthSection:
        if self.active_week_share > self.core_week_share:
            raise ValueError("active_week_share must not be larger than core_week_share")
        return self


class WebSection(Section):
    """The repository on the web: read-only pages, a JSON API, a feed and a sitemap (off by default)."""

    enabled: bool = False
    bind: str = Field(default="127.0.0.1:8080", pattern=r"^[^\s:]*:\d{1,5}$")
    """host:port the server listens on; put a reverse proxy in front of it for the public."""
    base_url: str = ""
    """The public URL (https://kb.example.org) canonical links, the sitemap and the feed use; empty: the request's."""
    published_channels: list[str] = Field(default_factory=list)
    """Rooms (channel ids, Matrix room ids) whose public entries appear on the web; empty publishes nothing."""
    show_names: bool = False
    """Whether member names appear on the pages (never those of members who said /privacy web off)."""
    rate_limit_per_minute: int = Field(default=120, ge=1)
    """Requests one address may make in a minute before it is answered 429."""
    forwarded_for: bool = False
    """Take the address from X-Forwarded-For (only behind a reverse proxy that sets it)."""
    report_token: OptionalSecret = None
    """The moderators' token for the health report at /health (``{ env = "COPBOT_REPORT_TOKEN" }``); unset: no
    report on the web."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https:// (or be empty)")
        return value.rstrip("/")

    @property
    def host_port(self) -> tuple[str, int]:
        """``bind`` split into host and port (an empty host listens on every address)."""
        host, _, port = self.bind.rpartition(":")
        return host, int(port)


class BackfillChannel(Section):
    """One channel or room whose past ``copbot backfill`` may read (Discord channel id or Matrix room id)."""

    id: str = Field(min_length=1)
    auto_accept: bool = False
    """Threads found answered here become entries at once instead of waiting in the review queue."""
    public: bool | None = None
    """Whether the channel is public, for entries from an export file (live backfill asks the platform)."""


class BackfillSection(Section):
    """``[backfill]``: which channels' history may be read, and whether to tell them (nothing by default)."""

    channels: list[BackfillChannel] = Field(default_factory=list)
    notice: bool = False
    """Post a notice in each backfilled channel saying what is indexed and how to opt out."""

    def channel(self, ident: str) -> BackfillChannel | None:
        """The configured channel with this id (a thread's parent channel counts for its threads)."""
        return next((channel for channel in self.channels if channel.id == ident), None)
