-- Every (ancestor, descendant) pair of the org hierarchy. Depth is capped so that a
-- cycle in a user's org file cannot loop forever.
DELETE FROM org_closure;
INSERT INTO org_closure
WITH RECURSIVE walk(ancestor_id, unit_id, depth) AS (
    SELECT unit_id, unit_id, 0 FROM org_units
    UNION ALL
    SELECT u.parent_id, w.unit_id, w.depth + 1
    FROM walk w
    JOIN org_units u ON u.unit_id = w.ancestor_id
    WHERE u.parent_id IS NOT NULL AND w.depth < 12
)
SELECT DISTINCT ancestor_id, unit_id, depth FROM walk;
