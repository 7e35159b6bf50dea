"""Alembic environment for both databases, with geoalchemy2's helpers (spatial columns and indexes)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

target_metadata = current_app.extensions["migrate"].db.metadata


def include_object(obj, name, obj_type, reflected, compare_to):
    """Compare only Observo's own tables: SpatiaLite and PostGIS keep many catalogue tables of their own."""
    if obj_type == "table" and reflected and name not in target_metadata.tables:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline():
    _configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"], literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = current_app.extensions["migrate"].db.engine
    with connectable.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
