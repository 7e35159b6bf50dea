"""`observo access-rules`: every route with its access rule, as a Markdown table (for notes and reviews)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from observo.http.route_policy import markdown_table


@click.command("access-rules")
@with_appcontext
def access_rules_command() -> None:
    """Print every route, method and access rule (generated from the route policy)."""
    click.echo(markdown_table(current_app.url_map))
