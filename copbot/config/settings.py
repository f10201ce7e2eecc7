"""TOML configuration: load one file, validate it with pydantic, and explain every error."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from copbot.config.crontab import ever_fires
from copbot.config.errors import ConfigError, describe_validation_error
from copbot.config.schedule import PromptSection, SchedulerSection, WeeklySchedule
from copbot.config.sections import (
    ACTIVITY_IDS,
    DEFAULT_DATABASE_URL,
    ActivitySection,
    BackfillSection,
    BotSection,
    ChannelBehaviour,
    ConsoleSection,
    DatabaseSection,
    DiscordSection,
    EnvSecret,
    HealthSection,
    KnowledgeSection,
    MatrixSection,
    PermissionsSection,
    Section,
    SemanticSection,
    WebSection,
)

__all__ = [
    "ACTIVITY_IDS", "DEFAULT_DATABASE_URL", "ActivitySection", "BackfillSection", "BotSection", "ChannelBehaviour",
    "ConsoleSection", "DatabaseSection", "DiscordSection", "EnvSecret", "HealthSection", "KnowledgeSection",
    "MatrixSection", "PermissionsSection", "PromptSection", "SchedulerSection", "Section", "SemanticSection",
    "Settings", "WebSection", "WeeklySchedule", "load_settings", "masked_url", "parse_settings",
]  # fmt: skip


def masked_url(url: str) -> str:
    """A database URL fit to print: any password replaced by ``***``."""
    try:
        from sqlalchemy.engine import make_url  # here, not at import: ``copbot --version`` must not load SQLAlchemy

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is refused by validation; never echo what might hold a secret
        return url.split("@")[-1]


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
    health: HealthSection = Field(default_factory=HealthSection)
    web: WebSection = Field(default_factory=WebSection)
    backfill: BackfillSection = Field(default_factory=BackfillSection)
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

    def warnings(self) -> list[str]:
        """Valid but almost certainly unintended settings, one sentence each (check-config prints them)."""
        return [
            f'prompt "{prompt.name}": cron "{prompt.cron}" never fires (no such date); check the day and month'
            for prompt in self.prompts
            if prompt.cron is not None and not ever_fires(prompt.cron, prompt.timezone)
        ]

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
