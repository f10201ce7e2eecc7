"""Whether a valid config can run here and now: its secrets are in the environment, its prompts have a platform."""

from __future__ import annotations

from copbot.config.settings import EnvSecret, Settings


def _unset(key: str, secret: EnvSecret | None) -> list[str]:
    if secret is None or secret.is_set():
        return []
    return [f"{key}: environment variable {secret.env} is not set (export it, or put it in the .env file you load)"]


def missing_secrets(settings: Settings) -> list[str]:
    """One sentence per secret an enabled platform needs that the environment does not hold."""
    found: list[str] = []
    if settings.discord.enabled:
        found += _unset("discord.token", settings.discord.token)
    if settings.matrix.enabled:
        matrix = settings.matrix
        if matrix.access_token is not None:
            found += _unset("matrix.access_token", matrix.access_token)
        else:
            found += _unset("matrix.password", matrix.password)
    if settings.web.enabled:
        found += _unset("web.report_token", settings.web.report_token)
    return found


def enabled_platforms(settings: Settings) -> set[str]:
    """The platforms this config runs on."""
    names = {name for name in ("discord", "matrix") if getattr(settings, name).enabled}
    return names | ({"console"} if settings.console_enabled else set())


def prompt_problems(settings: Settings) -> list[str]:
    """One sentence per enabled prompt whose platform is not enabled (it would never post)."""
    running = enabled_platforms(settings)
    return [
        f"prompts[{index}] ({prompt.name}): platform {prompt.platform!r} is not enabled "
        f"(enabled: {', '.join(sorted(running)) or 'none'}); enable it or set enabled = false on the prompt"
        for index, prompt in enumerate(settings.prompts)
        if prompt.enabled and prompt.platform not in running
    ]


def problems(settings: Settings) -> list[str]:
    """Everything that stops this config from running now, missing secrets first."""
    return missing_secrets(settings) + prompt_problems(settings)
