//! The working-day calendar (`work_calendar`, a table of the data model): kept whole after
//! every import, checked for the days a lake's applications need, and its departures from
//! Monday to Friday, which the cadence of bulletins follows as well, so that one imported
//! calendar serves the connection time limits and the department's rhythm.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::Project;

const FILL: &str = include_str!("sql/work_calendar_fill.sql");

/// Fills the days the calendar lacks with Monday to Friday (an imported calendar of a few
/// years, or applications outside 2000 to 2040), so that every count of working days finds
/// its days: call at the end of every import.
pub fn fill(project: &Project) -> duckdb::Result<()> {
    project.conn().execute_batch(FILL)
}

/// The days the calendar departs from Monday to Friday.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Departures {
    /// Weekdays that are not working days (public holidays).
    pub days_off: BTreeSet<NaiveDate>,
    /// Saturdays and Sundays that are working days (worked in place of a holiday, 调休).
    pub days_worked: BTreeSet<NaiveDate>,
}

const DEPARTURES: &str = "SELECT day, working FROM work_calendar \
     WHERE working IS DISTINCT FROM (isodow(day) <= 5) ORDER BY day";

pub fn departures(project: &Project) -> duckdb::Result<Departures> {
    let mut out = Departures::default();
    let mut stmt = project.conn().prepare(DEPARTURES)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, bool>(1)?)))?;
    for row in rows {
        let (day, working) = row?;
        if working {
            out.days_worked.insert(day);
        } else {
            out.days_off.insert(day);
        }
    }
    Ok(out)
}

/// The days of the applications (accepted, energised) that the working-day calendar lacks:
/// how many, and the first. A count of working days finds nothing for such a day, so the
/// application would drop out of the handling time.
const GAPS: &str = "WITH needed AS (
    SELECT accepted_at::DATE AS day FROM applications WHERE accepted_at IS NOT NULL
    UNION SELECT energised_at::DATE FROM applications WHERE energised_at IS NOT NULL)
SELECT count(*), min(day) FROM needed WHERE day NOT IN (SELECT day FROM work_calendar)";

pub fn gaps(project: &Project) -> duckdb::Result<(i64, Option<NaiveDate>)> {
    project.conn().query_row(GAPS, [], |r| Ok((r.get(0)?, r.get(1)?)))
}
