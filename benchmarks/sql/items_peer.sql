-- W1/W3 floor, peer semantics: what tipg and pygeoapi do (exact numberMatched over every match,
-- page ORDER BY id), on every row of the table (the peers have no read scope).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'numberMatched', (SELECT count(*) FROM cameras c
                      WHERE ST_Intersects(c.location, ST_MakeEnvelope($bbox, 4326))),
    'numberReturned', count(*),
    'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'location', 7)::json), '[]'::json))::text
FROM (SELECT $columns FROM cameras c
      WHERE ST_Intersects(c.location, ST_MakeEnvelope($bbox, 4326))
      ORDER BY c.id LIMIT $limit) t;
