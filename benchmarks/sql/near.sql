-- W5 floor: cameras within 200 m (geodesic, WGS84 spheroid), first page of 100. The && on a box
-- around the point lets GiST work; ST_DWithin on geography decides exactly.
\set lon $lon0 + random_gaussian(-1000000, 1000000, $lon_p) * $lon_spread / 1000000.0
\set lat $lat0 + random_gaussian(-1000000, 1000000, $lat_p) * $lat_spread / 1000000.0
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'location', 7)::json), '[]'::json))::text
FROM (SELECT $columns FROM cameras c
      WHERE c.location && ST_Expand(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
                                    200.0 / (111320.0 * cos(radians(:lat))))
        AND ST_DWithin(c.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 200)
        AND $listed
      LIMIT 100) t;
