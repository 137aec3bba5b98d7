"""`refactor-app verify --deploy`: Django's own `check --deploy` (the security checks), run with
the project's Python under the production-like environment verify builds, each remaining warning
shown with the step that fixes it; and the redirect loop a proxy without SECURE_PROXY_SSL_HEADER
makes (the platform's files show the proxy, the redirect is on, nothing trusts X-Forwarded-Proto)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field

from refactor_app.errors import RefactorError
from refactor_app.project import Project

# Which step fixes which of Django's deploy warnings (django/core/checks/security/base.py, csrf.py).
FIXED_BY = {
    "security.W004": "hsts", "security.W005": "hsts", "security.W021": "hsts",
    "security.W008": "ssl-redirect", "security.W009": "secret-key", "security.W018": "debug",
    "security.W020": "allowed-hosts", "security.W012": "secure-cookies", "security.W016": "secure-cookies",
}
# The production values README's "Deploy-ready" section documents for what the hsts step reads:
# the check runs with them, as production is meant to (they only count where the settings read them).
DOCUMENTED_PRODUCTION = {"SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
                         "SECURE_HSTS_PRELOAD": "True"}
# Variables a step's settings read, which production must set for the warning to go.
SET_IN_PRODUCTION = {
    "security.W004": "SECURE_HSTS_SECONDS", "security.W005": "SECURE_HSTS_INCLUDE_SUBDOMAINS=True",
    "security.W021": "SECURE_HSTS_PRELOAD=True",
}

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
try:
    import django
    from django.conf import settings
    django.setup()
    from django.core import checks
    found = checks.run_checks(tags=["security"], include_deployment_checks=True)
except BaseException as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
    sys.exit(0)
header = settings.SECURE_PROXY_SSL_HEADER
print(json.dumps({
    "messages": [[m.id, m.msg] for m in found if not m.is_silenced()],
    "ssl_redirect": bool(settings.SECURE_SSL_REDIRECT),
    "proxy_header": list(header) if header else None,
}))
"""


@dataclass
class DeployCheck:
    module: str
    findings: list[str] = field(default_factory=list)  # one line per remaining warning, with its fix
    problems: list[str] = field(default_factory=list)  # the redirect loop, an import failure


def deploy_check(project: Project, python: str) -> DeployCheck:
    from refactor_app import local_env
    from refactor_app.platforms import DIVIO, tls_proxy_platforms
    from refactor_app.verify import (
        platform_markers, production_leaves_out, production_samples, read_variables, settings_module_name,
        shell_environment,
    )

    folder, module = settings_module_name(project)
    variables = read_variables(project)
    with tempfile.TemporaryDirectory(prefix="refactor-app-verify-") as scratch:
        # verify's production-like environment, with what README has production set for HSTS.
        environment = {**shell_environment(variables, local_env.values(project)), **platform_markers(project),
                       **production_samples(variables, scratch), **production_leaves_out(project).hiding(),
                       "DJANGO_SETTINGS_MODULE": module, **DOCUMENTED_PRODUCTION}
        result = _run_check(project, python, module, folder, environment)
    check = DeployCheck(module)
    try:
        answer = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = {"error": (result.stderr.strip().splitlines() or ["no output"])[-1]}
    if "error" in answer:
        check.problems.append(f"Django's check --deploy could not run on {module}: {answer['error']}")
        return check
    platforms = tls_proxy_platforms(project.root)
    # Behind Heroku's, Render's or Fly.io's proxy the redirect step needs the header's (steps/ssl_redirect.py).
    with_header = bool(platforms) and platforms[0] != DIVIO and not answer["proxy_header"]
    for identifier, message in answer["messages"]:
        step = FIXED_BY.get(identifier)
        if step == "ssl-redirect" and with_header:
            step = "proxy-ssl-header --step ssl-redirect"
        variable = SET_IN_PRODUCTION.get(identifier)
        fix = (f"refactor-app apply --step {step}" + (f", then set {variable} in production" if variable else "")
               if step else "no refactor-app step fixes this: see Django's deployment checklist")
        first_line = message.split(". ")[0].split("\n")[0]
        check.findings.append(f"{identifier}: {first_line[:160]} -> {fix}")
    if platforms and answer["ssl_redirect"] and not answer["proxy_header"]:
        check.problems.append(
            f"production runs behind {platforms[0]}'s proxy with SECURE_SSL_REDIRECT on and no SECURE_PROXY_SSL_HEADER: "
            "every request would be redirected again, forever; run `refactor-app apply --step proxy-ssl-header`"
        )
    return check


def _run_check(project: Project, python: str, module: str, folder: str, environment: dict) -> subprocess.CompletedProcess:
    from refactor_app.verify import LOADER

    # verify's loader up to its import: the same hiding of local work's env file and modules.
    hide = LOADER[: LOADER.index("sys.path.insert(0, sys.argv[1])")]
    try:
        result = subprocess.run([python, "-c", hide + SCRIPT, folder], env=environment, capture_output=True,
                                text=True, timeout=120, cwd=project.root)
    except FileNotFoundError:
        raise RefactorError(f"--python {python}: no such program; pass your project's Python.") from None
    except subprocess.TimeoutExpired:
        raise RefactorError(f"check --deploy on {module} took over 2 minutes; check what the settings do at import.") from None
    return result


def render_deploy_check(out, check: DeployCheck) -> None:
    documented = ", ".join(f"{name}={value}" for name, value in DOCUMENTED_PRODUCTION.items())
    out.line(f"Django's check --deploy (security) on {check.module}, production-like, with {documented} as README's "
             "Deploy-ready section has production set them (HSTS is sticky: start with a short time):")
    for finding in check.findings:
        out.line(f"Deploy warning: {finding}")
    for problem in check.problems:
        out.line(f"Problem: {problem}")
    if not check.findings and not check.problems:
        out.line("OK: no deploy warnings.")
