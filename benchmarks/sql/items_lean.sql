-- W1/W3 floor, lean: the page a police viewer may read (public and shared, not decommissioned),
-- as GeoJSON built in the database; no count, no sort.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'location', 7)::json), '[]'::json))::text
FROM (SELECT $columns FROM cameras c
      WHERE ST_Intersects(c.location, ST_MakeEnvelope($bbox, 4326)) AND $listed
      LIMIT $limit) t;
