-- W7 floor: counts per Web Mercator cell (4 x 4 per tile at zoom 8) by camera type, on the
-- generalised positions, over all of Piemonte; one GeoJSON Point per cell at its mean position.
-- The box covers ~63 % of the table, so the test is on ST_X/ST_Y (same rows for points, edges
-- included): with ST_Intersects the planner walks the GiST index and the heap at random (~2x slower).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'geometry', json_build_object('type', 'Point', 'coordinates',
                                      json_build_array(round((sx / n)::numeric, 6), round((sy / n)::numeric, 6))),
        'properties', json_build_object('count', n, 'by_type', by_type)) ORDER BY ix, iy), '[]'::json))::text
FROM (SELECT ix, iy, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy, json_object_agg(camera_type, n) AS by_type
      FROM (SELECT floor(6378137.0 * radians(ST_X(c.public_location)) / $cell_m)::int AS ix,
                   floor(6378137.0 * ln(tan(pi() / 4 + radians(ST_Y(c.public_location)) / 2)) / $cell_m)::int AS iy,
                   c.camera_type, count(*) AS n,
                   sum(ST_X(c.public_location)) AS sx, sum(ST_Y(c.public_location)) AS sy
            FROM cameras c
            WHERE ST_X(c.public_location) BETWEEN $west AND $east
              AND ST_Y(c.public_location) BETWEEN $south AND $north AND $listed
            GROUP BY 1, 2, 3) g
      GROUP BY ix, iy) cells;
