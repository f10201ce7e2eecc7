# copbot on a slim Python base, installed with the same command the README and CI use.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COPBOT_VENV=/opt/copbot \
    PATH=/opt/copbot/bin:$PATH

RUN useradd --create-home --uid 10001 copbot \
    && mkdir -p /data /config \
    && chown copbot:copbot /data /config

WORKDIR /app
COPY . /app
RUN python3 dev.py install && chown -R copbot:copbot /app

USER copbot
# The SQLite file lives here unless the config points at PostgreSQL.
VOLUME ["/data"]
CMD ["copbot", "run", "--config", "/config/config.toml"]
