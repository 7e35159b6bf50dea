-- W2 floor: one camera by primary key, as a GeoJSON Feature.
\set id random(1, $n)
SELECT ST_AsGeoJSON(t.*, 'location', 7)
FROM (SELECT $columns FROM cameras c WHERE c.id = :id) t;
