"""Which hosting platform's load balancer ends TLS in front of production, as the project's files
show it. Such a balancer forwards plain HTTP and says `X-Forwarded-Proto: https`. Behind it the
SSL redirect needs SECURE_PROXY_SSL_HEADER, or every request is redirected again, forever.
Anywhere else that header must not be trusted: a client could send it and claim HTTPS.

Only reads, and only the project's own folder: a file that cannot be read shows nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from refactor_app.textfile import listed_names, may_exist

# A file whose presence says the platform; the first listed platform is the one named. A platform's
# own spec comes before the Procfile, which Dokku, Scalingo and App Platform's buildpacks read too.
PLATFORM_FILES = {
    ".do/app.yaml": "DigitalOcean App Platform", ".do/deploy.template.yaml": "DigitalOcean App Platform",
    "railway.json": "Railway", "railway.toml": "Railway",
    "Procfile": "Heroku", "app.json": "Heroku", "render.yaml": "Render", "fly.toml": "Fly.io",
}
# Google App Engine's app.yaml names its runtime; an app.yaml without one is some other tool's.
APP_ENGINE = "Google App Engine"
APP_ENGINE_RUNTIME = re.compile(r"^runtime:\s*['\"]?python", re.MULTILINE)
DIVIO = "Divio"
# Divio's local compose file marks its database services with Divio's service manager
# (`SERVICE_MANAGER: "fsm-postgres"`), and its .gitignore ignores the `.divio` folder the divio
# CLI keeps its project link in.
DIVIO_COMPOSE = re.compile(r"SERVICE_MANAGER\W+fsm-", re.IGNORECASE)
DIVIO_IGNORE = re.compile(r"^/?\.divio/?\s*$", re.MULTILINE)
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
SHOWN = (*PLATFORM_FILES, "app.yaml (App Engine)", ".divio/ (Divio)")  # for messages that list what is looked at


def tls_proxy_platforms(root: Path) -> list[str]:
    """The platforms whose TLS-ending proxy the project's files show, most specific first."""
    found = [platform for name, platform in PLATFORM_FILES.items()
             if may_exist(os.path.join(root, name)) and _own_file(root / name)]
    if APP_ENGINE_RUNTIME.search(_text(root / "app.yaml")):
        found.append(APP_ENGINE)
    if _divio(root):
        found.append(DIVIO)
    return list(dict.fromkeys(found))


def _divio(root: Path) -> bool:
    if may_exist(root / ".divio") and (root / ".divio").is_dir() and not (root / ".divio").is_symlink():
        return True
    if DIVIO_IGNORE.search(_text(root / ".gitignore")):
        return True
    return any(DIVIO_COMPOSE.search(_text(root / name)) for name in COMPOSE_FILES if may_exist(os.path.join(root, name)))


def _own_file(path: Path) -> bool:
    return may_exist(path) and path.is_file() and not path.is_symlink()


def _text(path: Path) -> str:
    if not _own_file(path):
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# A reverse proxy a production compose file runs in front of Django: nginx, Caddy, Traefik, ...
PROXY_WORDS = re.compile(r"\b(?:nginx|caddy|traefik|haproxy|envoy|openresty)\b", re.IGNORECASE)


def compose_reverse_proxy(root: Path, boundary=None) -> str:
    """"docker-compose.prod.yml's service nginx" when a compose file production runs (one named
    for production, or a docker-compose.yml / compose.yaml whose services run gunicorn or the like
    without reloading) has a reverse proxy service beside the one running Django; "" otherwise.
    Such a proxy forwards plain HTTP to Django: whether it ends TLS, and sets X-Forwarded-Proto,
    is its own configuration's (and a load balancer's before it)."""
    from refactor_app.deployment import PRODUCTION_COMPOSE, _yaml
    from refactor_app.local_env import PRODUCTION_SERVERS, RELOADING  # what local_env calls production's server

    names = [name for name in listed_names(root) if name in COMPOSE_FILES or PRODUCTION_COMPOSE.match(name)]
    for name in sorted(names, key=lambda name: (not PRODUCTION_COMPOSE.match(name), name)):
        document = _yaml(root / name, root, boundary)
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        commands = {str(key): " ".join(str(value.get(part) or "") for part in ("command", "entrypoint"))
                    for key, value in services.items() if isinstance(value, dict)}
        django = [key for key, command in commands.items() if PRODUCTION_SERVERS.search(command)
                  and not RELOADING.search(command)]
        if not django:
            continue
        for key, value in services.items():
            if str(key) in django or not isinstance(value, dict):
                continue
            build = value.get("build")
            context = build.get("context") if isinstance(build, dict) else build
            if any(PROXY_WORDS.search(str(word or "")) for word in (key, value.get("image"), context)):
                return f"{name}'s service {key}"
    return ""
