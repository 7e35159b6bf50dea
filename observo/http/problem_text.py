"""problem+json `detail` and `errors[].detail` in the request's language, as the titles are.

The domain and the services raise errors with English details (they know no request, and tests and
logs read them); the answer translates them here. A detail is one of DETAILS word for word, or fits
one whose `%(name)s` placeholders stand for values (a slug, an id, a number), which are kept as they
are. A `%(problem)s` placeholder holds a detail of its own (a column's or an OSM tag's problem, as
in "direzione: <the direction's problem>"), localised in turn. A detail fitting none stays English:
a new message is readable before it is translated. Add a detail's English text here (and its Italian
to the catalogue) when you write a new one.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import get_locale, gettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Placeholders that stand for free text (lists, quoted names, parser messages); every other one is
# one word (an id, a slug, a number), so "no camera %(id)s" never swallows "no camera type column...".
# The import report's values (a cell as written, a column's title) are free text: they may hold spaces.
_FREE_TEXT = frozenset(
    {
        "camera",
        "choices",
        "column",
        "date",
        "delimiter",
        "detail",
        "endpoint",
        "extent",
        "files",
        "found",
        "given",
        "keys",
        "layer",
        "layers",
        "limit",
        "name",
        "names",
        "problem",
        "reason",
        "ref",
        "remark",
        "roles",
        "shapes",
        "titles",
        "types",
        "value",
        "what",
        "whose",
    }
)
_FREE, _WORD = r".+?", r"\S+?"
_NESTED = frozenset({"problem"})  # a detail inside a detail: localised in turn


def _l(message: str) -> str:
    """Marks a detail for the catalogue (`make messages` extracts `_l`); translated when answering."""
    return message


DETAILS: tuple[str, ...] = (
    # the API's own
    _l("the request does not satisfy the contract"),
    _l("the query string does not satisfy the contract"),
    _l("an unexpected error: quote the request_id when reporting it"),
    _l("malformed JSON: %(detail)s"),
    _l("send application/json (or application/merge-patch+json)"),
    _l("sign in or send 'Authorization: Bearer <token>'"),
    _l("send a valid 'Authorization: Bearer <token>': unknown, expired or revoked"),
    _l(
        "send a valid API token as the Basic password, with the token owner's e-mail or 'token' as the "
        "user name: unknown, expired or revoked"
    ),
    _l("unreadable 'Authorization: Basic' header: send the base64 of '<user name>:<API token>'"),
    _l("HTTP Basic credentials are accepted on /api/, /ogc and /tiles/ only: sign in on the page"),
    _l(
        "HTTP Basic credentials are accepted from programs (GIS clients, scripts), not from another "
        "site's page"
    ),
    _l(
        "a browser session is accepted only from Observo's own pages: another site cannot make this "
        "request in your name (scripts: send a bearer token)"
    ),
    _l("administrators only"),
    _l("administrators and the organisation's auditors only"),
    _l("no access rule for %(method)s %(endpoint)s: refused"),
    _l("send If-Match with the ETag you read"),
    _l("If-Match does not name a current version of this object"),
    _l("rate limit of %(limit)s reached: retry in %(seconds)s s"),
    _l("give this parameter once"),
    _l("a query parameter is repeated"),
    _l("tiles take no query parameters"),
    _l("not a tile address: /{z}/{x}/{y}.mvt"),
    _l("z must be between 0 and %(max)s"),
    _l("%(name)s must be a non-negative integer"),
    _l("%(name)s must be below 2^z = %(limit)s"),
    _l("more than %(limit)s cells: lower the zoom or shrink the bbox"),
    _l("f must be one of %(choices)s"),
    _l("PDF output is not available on this server (WeasyPrint or Pango missing: %(detail)s); use the page"),
    _l("the request names a host this site does not serve (OBSERVO_TRUSTED_HOSTS)"),
    # not found (no existence leak: the same words for hidden and missing objects)
    _l("no export file at this address: it never existed or has expired (ask for a new one)"),
    _l("no camera %(id)s of %(owner)s"),
    _l("no camera %(id)s"),
    _l("no collection %(id)s: the collection is %(collection)s"),
    _l("no intervention %(id)s"),
    _l("no organisation %(slug)s"),
    _l("no pact %(slug)s of yours"),
    _l("no pact %(slug)s"),
    _l("no place %(id)s"),
    _l("no preservation request %(id)s in intervention %(intervention)s"),
    _l("no token %(id)s"),
    _l("no user %(id)s"),
    _l("no user with e-mail %(email)s"),
    # permissions
    _l("you may read this camera but not change it"),
    _l("you may read this place but not change it"),
    _l("you may not register cameras for %(slug)s"),
    _l("you may not register places for %(slug)s"),
    _l("you may create tokens only for yourself"),
    _l("you may revoke only your own tokens"),
    _l("you cannot deactivate yourself"),
    _l("you cannot demote yourself"),
    _l("only administrators manage organisations, pacts and users"),
    _l("only users of the lead organisation change an intervention"),
    _l("an intervention is led by your own organisation"),
    _l("reading the audit log needs an administrator or an auditor"),
    _l("coverage needs a signed-in user"),
    _l("searching by area needs a signed-in user"),
    _l("fields of view are shown to signed-in users only"),
    _l("filtering by %(parameter)s needs a signed-in user"),
    # versions and conflicts
    _l("camera %(id)s was changed meanwhile"),
    _l("camera %(id)s is at version %(current)s, not %(expected)s"),
    _l("intervention %(id)s was changed meanwhile"),
    _l("intervention %(id)s is at version %(current)s, not %(expected)s"),
    _l("place %(id)s was changed meanwhile"),
    _l("place %(id)s is at version %(current)s, not %(expected)s"),
    _l("request %(id)s was changed meanwhile"),
    _l("request %(id)s is at version %(current)s, not %(expected)s"),
    _l("a user with e-mail %(email)s already exists"),
    _l("organisation %(slug)s already exists"),
    _l("pact %(slug)s already exists"),
    _l("ISTAT code %(code)s already belongs to another organisation"),
    _l("the organisation already has a place named %(name)s"),
    _l("%(email)s already has an active token named %(name)s"),
    _l("%(email)s has no active token named %(name)s"),
    # what a write lacks or breaks
    _l("the camera's attributes are inconsistent"),
    _l("a camera that records needs retention_hours"),
    _l("valid_until is before valid_from"),
    _l("a temporary camera needs valid_until"),
    _l("a camera needs a position"),
    _l("missing"),
    _l("the id is set by the server"),
    _l("%(name)s is set by the server"),
    _l("%(name)s cannot be changed"),
    _l("%(name)s is read-only here"),
    _l("fov is computed unless fov_method is 'drawn'"),
    _l("bearing_deg is required for a camera that does not see all round."),
    _l(
        "A head with hfov_deg %(hfov)s < 360 needs bearing_deg (the centre of its view), or "
        "direction_unknown=true."
    ),
    _l("The field of view must contain or touch the camera; it is %(gap)s m away."),
    _l("A vertex of the field of view is %(reach)s m from the camera; at most %(max)s m is allowed."),
    _l("the user cannot be created"),
    _l("the user cannot be changed"),
    _l("the organisation cannot be created"),
    _l("the organisation cannot be changed"),
    _l("the pact cannot be created"),
    _l("the pact cannot be changed"),
    _l("some fields cannot be changed"),
    _l("not an e-mail address"),
    _l("role must be one of %(roles)s"),
    _l("a token needs a name"),
    _l("bad expiry"),
    _l("1 to %(max)s days"),
    _l("true or false"),
    _l("a non-empty text"),
    _l("at most %(size)s characters"),
    _l("lower-case letters, digits and single hyphens"),
    _l("six digits, e.g. 019036"),
    _l("one of %(choices)s"),
    _l("unknown organisation"),
    _l("unknown pact"),
    _l("an organisation cannot federate under itself"),
    _l("%(slug)s is %(organisation)s or federates under it"),
    _l("a list of at most %(max)s origins"),
    _l("an origin such as https://www.comune.it"),
    _l("0 to 10000 metres"),
    _l("at most %(limit)s metres"),
    _l("near and radius go together"),
    _l("a point or a route needs buffer_m > 0 (the disc's radius, the corridor's half-width)"),
    _l("the area is %(area)s km², more than %(limit)s km²"),
    _l("the place covers %(area)s km², more than %(limit)s km²"),
    _l("the target is %(area)s km², more than %(limit)s km²"),
    _l("a place cannot move to another organisation"),
    _l("the place needs a name"),
    _l("name the organisation the place belongs to"),
    _l("which organisation's place is it?"),
    _l("name the lead organisation"),
    _l("the window ends before it starts"),
    _l("the request names cameras the owner does not have"),
    _l("a reason is required (the case or protocol number)"),
    _l("a reason needs at least %(count)s letters or digits (the case or protocol number)"),
    _l("a reason is at most %(count)s characters"),
    _l("this intervention has no valid reason: set one (PATCH `reason`) before this read"),
    _l("text may not contain NUL (U+0000) characters"),
    # imports (the answer's own detail; a row's problems are in errors[], with the words above)
    _l("every row was refused (%(rows)s rows, %(problems)s problems): nothing was imported"),
    _l(
        "%(problems)s problems in %(rows)s rows: nothing was imported (fix them, or import with "
        "skip_invalid to write the valid rows)"
    ),
    _l("importing cameras needs an editor or an administrator"),
    _l("you may not import cameras for %(slug)s"),
    _l("no import %(id)s"),
    _l("bad import options: %(detail)s"),
    _l("the file is empty"),
    _l("the file has no rows: nothing to import"),
    _l("send multipart/form-data with a `file`, or the file as the body (e.g. text/csv)"),
    _l("a background import runs for a user account: sign in or use a user's token"),
    # obstacles (issue 20): imports of building footprints and walls
    _l("you may not change the obstacles of %(owner)s"),
    _l("name the layer (source) the file replaces: it has no file name"),
    _l("a %(format)s file has no shapes: send GeoJSON, OpenStreetMap, a Shapefile, GeoPackage or KML"),
    _l("the Overpass answer says: %(remark)s (the extract may be incomplete)"),
    _l("the file holds no building footprint (areas, building=*) and no wall (lines, barrier=wall)"),
    _l("expected a GeoJSON FeatureCollection or an Overpass JSON answer (elements)"),
    _l("expected a Feature with properties"),
    _l("the geometry cannot be read: %(detail)s"),
    _l("layer %(layer)s holds points, not areas or lines: not read"),
    _l("the feature has no geometry"),
    _l("a %(type)s is not an obstacle: buildings are areas, walls lines"),
    _l("a building way must be closed (its last node is its first)"),
    _l("node %(id)s is not in the file: export the ways with their nodes ((._;>;); out; or out geom)"),
    _l("the way has no nodes in the file: export the ways with their nodes ((._;>;); out; or out geom)"),
    _l("member way %(id)s is not in the file: export the relation with its ways"),
    _l("its outer member ways do not close into rings"),
    _l("its rings enclose no area"),
    _l(
        "a building %(span)s m across is not a footprint (at most %(max)s m): a boundary or a land-use "
        "area tagged as a building?"
    ),
    _l("send multipart/form-data with the layer as `file`"),
    _l(
        "%(key)s=%(value)s is not a height in metres, e.g. 12 or 12,5 m: the height is read from "
        "the next key, else unknown"
    ),
    _l("%(key)s=%(value)s is not a number of storeys: the height is read from the next key, else unknown"),
    _l("the file has %(count)s problem(s): nothing was imported"),
    _l("the source names the layer the import replaces"),
    _l("bad import fields: %(problem)s"),
    # imports: report rows (errors[], warnings[], the file's warnings, a job's failure)
    _l("no organisation '%(name)s'"),  # a file's owner column holds names, spaces and all
    _l("%(column)s: %(problem)s"),
    _l("%(key)s=%(value)s: %(problem)s"),
    _l("OSM %(label)s: %(problem)s"),
    _l("%(value)s is not a number"),
    _l("%(value)s is not a whole number"),
    _l("%(value)s is not an OpenStreetMap node id (123 or node/123)"),
    _l("%(value)s is not yes/no (true/false, sì/no)"),
    _l("%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
    _l("read %(value)s as month/day/year: %(date)s"),
    _l("read %(value)s as day/month/year: %(date)s"),
    _l("%(value)s is not a date of the calendar"),
    _l("read %(value)s as %(found)s"),
    _l("%(value)s is not one of %(choices)s: recorded as 'other', the value kept"),
    _l("%(value)s is not one of %(choices)s: left out, the value kept"),
    _l("%(value)s is not a %(what)s: expected one of %(choices)s"),
    _l("read %(value)s as ISTAT code %(code)s"),
    _l("%(value)s is not an ISTAT code (six digits): left out, the value kept"),
    _l("%(value)s is not an organisation: owner %(owner)s, the value kept"),
    _l('expected a JSON object of tags ({"key": "value"})'),
    _l("not a WKT polygon (%(reason)s)"),
    _l("%(value)s is not a camera id"),
    _l("set by Observo, ignored: %(names)s"),
    _l("%(first)s and %(second)s are required"),
    _l("the position is required"),
    _l("%(value)s is not a WKT point"),
    _l("no camera type given: a fixed camera"),
    _l(
        "a %(what)s camera without a direction: registered with its direction unknown (it covers nothing "
        "until a bearing is given)"
    ),
    _l(
        "rows that say neither whether the camera records (records, registra) nor for how long "
        "(retention_hours, conservazione_ore) are imported as not recording (records=false)"
    ),
    _l("column %(column)s ignored (the column map says '-')"),
    _l("column map %(column)s=%(target)s: the file has no column %(name)s"),
    _l("%(value)s is not a direction"),
    _l(
        "%(problem)s; expected degrees clockwise from north (90, 90.5, 15°), a compass point (N, NNE ... "
        "NNW) or word (north, nord-est), or a clockwise range like 300-60; several separated by ';'"
    ),
    _l("%(problem)s (and %(more)s more of the %(count)s values)"),
    _l(
        "%(value)s is ambiguous: O is ovest (west) in Italian but Ost (east) in German; write the degrees "
        "or the word (nord-ovest, north-east...)"
    ),
    _l("the range %(value)s has no end"),
    _l("the range %(value)s splits in more than one way; write degrees like 300-60"),
    _l("the range %(value)s has zero width (ambiguous); give one direction instead"),
    _l("the range %(value)s is narrower than 1 degree; give one direction instead"),
    _l("%(value)s lists %(count)s directions; at most %(max)s heads per camera"),
    _l("%(value)s is too long for a direction (%(count)s characters)"),
    _l("a direction is text, not %(type)s"),
    _l("ignored the empty entries of %(value)s"),
    _l("read %(value)s as the decimal %(number)s (write %(pair)s for two directions)"),
    _l("read ',' as a separator between directions (OpenStreetMap separates them with ';')"),
    _l("read %(value)s as %(degrees)s degrees"),
    _l("read %(value)s as %(degrees)s degrees (negative: counted back from north)"),
    _l("read %(value)s as %(degrees)s degrees (whole turns removed)"),
    _l("Longitude %(value)s is outside the allowed area [%(min)s, %(max)s]."),
    _l("Latitude %(value)s is outside the allowed area [%(min)s, %(max)s]."),
    _l("Longitude %(value)s is outside the valid range [%(min)s, %(max)s]."),
    _l("Latitude %(value)s is outside the valid range [%(min)s, %(max)s]."),
    _l(
        "unknown CRS %(value)s: name the CRS of the coordinates (--crs, or the API's crs option), e.g. "
        "EPSG:3003 or EPSG:32632"
    ),
    _l(
        "the coordinates (%(x)s, %(y)s) are not degrees and the file does not say its CRS: name the CRS "
        "of the coordinates (--crs, or the API's crs option), e.g. EPSG:3003 or EPSG:32632"
    ),
    _l("the file does not say its CRS: its coordinates look like degrees, read as WGS84 (EPSG:4326)"),
    _l(
        "the coordinates are northing, easting: (%(x)s, %(y)s) is outside the area of %(crs)s and read "
        "the other way round it is inside; every position is read that way"
    ),
    _l(
        "%(cells)s cells for %(columns)s columns: is a delimiter (%(delimiter)s) missing or extra, or a "
        "quote not closed?"
    ),
    _l("0 rows: the file has a header and no data rows"),
    _l("skipped %(count)s line(s) above the header: %(titles)s"),
    _l("no header line"),
    _l("line %(line)s: %(reason)s"),
    _l("unreadable CSV: line %(line)s: %(reason)s"),
    _l(
        "the file is not UTF-8: read as %(encoding)s; if accented letters look wrong, name the encoding "
        "(the encoding option)"
    ),
    _l("the file contains a NUL character (line %(line)s, column %(position)s): not a text file"),
    _l("unknown encoding %(value)s: name one such as utf-8, windows-1252, latin-1 or utf-16"),
    _l("a Shapefile is several files: send them in one .zip (.shp, .shx, .dbf and .prj)"),
    _l(
        "unknown file format %(value)s: send CSV, GeoJSON, OpenStreetMap (.osm, .osm.pbf, Overpass JSON), "
        "a zipped Shapefile, a GeoPackage or KML, or name the format"
    ),
    _l("unknown format %(value)s"),
    _l("expected a GeoJSON Feature"),
    _l("properties must be an object"),
    _l("the feature has no geometry: a camera needs a Point"),
    _l("the feature has no geometry: a camera needs a point"),
    _l("a MultiPoint of one point: read as that Point"),
    _l("a MultiPoint of one point: read as that point"),
    _l("a MultiPoint of %(count)s points is not a camera position: only Point features are cameras"),
    _l("a %(type)s is not a camera position: only Point features are cameras"),
    _l("a MultiPoint of %(count)s points is not a camera position: only points are cameras"),
    _l("a %(type)s is not a camera position: only points are cameras"),
    _l("a Point needs [longitude, latitude] coordinates"),
    _l("the coordinates %(value)s are not numbers"),
    _l("an empty point is not a camera position"),
    _l("0 rows: the FeatureCollection is empty"),
    _l("0 rows: the layer has no features"),
    _l("read layer %(layer)s, the first point layer; not read: %(layers)s"),
    _l("not a readable zip file (%(reason)s)"),
    _l("the zip holds no .shp file (it holds %(files)s): zip the .shp, .shx, .dbf and .prj together"),
    _l("the Shapefile is over %(size)s MB unpacked"),
    _l("GDAL cannot read this %(format)s file: %(reason)s"),
    _l("GDAL cannot read layer %(layer)s: %(reason)s"),
    _l("the file has no point layer (layers: %(layers)s): cameras are points"),
    _l("KML folder %(layer)s holds no points (%(count)s placemark): not read"),
    _l("KML folder %(layer)s holds no points (%(count)s placemarks): not read"),
    _l("%(format)s is not an OpenStreetMap format (%(formats)s)"),
    _l("0 rows: the file has no node tagged man_made=surveillance"),
    _l("the Overpass answer says: %(remark)s (the extract may be incomplete: query again)"),
    _l("an Overpass element is an object with type, id and tags"),
    _l("expected OSM data as a GeoJSON FeatureCollection or an Overpass JSON answer (elements)"),
    _l("the file's coordinates are in %(crs)s: export OpenStreetMap data in WGS84 (EPSG:4326)"),
    _l("an OSM feature is a GeoJSON Feature with properties"),
    _l(
        "%(shapes)s tagged man_made=surveillance skipped: a camera is a node (map each camera as a node "
        "to import it)"
    ),
    _l("%(count)s element without man_made=surveillance skipped (the nodes of ways, other features)"),
    _l("%(count)s elements without man_made=surveillance skipped (the nodes of ways, other features)"),
    _l("%(count)s element marked deleted skipped"),
    _l("%(count)s elements marked deleted skipped"),
    _l("type %(value)s is not node, way or relation"),
    _l("tags are an object of text values"),
    _l("malformed OSM XML at line %(line)s, column %(position)s: %(reason)s"),
    _l("an .osm file has no DOCTYPE or entity declarations: remove them"),
    _l("expected an OpenStreetMap XML file (root <osm>), not <%(tag)s>"),
    _l("the file is not a readable .osm.pbf: %(reason)s"),
    _l("the node has no valid position"),
    _l("an OSM feature needs its id (node/123) for osm_id"),
    _l("%(value)s is not an OSM id like node/123"),
    _l("%(value)s is not an OSM id (a whole number)"),
    _l(
        "%(kind)s id %(number)s is not in OpenStreetMap (JOSM numbers new objects from -1): upload it "
        "first, or import the cameras as GeoJSON or CSV"
    ),
    _l("the node has no %(coordinate)s"),
    _l(
        "the node has no %(coordinate)s (Overpass gives positions with `out body` or `out center`, not "
        "`out tags`)"
    ),
    _l("%(coordinate)s=%(value)s is not a longitude (-%(min)s to %(max)s)"),
    _l("%(coordinate)s=%(value)s is not a latitude (-%(min)s to %(max)s)"),
    _l("%(label)s: only nodes map to cameras (a camera is a point)"),
    _l("%(key)s must be text, not %(type)s"),
    _l("needs man_made=surveillance"),
    _l("%(key)s is longer than %(size)s characters"),
    _l("%(key)s=%(value)s is %(what)s, not a camera: Observo registers cameras"),
    _l(
        "%(key)s=%(value)s is not one of Observo's values (%(choices)s): read as %(found)s; tag kept as "
        "it came"
    ),
    _l(
        "%(key)s=%(value)s is not one of Observo's values (%(choices)s): no %(property)s set; tag kept as "
        "it came"
    ),
    _l("%(key)s=%(value)s is not a number of %(unit)s"),
    _l("%(key)s=%(value)s is outside %(min)s to %(max)s %(unit)s"),
    _l("%(key)s=%(value)s: read as the day %(day)s"),
    _l(
        "%(key)s=%(value)s is not a full date (YYYY-MM-DD): %(property)s left empty; the tag is kept as "
        "it came"
    ),
    _l("%(key)s=%(value)s is not a date (YYYY-MM-DD, or 2019, 2019-05...)"),
    _l("indoor=%(value)s is neither yes nor no: indoor not set"),
    _l("indoor=%(value)s: read as indoor=yes"),
    _l("the address from %(keys)s is longer than %(size)s characters"),
    _l("the node has %(count)s tags; at most %(max)s are kept per camera"),
    _l("a tag key has 1 to 255 characters"),
    _l("%(key)s=%(value)s: read as %(metres)s metres"),
    _l(
        "a fixed camera without a direction: registered with its direction unknown (it covers only its "
        "own spot until the direction is surveyed)"
    ),
    _l(
        "a plate reader without a direction: registered with its direction unknown (it covers only its "
        "own spot until the direction is surveyed)"
    ),
    _l("camera:count=%(value)s is not a whole number 1-%(max)s: one head per direction"),
    _l("camera:count=%(count)s: %(heads)s heads, none with a direction (the node gives none)"),
    _l("camera:count=%(count)s but %(given)s direction: %(heads)s heads, %(missing)s without a direction"),
    _l("camera:count=%(count)s but %(given)s directions: %(heads)s heads, %(missing)s without a direction"),
    _l("camera:count=%(count)s but %(given)s direction: one head per direction"),
    _l("camera:count=%(count)s but %(given)s directions: one head per direction"),
    _l("row %(row)s already imported the camera with this %(key)s"),
    _l("row %(row)s already imported OSM node %(id)s"),
    _l("refused by the database: %(reason)s"),
    _l("the row could not be read"),
    _l("%(value)s is not an Observo id or code (such as 42 or OBS-000042): not used as a key"),
    _l("the id %(id)s and the code %(code)s name different cameras: neither is used as a key"),
    _l("id %(id)s names no camera of %(owner)s: imported as a new camera"),
    _l("key=%(key)s but the row has none: imported as a new camera"),
    _l("ref %(ref)s is already %(whose)s's: this camera is registered without it"),
    _l("camera %(id)s gives its ref %(ref)s up to another head of the node"),
    _l(
        "camera %(id)s (%(camera)s) is %(metres)s m away: if it is the same camera, give the row its ref "
        "(or import with key=position) instead of registering it twice"
    ),
    _l(
        "interrupted: the server stopped while this import waited or ran, and nothing was written (its "
        "transaction was rolled back); upload the file again"
    ),
    _l("an internal error stopped the import"),
    # geometry
    _l("Invalid geometry: %(reason)s"),
    _l("The geometry has no coordinates."),
    _l("A geometry must be a GeoJSON object."),
    _l("Geometry type must be one of: %(types)s."),
    _l("A geometry needs coordinates."),
    _l("Expected a list of coordinates."),
    _l("A position is a list of 2 or 3 numbers."),
    _l("A coordinate must be a number."),
    _l("Coordinate is far outside the valid range."),
    _l("Coordinates must be finite numbers (no NaN or Infinity)."),
    _l("A line needs at least 2 distinct positions."),
    _l("A ring's last position must equal its first."),
    _l("A polygon of the multipolygon has no rings."),
    # a box or a position in lon/lat (the API's and the OGC API's bbox, near)
    _l("expected %(count)s comma-separated numbers: %(shape)s"),
    _l("NaN and infinities are not positions"),
    _l("longitudes lie within -180..180 and latitudes within -90..90"),
    _l("the minimum must not exceed the maximum (minLon,minLat,maxLon,maxLat)"),
    _l("the box lies outside the registry's extent %(extent)s"),
    _l("the box covers %(area)s km², more than %(limit)s"),
    _l("the position looks like lat,lon: send longitude first (lon,lat)"),
    _l("the position lies outside the registry's extent %(extent)s"),
    # the OGC API: CRSs (Part 2), datetime (Part 1), CQL2 filters (Part 3), collections. A CRS or a
    # datetime as given, a queryable's name as written and a literal may hold spaces: free text.
    _l("unsupported CRS %(value)s; supported: %(choices)s"),
    _l("a bbox is 4 finite comma-separated numbers (6 with heights), in the order of bbox-crs"),
    _l("the bbox's lower corner must not exceed its upper corner"),
    _l("the coordinates lie outside the area where %(crs)s is defined"),
    _l("%(value)s is not an RFC 3339 date-time with its offset (e.g. 2024-05-01T10:00:00Z) or a date"),
    _l("an interval needs at least one bound: '../2024-05-01T00:00:00Z' or '2024-05-01T00:00:00Z/..'"),
    _l("the interval ends before it starts"),
    _l("the filter is empty"),
    _l("a filter has at most %(max)s characters"),
    _l("the filter nests too deeply"),
    _l("not CQL2 text: %(detail)s"),  # the parser's own message, kept as it came
    _l("%(operator)s is not supported here"),
    _l("the literal %(value)s as a condition is not supported here"),
    _l("a queryable is compared with a literal, not another queryable"),
    _l("each condition compares a queryable with a literal"),
    _l("%(given)s is not a queryable here; these are: %(names)s"),
    _l("%(queryable)s cannot be ordered: use = or IN"),
    _l("LIKE compares text: %(queryable)s is not text"),
    _l("S_INTERSECTS needs the geometry, not %(queryable)s"),
    _l("%(queryable)s is a whole number"),
    _l("%(queryable)s is compared with a number, not %(value)s"),
    _l("%(queryable)s is compared with a 'quoted string', not %(value)s"),
    _l("%(queryable)s is compared with a TIMESTAMP('...Z') or DATE('...'), not %(value)s"),
    _l("%(queryable)s is compared with a 'quoted string'"),
    _l("the geometry literal is not a valid geometry"),
    _l("S_INTERSECTS takes a geometry literal (POINT, POLYGON, BBOX...)"),
    _l("a geometry literal has at most %(max)s positions"),
    _l("the geometry literal is empty or not valid (self-intersecting?)"),
    _l("BBOX takes 4 numbers (6 with heights)"),
    _l("a BBOX's lower corner must not exceed its upper corner"),
    _l("no collection %(given)s: the collections are %(names)s"),
    _l("no collection %(id)s"),
    # marshmallow's own messages (schemas)
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Invalid type."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid email address."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid list."),
    _l("Not a valid mapping type."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Must be one of: %(choices)s."),
    _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    _l("Must be greater than or equal to %(min)s."),
    _l("Must be less than or equal to %(max)s."),
    _l("Must be greater than %(min)s."),
    _l("Must be less than %(max)s."),
    _l("Length must be between %(min)s and %(max)s."),
    _l("Longer than maximum length %(max)s."),
    _l("Shorter than minimum length %(min)s."),
    # the police's verification of owners' cameras (services/verifications.py)
    _l("only the editors of the sponsoring municipality verify owners' cameras"),
    _l("no declaration %(id)s"),
    _l("declaration %(id)s is at version %(current)s, not %(expected)s"),
    _l("declaration %(id)s is %(status)s: nothing to decide"),
    _l("the declaration was changed meanwhile"),
    _l("a reason is required"),
    _l("tell the owner why"),
    # the owners' API (api/owner.py, http/owner_auth.py, services/owner_tokens.py)
    _l("send 'Authorization: Bearer <owner token>': the owners' API takes owner tokens only"),
    _l("send a valid owner token ('Authorization: Bearer obo_…'): unknown, expired or revoked"),
    _l("the declaration is not valid"),
    _l("this position is outside the area the registry covers"),
    _l("you already have an active token named %(name)s"),
    _l("declaration %(id)s is already %(status)s"),
    _l("no preservation request %(id)s"),
    _l("unknown answer"),
    _l("a refusal needs a reason"),
)


@cache
def _index() -> tuple[frozenset[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Details without placeholders (looked up whole), and patterns for the others: the longest
    fixed text first, so "no camera 5 of 'x'" is not read as camera "5 of 'x'"."""
    exact = frozenset(text for text in DETAILS if not _PLACEHOLDER.search(text))
    patterned = []
    for text in DETAILS:
        parts = _PLACEHOLDER.split(text)  # literal, name, literal, name, ..., literal
        if len(parts) == 1:
            continue
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FREE if part in _FREE_TEXT else _WORD})"
            for i, part in enumerate(parts)
        )
        fixed = sum(len(part) for part in parts[::2])
        patterned.append((fixed, re.compile(regex, re.S), text))
    patterned.sort(key=lambda item: -item[0])
    return exact, tuple((pattern, text) for _fixed, pattern, text in patterned)


def localise(detail: str) -> str:
    """`detail` in the request's language; unchanged in English, or when it is not in DETAILS."""
    if not detail or str(get_locale() or "en") == "en":
        return detail
    exact, patterned = _index()
    if detail in exact:
        return gettext(detail)
    for pattern, text in patterned:
        if found := pattern.fullmatch(detail):
            values = {
                name: localise(value) if name in _NESTED else value
                for name, value in found.groupdict().items()
            }
            return gettext(text, **values)
    return detail
