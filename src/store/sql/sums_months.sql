-- The months every prebuilt sum is built for: from the first to the last month any data
-- table covers. A temporary table of the rebuild (kpi.rs), dropped at its end.
CREATE OR REPLACE TEMP TABLE rebuild_months AS
WITH span AS (
    SELECT min(m) AS first_m, max(m) AS last_m FROM (
        SELECT min(billing_month) AS m FROM bills UNION ALL SELECT max(billing_month) FROM bills
        UNION ALL SELECT min(month) FROM line_loss UNION ALL SELECT max(month) FROM line_loss
        UNION ALL SELECT date_trunc('month', min(energised_at))::DATE FROM applications
        UNION ALL SELECT date_trunc('month', max(energised_at))::DATE FROM applications
        UNION ALL SELECT date_trunc('month', min(received_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', max(received_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', min(deadline_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', max(deadline_at))::DATE FROM tickets
        UNION ALL SELECT date_trunc('month', min(start_at))::DATE FROM outages
        UNION ALL SELECT date_trunc('month', max(start_at))::DATE FROM outages
    )
)
SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
FROM span, range(span.first_m, span.last_m + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
WHERE span.first_m IS NOT NULL;
