"""The police viewer the workloads authenticate as, created through Observo's own CLI."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from benchmarks import config

ORG_SLUG = "carabinieri-bench"
VIEWER_EMAIL = "viewer@carabinieri-bench.example.it"
TOKEN_NAME = "bench"


def _observo(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(config.PROJECT_BIN / "observo"), *args], env=env, input=stdin, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"observo {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def create_viewer(instance_path: Path) -> str:
    """Organisation (kind carabinieri: a state force, sees shared cameras), viewer, token."""
    env = {
        **os.environ,
        "OBSERVO_DATABASE_URL": config.observo_url(),
        "OBSERVO_INSTANCE_PATH": str(instance_path),
    }
    _observo(
        ["org", "create", "--slug", ORG_SLUG, "--name", "Carabinieri (benchmark)", "--kind", "carabinieri"],
        env,
    )
    password = secrets.token_urlsafe(18)  # never used again: the workloads use the token
    _observo(
        ["user", "create", "--email", VIEWER_EMAIL, "--org", ORG_SLUG, "--role", "viewer"],
        env,
        password + "\n",
    )
    return _observo(["token", "create", "--email", VIEWER_EMAIL, "--name", TOKEN_NAME], env).splitlines()[-1]
