-- W4 floor: cameras whose field of view contains a point (GiST on fov), first page of 100.
\set lon $lon0 + random_gaussian(-1000000, 1000000, $lon_p) * $lon_spread / 1000000.0
\set lat $lat0 + random_gaussian(-1000000, 1000000, $lat_p) * $lat_spread / 1000000.0
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'location', 7)::json), '[]'::json))::text
FROM (SELECT $columns FROM cameras c
      WHERE ST_Intersects(c.fov, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) AND $listed
      LIMIT 100) t;
