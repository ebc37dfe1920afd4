-- Active accounts sharing an ID number, a phone, a meter asset number, or (with the same
-- name) a normalised address. Every account of a group is a suspect.
WITH active AS (
    SELECT customer_id, unit_id, name, id_number, phone, meter_asset_no,
           regexp_replace(lower(coalesce(address, '')), '[\s,，.。#\-－号()（）]', '', 'g') AS addr
    FROM customers WHERE status = 'normal'
),
keys AS (
    SELECT customer_id, unit_id, 'ID number' AS field, id_number AS value FROM active WHERE id_number <> ''
    UNION ALL SELECT customer_id, unit_id, 'phone', phone FROM active WHERE phone <> ''
    UNION ALL SELECT customer_id, unit_id, 'meter asset number', meter_asset_no FROM active WHERE meter_asset_no <> ''
    UNION ALL SELECT customer_id, unit_id, 'name and address', name || '|' || addr FROM active WHERE addr <> ''
),
groups AS (
    SELECT field, value, list(customer_id ORDER BY customer_id) AS accounts
    FROM keys GROUP BY field, value HAVING count(*) > 1
),
per AS (
    SELECT k.customer_id, k.unit_id,
           string_agg(DISTINCT g.field, ', ' ORDER BY g.field) AS shared,
           list_sort(list_distinct(flatten(list(list_filter(g.accounts, lambda x: x <> k.customer_id))))) AS others
    FROM keys k JOIN groups g ON g.field = k.field AND g.value = k.value
    GROUP BY ALL
)
SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id, NULL::DATE AS period,
       0.0 AS amount,
       CASE WHEN shared LIKE '%ID number%' OR shared LIKE '%meter%' THEN 0.9 ELSE 0.7 END AS confidence,
       shared, array_to_string(others, ', ') AS other_accounts
FROM per
