-- Every org unit with the number of customers in its subtree; parents before children.
SELECT u.unit_id,
       u.parent_id,
       u.level,
       u.name_zh,
       u.name_en,
       coalesce(n.customers, 0) AS customers
FROM org_units u
LEFT JOIN (
    SELECT oc.ancestor_id, count(*) AS customers
    FROM customers c
    JOIN org_closure oc ON oc.unit_id = c.unit_id
    GROUP BY oc.ancestor_id
) n ON n.ancestor_id = u.unit_id
LEFT JOIN (SELECT unit_id, max(depth) AS depth FROM org_closure GROUP BY unit_id) d
       ON d.unit_id = u.unit_id
ORDER BY d.depth, u.unit_id
