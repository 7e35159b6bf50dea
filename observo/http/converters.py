"""URL converters: an `<int:...>` segment only matches an id the database can hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from observo.domain.identifiers import MAX_DATABASE_ID


class DatabaseId(IntegerConverter):
    """`<int:...>` from 1 to 2**31 - 1: anything else is no route (404), never a database error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(url_map, *args, **kwargs)
