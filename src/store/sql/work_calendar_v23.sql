-- Version 23: the working-day calendar (see model.rs, WORK_CALENDAR), which the connection
-- time limits are counted in. It starts as Monday to Friday over 2000 to 2040; an imported
-- calendar replaces the days it lists, and the days any import leaves out are filled in
-- again as Monday to Friday (sql/work_calendar_fill.sql), so that every day a count may need
-- is there, on DuckDB as in the lake the Spark runner reads.
CREATE TABLE work_calendar (
  day DATE NOT NULL,
  working BOOLEAN NOT NULL,
  note VARCHAR
);
INSERT INTO work_calendar
SELECT d::DATE, isodow(d) <= 5, NULL
FROM range(DATE '2000-01-01', DATE '2041-01-01', INTERVAL 1 DAY) t(d);
-- And any day of the applications already stored outside those years.
INSERT INTO work_calendar
SELECT d::DATE, isodow(d) <= 5, NULL
FROM (SELECT min(accepted_at)::DATE AS first_day,
             max(greatest(accepted_at, energised_at))::DATE AS last_day FROM applications) span,
     range(span.first_day, span.last_day + 1, INTERVAL 1 DAY) t(d)
WHERE d::DATE < DATE '2000-01-01' OR d::DATE > DATE '2040-12-31';
-- For each day, the working days before it since the calendar starts: the working days from
-- a (included) to b (excluded) are before(b) - before(a), two lookups instead of a walk over
-- the days. The audit rule expansion_overdue writes the same in its own query, in SQL that
-- Spark runs too.
CREATE VIEW working_days_before AS
SELECT day, working,
       sum(CASE WHEN working THEN 1 ELSE 0 END) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
         - CASE WHEN working THEN 1 ELSE 0 END AS before
FROM work_calendar;
