-- The days the working-day calendar lacks, as Monday to Friday: after an import replaced the
-- calendar with a file of a few years, or brought dates outside it. Covers 2000 to 2040 and
-- every day of the connection applications.
INSERT INTO work_calendar
WITH span AS (
    SELECT least(DATE '2000-01-01',
                 (SELECT min(day) FROM work_calendar),
                 (SELECT min(accepted_at)::DATE FROM applications)) AS first_day,
           greatest(DATE '2040-12-31',
                    (SELECT max(day) FROM work_calendar),
                    (SELECT max(greatest(accepted_at, energised_at))::DATE FROM applications)) AS last_day
)
SELECT d::DATE, isodow(d) <= 5, NULL
FROM span, range(span.first_day, span.last_day + 1, INTERVAL 1 DAY) t(d)
WHERE d::DATE NOT IN (SELECT day FROM work_calendar);
