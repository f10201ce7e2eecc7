"""TOML configuration: load one file, validate it with pydantic, and explain every error."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from copbot.config.errors import ConfigError, describe_validation_error

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

    model_config = ConfigDict(extra="forbid", frozen=True)


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


class ChannelBehaviour(Section):
    """What the bot does in one channel (or by default)."""

    recognise: bool = True
    offer_thread: bool = True
    suggest_entries: bool = True
    offer_share: bool = True
    suggest_experts: bool = True


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


class WeeklySchedule(Section):
    """Weekly on a day at a time: ``{ day = "mon", time = "09:30" }``."""

    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    time: str = Field(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")


class PromptSection(Section):
    """One scheduled prompt or digest."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    kind: Literal[
        "question_of_the_week", "learned_this_week", "unanswered_digest", "repository_digest", "gap_prompt"
    ] = "question_of_the_week"
    platform: str = "console"
    channel: str
    weekly: WeeklySchedule | None = None
    cron: str | None = None
    timezone: str = "UTC"
    texts: list[str] = Field(default_factory=list)
    rotation: Literal["in_order", "random"] = "in_order"
    quiet_days: float | None = Field(default=None, gt=0)
    older_than_days: float = Field(default=3.0, ge=0)
    enabled: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA timezone {value!r}, for example Europe/Berlin or America/New_York"
            ) from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> PromptSection:
        if (self.weekly is None) == (self.cron is None):
            raise ValueError('give exactly one schedule: weekly = { day = "mon", time = "09:00" } or cron = "..."')
        if self.kind == "question_of_the_week" and not self.texts:
            raise ValueError(f"a {self.kind} prompt needs at least one entry in texts")
        if self.cron is not None:
            from copbot.prompts.triggers import build_trigger

            try:
                build_trigger(self)
            except ValueError as error:
                raise ValueError(f"cron {self.cron!r} is not a valid crontab expression: {error}") from None
        return self


class SchedulerSection(Section):
    """Timing of scheduled jobs."""

    misfire_grace_minutes: float = Field(default=60.0, ge=0)
    leader_retry_seconds: float = Field(default=10.0, gt=0, le=15)
    """On PostgreSQL, how often a standby process tries to take over the scheduler from one that died."""


class SemanticSection(Section):
    """Optional embedding-based search and recognition (needs the semantic extra)."""

    enabled: bool = False
    model: str = "all-MiniLM-L6-v2"
    fusion_weight: float = Field(default=0.8, ge=0.0, le=1.0)
    """Weight of cosine similarity against the min-max lexical score; 0.8 is best on SemEval-2016 dev."""


class Settings(Section):
    """The whole configuration file."""

    bot: BotSection = Field(default_factory=BotSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    console: ConsoleSection = Field(default_factory=ConsoleSection)
    discord: DiscordSection = Field(default_factory=DiscordSection)
    matrix: MatrixSection = Field(default_factory=MatrixSection)
    permissions: PermissionsSection = Field(default_factory=PermissionsSection)
    knowledge: KnowledgeSection = Field(default_factory=KnowledgeSection)
    activity: ActivitySection = Field(default_factory=ActivitySection)
    prompts: list[PromptSection] = Field(default_factory=list)
    scheduler: SchedulerSection = Field(default_factory=SchedulerSection)
    semantic: SemanticSection = Field(default_factory=SemanticSection)
    base_dir: Path = Field(default=Path("."), exclude=True)
    """The directory of the config file; relative paths are resolved against it."""

    @model_validator(mode="after")
    def _unique_prompt_names(self) -> Settings:
        seen: set[str] = set()
        for prompt in self.prompts:
            if prompt.name in seen:
                raise ValueError(f"two prompts are named {prompt.name!r}; prompt names must be unique")
            seen.add(prompt.name)
        return self

    @property
    def console_enabled(self) -> bool:
        """The console runs when asked for, or when no chat platform is enabled."""
        if self.console.enabled is not None:
            return self.console.enabled
        return not (self.discord.enabled or self.matrix.enabled)

    def database_url(self) -> str:
        """The database URL, with a relative SQLite path resolved against the config file's directory."""
        url = self.database.url
        prefix = "sqlite+aiosqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str((self.base_dir / url[len(prefix) :]).resolve())
        return url


def parse_settings(text: str, *, source: str = "<config>", base_dir: Path | None = None) -> Settings:
    """Validate TOML text; raise ConfigError with key path, line and hint on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    if base_dir is not None:
        data["base_dir"] = base_dir
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, text, source)) from None


def load_settings(path: Path | str | None) -> Settings:
    """Load the config file at ``path``; with no path, the defaults (console adapter, local SQLite file)."""
    if path is None:
        return Settings(base_dir=Path.cwd())
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file (copy config.example.toml to start one)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: the config file must be UTF-8 text") from None
    return parse_settings(text, source=str(file), base_dir=file.resolve().parent)
