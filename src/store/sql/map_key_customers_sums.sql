-- map_key_customers.sql from the prebuilt monthly top 300 of each unit. $1: unit, $2: month,
-- $3: how many (at most 300). Continued by
-- map_key_customers_details.sql.
WITH month_kwh AS (
    SELECT customer_id, kwh
    FROM month_top_unit_month
    WHERE month = $2::DATE
      AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = $1)
    ORDER BY kwh DESC NULLS LAST, customer_id
    LIMIT $3
),
