-- Active accounts sharing an ID number, a phone, a meter asset number, or (with the same
-- name) a normalised address. Every account of a group is a suspect.
-- The address is normalised by deleting spaces and punctuation with translate (one list of
-- characters, deleted wherever they are on both engines); the other accounts are joined as
-- text from a sorted array, the form Spark and DuckDB both write as "[a, b]".
WITH active AS (
    SELECT customer_id, unit_id, name, id_number, phone, meter_asset_no,
           translate(lower(coalesce(address, '')),
                     ' ' || chr(9) || chr(10) || chr(12) || chr(13) || ',，.。#-－号()（）', '') AS addr
    FROM customers WHERE status = 'normal'
),
keys AS (
    SELECT customer_id, unit_id, 'ID number' AS field, id_number AS value FROM active WHERE id_number <> ''
    UNION ALL SELECT customer_id, unit_id, 'phone', phone FROM active WHERE phone <> ''
    UNION ALL SELECT customer_id, unit_id, 'meter asset number', meter_asset_no FROM active WHERE meter_asset_no <> ''
    UNION ALL SELECT customer_id, unit_id, 'name and address', name || '|' || addr FROM active WHERE addr <> ''
),
-- Each account with every other account that shares one of its values.
pairs AS (
    SELECT k.customer_id, k.unit_id, k.field, o.customer_id AS other_id
    FROM keys k JOIN keys o ON o.field = k.field AND o.value = k.value AND o.customer_id <> k.customer_id
),
per AS (
    SELECT customer_id, unit_id,
           concat_ws(', ',
                     max(CASE WHEN field = 'ID number' THEN field END),
                     max(CASE WHEN field = 'meter asset number' THEN field END),
                     max(CASE WHEN field = 'name and address' THEN field END),
                     max(CASE WHEN field = 'phone' THEN field END)) AS shared,
           CAST(array_sort(array_agg(DISTINCT other_id)) AS STRING) AS others
    FROM pairs
    GROUP BY customer_id, unit_id
)
SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id, NULL::DATE AS period,
       0.0 AS amount,
       CASE WHEN shared LIKE '%ID number%' OR shared LIKE '%meter%' THEN 0.9 ELSE 0.7 END AS confidence,
       shared, substr(others, 2, length(others) - 2) AS other_accounts
FROM per
