-- W6 floor: active cameras located in, or whose field of view intersects, a ~1 km² square; first
-- page of 100 with the relation (inside / sees_into). "Active" is spelt as NOT IN the other
-- statuses (the same rows under the CHECK constraint): with = 'active' the planner ANDs in the
-- btree on status (86 % of the table) and the query takes ~170 ms instead of ~15 ms.
\set lon $lon0 + random_gaussian(-1000000, 1000000, $lon_p) * $lon_spread / 1000000.0
\set lat $lat0 + random_gaussian(-1000000, 1000000, $lat_p) * $lat_spread / 1000000.0
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'location', 7)::json), '[]'::json))::text
FROM (SELECT $columns,
             CASE WHEN ST_Intersects(c.location, $square) THEN 'inside' ELSE 'sees_into' END AS relation
      FROM cameras c
      WHERE (ST_Intersects(c.location, $square) OR ST_Intersects(c.fov, $square)) AND $readable
        AND c.status NOT IN ('planned', 'faulty', 'inactive', 'decommissioned')
      LIMIT 100) t;
