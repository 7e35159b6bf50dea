"""CQL2-text `filter` (OGC API – Features Part 3) as SQLAlchemy clauses over an allowlist of queryables.

pygeofilter parses; this module only translates its AST, node by node, into expressions on columns
it names itself, so no text of the filter reaches SQL. The clause is ANDed with the caller's read
scope by the caller (services.ogc), never instead of it: a filter can only narrow what the caller may
read. Anonymous callers have only the public properties as queryables, on the generalised position,
so a filter cannot learn more about a public camera than its public Feature says.

Implemented (CQL2 conformance classes): basic-cql2 (comparisons, IS NULL, AND/OR/NOT, string,
number, boolean, TIMESTAMP and DATE literals), advanced-comparison-operators (LIKE, BETWEEN, IN),
basic-spatial-functions(-plus) (S_INTERSECTS with any geometry or BBOX literal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import shapely
import sqlalchemy as sa
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_text import parse
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain import vocabulary as v
from observo.domain.crs import OutputCrs, to_lonlat
from observo.domain.permissions import Actor, sees_full_detail
from observo.errors import FieldIssue, MalformedQuery
from observo.models import Camera, Organisation
from observo.services.queries import position_of
from observo.spatial.base import session_backend

MAX_FILTER_LENGTH = 4000  # characters: a filter is a few conditions, not a document
_CODE = re.compile(r"^OBS-(\d{6,12})$")
_COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Equal: lambda a, b: a == b,
    ast.NotEqual: lambda a, b: a != b,
    ast.LessThan: lambda a, b: a < b,
    ast.LessEqual: lambda a, b: a <= b,
    ast.GreaterThan: lambda a, b: a > b,
    ast.GreaterEqual: lambda a, b: a >= b,
}
# The mirror of each comparison, for a literal written on the left (5 < range_m).
_MIRRORED = {
    ast.LessThan: ast.GreaterThan,
    ast.LessEqual: ast.GreaterEqual,
    ast.GreaterThan: ast.LessThan,
    ast.GreaterEqual: ast.LessEqual,
}


@dataclass(frozen=True)
class Queryable:
    name: str
    kind: str  # string, integer, number, boolean, date-time, code, geometry
    public: bool  # anonymous callers may filter on it (it is in the public Feature)
    description: str
    enum: tuple[str, ...] = ()


_COMMON = (
    Queryable("camera_id", "integer", True, "the camera's id (the Feature's id)"),
    Queryable("code", "code", True, "the public code on the signage, e.g. OBS-000042"),
    Queryable("name", "string", True, "the camera's name"),
    Queryable("camera_type", "string", True, "kind of head", v.CAMERA_TYPES),
    Queryable("surveillance_type", "string", True, "public, outdoor or indoor", v.SURVEILLANCE_TYPES),
    Queryable("municipality", "string", True, "ISTAT code of the municipality"),
    Queryable("owner", "string", True, "the owner's slug (anonymous callers: public bodies only)"),
    Queryable("status", "string", False, "operational status", v.STATUSES),
    Queryable("visibility", "string", False, "who may read the camera", v.VISIBILITIES),
    Queryable("updated_at", "date-time", False, "the record's last change (UTC)"),
    Queryable("bearing_deg", "number", False, "centre of view, clockwise from north"),
    Queryable("hfov_deg", "number", False, "horizontal angle of view"),
    Queryable("range_m", "number", False, "range of the field of view"),
)
CAMERA_QUERYABLES = (*_COMMON, Queryable("geometry", "geometry", True, "the camera's position"))
VIEW_QUERYABLES = (*_COMMON, Queryable("geometry", "geometry", False, "the field of view's sector"))


def queryables_for(actor: Actor, catalogue: tuple[Queryable, ...]) -> tuple[Queryable, ...]:
    """The queryables `actor` may use: every one when signed in, the public ones otherwise."""
    full = sees_full_detail(actor)
    return tuple(queryable for queryable in catalogue if full or queryable.public)


def _fail(code: str, detail: str) -> MalformedQuery:
    return MalformedQuery(detail, [FieldIssue("/filter", code, detail)])


def filter_clause(
    session: Session,
    actor: Actor,
    text: str,
    catalogue: tuple[Queryable, ...],
    geometry: Any,
    filter_crs: OutputCrs,
    max_vertices: int,
) -> sa.ColumnElement[bool]:
    """The CQL2-text `text` as one WHERE clause; 400 (malformed_query) naming what is wrong.

    `geometry` is the column the `geometry` queryable stands for; literals are in `filter_crs`.
    """
    if len(text) > MAX_FILTER_LENGTH:
        raise _fail("too_long", f"a filter has at most {MAX_FILTER_LENGTH} characters")
    try:
        tree = parse(text)
    except RecursionError:
        raise _fail("too_deep", "the filter nests too deeply") from None
    except Exception as exc:  # lark's errors (and pygeofilter's own) for text off the grammar
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail("invalid_filter", f"not CQL2 text: {first_line}") from None
    allowed = {queryable.name: queryable for queryable in queryables_for(actor, catalogue)}
    translator = _Translator(session, actor, allowed, geometry, filter_crs, max_vertices)
    try:
        return translator.clause(tree)
    except RecursionError:
        raise _fail("too_deep", "the filter nests too deeply") from None


class _Translator:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        allowed: dict[str, Queryable],
        geometry: Any,
        filter_crs: OutputCrs,
        max_vertices: int,
    ) -> None:
        self.backend = session_backend(session)
        self.actor = actor
        self.allowed = allowed
        self.geometry = geometry
        self.filter_crs = filter_crs
        self.max_vertices = max_vertices

    # ------------------------------------------------------------ predicates

    def clause(self, node: Any) -> sa.ColumnElement[bool]:
        if isinstance(node, ast.And):
            return sa.and_(self.clause(node.lhs), self.clause(node.rhs))
        if isinstance(node, ast.Or):
            return sa.or_(self.clause(node.lhs), self.clause(node.rhs))
        if isinstance(node, ast.Not):
            return sa.not_(self.clause(node.sub_node))
        if isinstance(node, bool):
            return sa.true() if node else sa.false()
        if type(node) in _COMPARISONS:
            return self.comparison(node)
        handler = self.handlers.get(type(node))
        if handler is None:
            raise _fail("unsupported_filter", f"{_operator(node)} is not supported here")
        return handler(self, node)

    def between(self, node: Any) -> sa.ColumnElement[bool]:
        queryable = self.queryable(node.lhs, ordered=True)
        low, high = self.literal(queryable, node.low), self.literal(queryable, node.high)
        clause = self.column(queryable).between(low, high)
        return sa.not_(clause) if node.not_ else clause

    def is_null(self, node: Any) -> sa.ColumnElement[bool]:
        queryable = self.queryable(node.lhs)
        column = Camera.id if queryable.kind == "code" else self.column(queryable)
        return column.is_not(None) if node.not_ else column.is_(None)

    def comparison(self, node: Any) -> sa.ColumnElement[bool]:
        kind, lhs, rhs = type(node), node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            kind, lhs, rhs = _MIRRORED.get(kind, kind), rhs, lhs
        if isinstance(rhs, ast.Attribute):
            raise _fail("unsupported_filter", "a queryable is compared with a literal, not another queryable")
        ordered = kind not in (ast.Equal, ast.NotEqual)
        queryable = self.queryable(lhs, ordered=ordered)
        if queryable.kind == "code":
            ids = self.code_ids(queryable, [rhs])
            return Camera.id.in_(ids) if kind is ast.Equal else Camera.id.not_in(ids)
        return _COMPARISONS[kind](self.column(queryable), self.literal(queryable, rhs))

    def membership(self, node: Any) -> sa.ColumnElement[bool]:
        queryable = self.queryable(node.lhs)
        if queryable.kind == "code":
            ids = self.code_ids(queryable, node.sub_nodes)
            return Camera.id.not_in(ids) if node.not_ else Camera.id.in_(ids)
        items = [self.literal(queryable, item) for item in node.sub_nodes]
        column = self.column(queryable)
        return column.not_in(items) if node.not_ else column.in_(items)

    def like(self, node: Any) -> sa.ColumnElement[bool]:
        queryable = self.queryable(node.lhs)
        if queryable.kind != "string":
            raise _fail("invalid_filter", f"LIKE compares text: {queryable.name!r} is not text")
        pattern = self.literal(queryable, node.pattern)
        clause = self.backend.like(self.column(queryable), pattern)
        return sa.not_(clause) if node.not_ else clause

    def intersects(self, node: Any) -> sa.ColumnElement[bool]:
        lhs, rhs = node.lhs, node.rhs
        if not isinstance(lhs, ast.Attribute):
            lhs, rhs = rhs, lhs
        queryable = self.queryable(lhs)
        if queryable.kind != "geometry":
            raise _fail("invalid_filter", f"S_INTERSECTS needs the geometry, not {queryable.name!r}")
        return self.backend.intersects(self.geometry, self.shape(rhs))

    handlers: dict[type, Callable[[_Translator, Any], sa.ColumnElement[bool]]] = {
        ast.Between: between,
        ast.In: membership,
        ast.Like: like,
        ast.IsNull: is_null,
        ast.GeometryIntersects: intersects,
    }

    # ------------------------------------------------------------ operands

    def queryable(self, node: Any, ordered: bool = False) -> Queryable:
        if not isinstance(node, ast.Attribute):
            raise _fail("unsupported_filter", "each condition compares a queryable with a literal")
        found = self.allowed.get(node.name)
        if found is None:
            names = ", ".join(sorted(self.allowed))
            raise _fail("unknown_queryable", f"{node.name!r} is not a queryable here; these are: {names}")
        if ordered and found.kind in ("code", "geometry"):
            raise _fail("invalid_filter", f"{found.name!r} cannot be ordered: use = or IN")
        return found

    def column(self, queryable: Queryable) -> Any:
        name = queryable.name
        if name == "camera_id":
            return Camera.id
        if name == "owner":
            owner = [Organisation.id == Camera.owner_id]
            if not sees_full_detail(self.actor):  # the public Feature names public bodies only
                owner.append(Organisation.kind.in_(v.PUBLIC_BODY_KINDS))
            return sa.select(Organisation.slug).where(*owner).scalar_subquery()
        if name == "geometry":
            return self.geometry
        if queryable.enum:
            # Compared as text: a value outside the vocabulary matches no camera, as CQL2 means it,
            # instead of failing in the column's Enum type (a 500).
            return sa.type_coerce(getattr(Camera, name), sa.String)
        return getattr(Camera, name)

    def literal(self, queryable: Queryable, value: Any) -> Any:
        kind = queryable.kind
        if kind == "string" and isinstance(value, str):
            return value
        if kind in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
            if kind == "integer" and not float(value).is_integer():
                raise _fail("invalid_filter", f"{queryable.name!r} is a whole number")
            return int(value) if kind == "integer" else float(value)
        if kind == "date-time" and isinstance(value, (datetime, date)):
            if not isinstance(value, datetime):
                return datetime(value.year, value.month, value.day, tzinfo=UTC)
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        expected = {"date-time": "a TIMESTAMP('...Z') or DATE('...')", "integer": "a number"}
        wanted = expected.get(kind, "a number" if kind == "number" else "a 'quoted string'")
        raise _fail("invalid_filter", f"{queryable.name!r} is compared with {wanted}, not {value!r}")

    def code_ids(self, queryable: Queryable, items: list[Any]) -> list[int]:
        ids = []
        for item in items:
            if not isinstance(item, str):
                raise _fail("invalid_filter", f"{queryable.name!r} is compared with a 'quoted string'")
            if match := _CODE.match(item.strip().upper()):
                ids.append(int(match.group(1)))
        return ids or [0]  # no id is 0: a code that names no camera matches nothing

    def shape(self, value: Any) -> BaseGeometry:
        if isinstance(value, values.Envelope):
            found: BaseGeometry = box(value.x1, value.y1, value.x2, value.y2)
        elif isinstance(value, ast.Function) and value.name.lower() == "bbox":  # how pygeofilter reads BBOX
            found = _bbox_literal(value.arguments)
        elif isinstance(value, values.Geometry):
            try:
                found = shape(value.geometry)
            except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError):
                raise _fail("invalid_filter", "the geometry literal is not a valid geometry") from None
        else:
            raise _fail("invalid_filter", "S_INTERSECTS takes a geometry literal (POINT, POLYGON, BBOX...)")
        if shapely.get_num_coordinates(found) > self.max_vertices:
            raise _fail("too_many_vertices", f"a geometry literal has at most {self.max_vertices} positions")
        if found.is_empty or not found.is_valid:
            raise _fail("invalid_filter", "the geometry literal is empty or not valid (self-intersecting?)")
        try:
            return to_lonlat(found, self.filter_crs)
        except MalformedQuery as exc:
            raise _fail("out_of_range", exc.detail) from None


def _bbox_literal(numbers: list[Any]) -> BaseGeometry:
    """BBOX(x1, y1, x2, y2), or with heights BBOX(x1, y1, z1, x2, y2, z2) (heights dropped)."""
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        raise _fail("invalid_filter", "BBOX takes 4 numbers (6 with heights)")
    low_x, low_y, high_x, high_y = (float(n) for n in numbers)
    if low_x > high_x or low_y > high_y:
        raise _fail("invalid_filter", "a BBOX's lower corner must not exceed its upper corner")
    return box(low_x, low_y, high_x, high_y)


def _operator(node: Any) -> str:
    return type(node).__name__ if isinstance(node, ast.Node) else f"the literal {node!r} as a condition"


def geometry_column(actor: Actor, views: bool) -> Any:
    """The column the `geometry` queryable stands for: the field of view, or the position the caller
    sees (generalised for the public, as every spatial filter of theirs)."""
    return Camera.fov if views else position_of(actor)
