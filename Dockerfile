# copbot on a slim Python base, installed with the same command the README and CI use.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COPBOT_VENV=/opt/copbot \
    PATH=/opt/copbot/bin:$PATH

RUN useradd --create-home --uid 10001 copbot \
    && mkdir -p /data /config \
    && chown copbot:copbot /data

# The code and the virtual environment stay owned by root: the bot cannot change them.
WORKDIR /app
COPY . /app
RUN python3 dev.py install && copbot --version

USER copbot
# The SQLite file lives here unless the config points at PostgreSQL: url = "sqlite+aiosqlite:////data/copbot.sqlite3".
VOLUME ["/data"]
# Any copbot subcommand works: docker run IMAGE db upgrade --config /config/config.toml
ENTRYPOINT ["copbot"]
CMD ["run", "--config", "/config/config.toml"]
