-- Adds to the session's store (kpi_direct_store.sql) which of the months $1 to $2 each
-- source table covers anywhere in the project, for the months it lacks.
INSERT INTO kpi_direct_coverage
WITH months AS (
    SELECT m::DATE AS m, (m + INTERVAL 1 MONTH)::DATE AS next_m
    FROM range($1::DATE, $2::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) t(m)
    WHERE m::DATE NOT IN (SELECT month FROM kpi_direct_coverage)
)
SELECT months.m,
       EXISTS (SELECT 1 FROM bills WHERE billing_month = months.m),
       EXISTS (SELECT 1 FROM line_loss WHERE month = months.m),
       EXISTS (SELECT 1 FROM applications WHERE energised_at >= months.m AND energised_at < months.next_m),
       EXISTS (SELECT 1 FROM tickets WHERE received_at >= months.m AND received_at < months.next_m),
       EXISTS (SELECT 1 FROM outages WHERE start_at >= months.m AND start_at < months.next_m)
FROM months
