//! Bulletins on a generated project: the monthly analysis carries the numbers `mams kpi`
//! prints, its sentences add up with "why did this change", and bad requests say what there
//! is instead.

mod common;

use common::*;
use mams::store::Project;

#[test]
fn the_monthly_bulletin_carries_the_numbers_of_mams_kpi() {
    let path = small_project("bulletin-monthly");
    let p = Project::open(&path).unwrap();
    let month = chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap();
    let doc = mams::bulletins::monthly::build(&p, month, None, &mams::progress::Progress::new()).unwrap();
    assert_eq!(doc.number, "No. 2024-09");
    let ids: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "indicators",
            "largest_changes",
            "ranking",
            "key_market",
            "service",
            "audit",
            "cases"
        ]
    );
    // The project is one process's at a time: the CLI opens it next.
    drop(p);
    // The indicators' values as `mams kpi --format json` prints them, formatted.
    let out = mams(&[
        "kpi",
        path.to_str().unwrap(),
        "--period",
        "2024-09",
        "--format",
        "json",
    ]);
    let kpi: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let table = doc.sections[0].table.as_ref().unwrap();
    let html = mams::bulletins::html::render(&doc, false).unwrap();
    for (row, card) in table.rows.iter().zip(kpi["indicators"].as_array().unwrap()) {
        let ind = mams::metrics::indicators::indicator(card["indicator"].as_str().unwrap()).unwrap();
        assert_eq!(row[0].en, ind.en);
        match card["value"].as_f64() {
            Some(v) => {
                let printed = mams::metrics::format::number(v, ind.decimals);
                assert!(
                    row[1].en.starts_with(&printed),
                    "{}: {} against {printed}",
                    ind.id,
                    row[1].en
                );
                assert!(html.contains(&printed), "{printed} in the HTML");
            }
            None => assert_eq!(row[1].en, "—"),
        }
    }
    // The PDF and the DOCX carry the same numbers: read back out of each.
    let pdf = mams::bulletins::publish::export(&doc, mams::bulletins::publish::Format::Pdf, false).unwrap();
    // A cell may wrap in the PDF: compare without white space.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let pdf_text = squeeze(&pdf_text(&pdf));
    let docx = mams::bulletins::publish::export(&doc, mams::bulletins::publish::Format::Docx, false).unwrap();
    let docx_text = docx_text(&docx);
    for row in &table.rows {
        for value in [&row[1].en, &row[3].en] {
            if value != "—" && !value.is_empty() {
                assert!(
                    pdf_text.contains(&squeeze(value)),
                    "{value} in the PDF:\n{pdf_text}"
                );
                assert!(docx_text.contains(value.as_str()), "{value} in the DOCX");
            }
        }
    }
    assert!(
        pdf_text.contains("Contents") && pdf_text.contains("1/"),
        "contents and page numbers"
    );
    // The ranking lists every city, with its chart inline; the HTML is one self-contained
    // file.
    assert_eq!(html.matches("<svg").count(), 3, "ranking, key market, service");
    assert_eq!(doc.sections[2].table.as_ref().unwrap().rows.len(), 8);
    // (The inline charts name the SVG namespace, which is not fetched.)
    assert!(
        !html.contains("<script")
            && !html.contains("src=")
            && !html.contains("href=")
            && !html.contains("url("),
        "self-contained"
    );
    let zh = mams::bulletins::html::render(&doc, true).unwrap();
    assert!(zh.contains("营销月度分析") && zh.contains("lang=\"zh-CN\""));
    // The CLI writes it; a unit or a month that is not there is refused with what there is.
    let dir = tmp("bulletin-cli");
    let file = dir.join("monthly.html");
    let p_str = path.to_str().unwrap();
    let f_str = file.to_str().unwrap();
    let out = mams(&[
        "bulletin", p_str, "--kind", "monthly", "--period", "2024-09", "--out", f_str,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("Monthly analysis of marketing")
    );
    let out = mams(&[
        "bulletin", p_str, "--kind", "monthly", "--period", "2030-01", "--out", f_str,
    ]);
    assert!(stderr(&out).contains("no data for 2030-01"), "{}", stderr(&out));
    let out = mams(&[
        "bulletin", p_str, "--kind", "monthly", "--period", "2024-09", "--unit", "X9", "--out", f_str,
    ]);
    assert!(stderr(&out).contains("no org unit 'X9'"), "{}", stderr(&out));
}

#[test]
fn a_largest_change_names_the_unit_that_pushed_it_most() {
    let path = small_project("bulletin-changes");
    let p = Project::open(&path).unwrap();
    let month = chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap();
    let doc = mams::bulletins::monthly::build(&p, month, None, &mams::progress::Progress::new()).unwrap();
    let changes = &doc.sections[1].paragraphs;
    assert!(!changes.is_empty() && changes.len() <= 3);
    for s in changes {
        assert!(s.en.contains("last month") && s.zh.contains("上月"), "{s:?}");
        // A share said is a share of the change in the same direction: never negative.
        if let Some((_, rest)) = s.en.split_once(" made ") {
            let share: f64 = rest.split(' ').next().unwrap().parse().unwrap();
            assert!(share > 0.0, "{}", s.en);
        }
    }
}

#[test]
fn the_quarterly_bulletin_carries_the_evaluation_of_mams_evaluate() {
    let path = small_project("bulletin-quarterly");
    {
        let p = Project::open(&path).unwrap();
        mams::sample::project::prepare(&p, &mams::progress::Progress::new()).unwrap();
    }
    let p_str = path.to_str().unwrap();
    let out = mams(&["evaluate", p_str, "--period", "2024Q3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let units = v["evaluation"]["evaluation"]["units"].as_array().unwrap();
    let p = Project::open(&path).unwrap();
    let q = mams::metrics::period::Period::parse("2024Q3").unwrap();
    let doc = mams::bulletins::evaluation::build(&p, q, None, &mams::progress::Progress::new()).unwrap();
    drop(p);
    assert_eq!(doc.number, "No. 2024Q3");
    let table = doc.sections[0].table.as_ref().unwrap();
    assert_eq!(table.rows.len(), units.len());
    // Every unit's total and grade as mams evaluate prints them, in rank order.
    let mut ranked: Vec<&serde_json::Value> = units.iter().filter(|u| u["rank"].is_u64()).collect();
    ranked.sort_by_key(|u| u["rank"].as_u64());
    for (row, u) in table.rows.iter().zip(ranked) {
        assert_eq!(row[2].en, format!("{:.2}", u["total"].as_f64().unwrap()));
        assert_eq!(row[3].en, u["grade"].as_str().unwrap());
    }
    // The reasons for improvement name the indicators as people do, not by their ids.
    if let Some(t) = doc
        .sections
        .iter()
        .find(|s| s.id == "improvement")
        .and_then(|s| s.table.as_ref())
    {
        for row in &t.rows {
            assert!(
                !row[1].en.contains('_') && !row[1].zh.contains('_'),
                "{:?}",
                row[1]
            );
        }
    }
    let html = mams::bulletins::html::render(&doc, true).unwrap();
    assert!(html.contains("服务质量季度评价"));
    let dir = tmp("bulletin-quarterly-cli");
    let f = dir.join("q.html");
    let out = mams(&[
        "bulletin",
        p_str,
        "--kind",
        "quarterly",
        "--period",
        "2024-09",
        "--out",
        f.to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains("the quarterly evaluation is of a quarter (YYYYQn), not '2024-09'"),
        "{}",
        stderr(&out)
    );
    assert!(!f.exists(), "nothing written");
}

/// A small province written by hand around Tuesday 4 March 2025 (ISO week 10 of 2025 runs
/// from Monday 3 to Sunday 9 March): the counts each brief must give are worked out in the
/// comments beside the rows, not taken from the code.
const BY_HAND: &str = "
INSERT INTO org_units (unit_id, parent_id, level, name_zh, name_en, area_type) VALUES
  ('P', NULL, 'province', '省公司', 'Province', 'urban'),
  ('C1', 'P', 'city', '甲市', 'Jia', 'urban'),
  ('S1', 'C1', 'station', '甲所', 'Jia station', 'urban'),
  ('C2', 'P', 'city', '乙市', 'Yi', 'rural');
INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status) VALUES
  ('K1', 'one', 'S1', 'residential', 'R-TIER', 'normal'),
  ('K2', 'two', 'C2', 'commercial', 'C-SINGLE', 'normal');
INSERT INTO tickets (ticket_id, unit_id, ticket_type, received_at, resolved_at, deadline_at) VALUES
  -- received and resolved on the day, in time
  ('T1', 'S1', 'complaint', '2025-03-04 09:00', '2025-03-04 15:00', '2025-03-05 09:00'),
  -- received on the day, deadline 18:00 the same day, never resolved: late, and open late
  ('T2', 'S1', 'complaint', '2025-03-04 10:00', NULL, '2025-03-04 18:00'),
  -- a repair done in 40 minutes against 45
  ('T3', 'C2', 'fault_repair', '2025-03-04 11:00', '2025-03-04 11:40', '2025-03-04 11:45'),
  -- received on Saturday, due Monday 09:00, resolved on the day: resolved on the day;
  -- late in the week (its deadline fell on Monday), not in the day
  ('T4', 'C2', 'complaint', '2025-03-01 10:00', '2025-03-04 08:00', '2025-03-03 09:00'),
  -- the next day: in the week only
  ('T5', 'S1', 'inquiry', '2025-03-05 10:00', '2025-03-05 11:00', '2025-03-06 10:00');
INSERT INTO outages (outage_id, unit_id, start_at, end_at, planned, customers_affected) VALUES
  -- 100 customers for 90 minutes: 150 customer-hours, ended on the day
  ('O1', 'S1', '2025-03-04 08:00', '2025-03-04 09:30', false, 100),
  -- planned, from 22:00 to 02:00: in progress at midnight
  ('O2', 'C2', '2025-03-04 22:00', '2025-03-05 02:00', true, 40),
  ('O3', 'C2', '2025-03-03 10:00', '2025-03-03 11:00', false, 7);
INSERT INTO payments (payment_id, bill_id, customer_id, paid_at, amount, channel) VALUES
  ('Y1', 'B1', 'K1', '2025-03-04 10:00', 1250.40, 'counter'),
  ('Y2', 'B2', 'K2', '2025-03-04 23:59', 2000, 'wechat'),
  ('Y3', 'B3', 'K1', '2025-03-05 00:00', 50, 'counter');
INSERT INTO applications (application_id, unit_id, app_type, customer_class, accepted_at, energised_at, capacity_kva) VALUES
  ('A1', 'S1', 'new', 'commercial', '2025-03-04 09:00', NULL, 400),
  ('A2', 'C2', 'increase', 'commercial', '2025-01-10 09:00', '2025-03-04 16:00', 250);
INSERT INTO audit_runs VALUES
  (1, '2025-03-04 12:00', '2025-03-04 12:01', '2025-02-01', '2025-02-01', 'P', 'multiplier', 2, 2, NULL),
  (2, '2025-03-03 12:00', '2025-03-03 12:01', '2025-02-01', '2025-02-01', 'P', 'multiplier', 1, 1, NULL),
  (3, '2025-01-02 12:00', '2025-01-02 12:01', '2024-12-01', '2024-12-01', 'P', 'multiplier', 4, 4, NULL);
INSERT INTO audit_suspects (suspect_key, rule_id, entity_type, entity_id, period, unit_id, amount, confidence,
    severity, score, evidence, first_run_id, last_run_id, still_found, status, assignee_unit, due_on, updated_at) VALUES
  -- first found on the day, severity 3: the daily brief's one new suspect
  ('a', 'multiplier', 'customer', 'K1', '2025-02-01', 'S1', 5000, 1, 3, 9, '[]', 1, 1, true, 'new', NULL, NULL, '2025-03-04 12:00'),
  -- first found on the day, severity 2: below the brief's threshold
  ('b', 'multiplier', 'customer', 'K2', '2025-02-01', 'C2', 10, 1, 2, 2, '[]', 1, 1, true, 'new', NULL, NULL, '2025-03-04 12:00'),
  -- first found on Monday: new in the week, not on the day
  ('c', 'multiplier', 'customer', 'K2', '2025-01-01', 'C2', 20, 1, 3, 3, '[]', 2, 2, true, 'new', NULL, NULL, '2025-03-03 12:00'),
  -- older suspects: being rectified, due on Friday 7 March (overdue at the week's end),
  -- confirmed and due on 14 March (within the 7 days ahead), due at the end of April
  -- (not yet), and one closed on Thursday
  ('d', 'multiplier', 'customer', 'K1', '2024-12-01', 'S1', 300, 1, 3, 3, '[]', 3, 3, true, 'rectifying', 'S1', '2025-03-07', '2025-01-02 12:00'),
  ('e', 'multiplier', 'customer', 'K2', '2024-12-01', 'C2', 400, 1, 3, 3, '[]', 3, 3, true, 'confirmed', 'C2', '2025-03-14', '2025-01-02 12:00'),
  ('f', 'late_fee', 'customer', 'K2', '2024-11-01', 'C2', 500, 1, 3, 3, '[]', 3, 3, true, 'rectifying', 'C2', '2025-04-30', '2025-01-02 12:00'),
  ('g', 'late_fee', 'customer', 'K1', '2024-11-01', 'S1', 600, 1, 3, 3, '[]', 3, 3, true, 'closed', NULL, NULL, '2025-03-06 12:00');
INSERT INTO audit_trail (suspect_key, changed_at, actor, from_status, to_status) VALUES
  ('g', '2025-03-06 12:00', 'test', 'rectified', 'closed');
";

fn cell<'a>(t: &'a mams::bulletins::document::Table, row: &str, col: usize) -> &'a str {
    &t.rows
        .iter()
        .find(|r| r[0].en == row)
        .unwrap_or_else(|| panic!("no row {row} in {t:?}"))[col]
        .en
}

#[test]
fn the_daily_brief_counts_the_day_written_by_hand() {
    let path = project_from_sql("bulletin-daily-by-hand", BY_HAND);
    let p = Project::open(&path).unwrap();
    let progress = mams::progress::Progress::new();
    let doc = mams::bulletins::make(&p, mams::bulletins::Kind::Daily, "2025-03-04", None, &progress).unwrap();
    assert_eq!(doc.number, "No. 2025-03-04");
    assert_eq!(doc.company.en, "Province");
    let s = |id: &str| doc.sections.iter().find(|s| s.id == id).unwrap();
    // Tickets: T1, T2, T3 received (2 complaints, 1 repair); T1, T3, T4 resolved; T2 late.
    let t = s("tickets").table.as_ref().unwrap();
    assert_eq!(
        (
            cell(t, "Complaint", 1),
            cell(t, "Complaint", 2),
            cell(t, "Complaint", 3)
        ),
        ("2", "2", "1")
    );
    assert_eq!(
        (cell(t, "Fault repair", 1), cell(t, "Fault repair", 3)),
        ("1", "0")
    );
    assert_eq!(
        s("tickets").paragraphs[0].en,
        "95598 received 3 tickets in the day (2 Complaint, 1 Fault repair); 1 missed the deadline in the day, and 1 is open past the deadline at its end."
    );
    assert_eq!(s("overdue_tickets").table.as_ref().unwrap().rows[0][0].en, "T2");
    // O2 in progress at midnight with 40 customers; O1 ended: 100 customers, 150 hours.
    assert_eq!(
        s("outages").paragraphs[0].en,
        "1 power cut is in progress at the end of the day, affecting 40 customers. 1 ended in the day (1 unplanned, 0 planned), affecting 100 customers for 150 customer-hours."
    );
    assert!(
        s("applications").paragraphs[0]
            .en
            .starts_with("1 application was accepted in the day (400 kVA) and 1 energised (250 kVA)")
    );
    // 1,250.40 + 2,000 yuan in two payments; Y3 falls on the next day.
    assert_eq!(
        s("payments").paragraphs[0].en,
        "2 payments collected 3,250 yuan in the day."
    );
    let ns = s("new_suspects").table.as_ref().unwrap();
    assert_eq!(ns.rows.len(), 1);
    assert_eq!(ns.rows[0][2].en, "K1");
    // Nothing was imported of bills, meter reads or line loss: those three are stale.
    assert_eq!(
        s("stale").paragraphs[0].en,
        "3 tables have fallen behind: meter_reads, bills, line_loss."
    );
    // Formats: the PDF and the DOCX carry the same numbers (read back below).
    let pdf = mams::bulletins::publish::export(&doc, mams::bulletins::publish::Format::Pdf, false).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let docx = mams::bulletins::publish::export(&doc, mams::bulletins::publish::Format::Docx, true).unwrap();
    let xml = docx_text(&docx);
    assert!(xml.contains("营销日报") && xml.contains("3,250"), "{xml}");
    // A day after the data is refused with where the data end; a week is not a day.
    let e =
        mams::bulletins::make(&p, mams::bulletins::Kind::Daily, "2025-03-20", None, &progress).unwrap_err();
    assert!(format!("{e:#}").contains("reach 2025-03-05"), "{e:#}");
    let e = mams::bulletins::make(&p, mams::bulletins::Kind::Daily, "2025-W10", None, &progress).unwrap_err();
    assert_eq!(
        format!("{e:#}"),
        "the daily brief is of a day (YYYY-MM-DD), not '2025-W10'"
    );
}

#[test]
fn the_weekly_notification_counts_the_week_written_by_hand() {
    let path = project_from_sql("bulletin-weekly-by-hand", BY_HAND);
    let p = Project::open(&path).unwrap();
    let doc = mams::bulletins::make(
        &p,
        mams::bulletins::Kind::Weekly,
        "2025-W10",
        None,
        &mams::progress::Progress::new(),
    )
    .unwrap();
    let s = |id: &str| doc.sections.iter().find(|s| s.id == id).unwrap();
    // By unit: Jia (C1 with S1) received T1, T2, T5, T2 late, suspect a; Yi (C2) received
    // T3, T4 was late (due Monday, resolved Tuesday), suspects b and c. Yi comes first
    // (as many late tickets, more suspects).
    let t = s("by_unit").table.as_ref().unwrap();
    assert_eq!(t.rows[0][0].en, "Yi");
    assert_eq!(
        (cell(t, "Jia", 1), cell(t, "Jia", 2), cell(t, "Jia", 3)),
        ("3", "1", "1")
    );
    assert_eq!(
        (cell(t, "Yi", 1), cell(t, "Yi", 2), cell(t, "Yi", 3)),
        ("1", "1", "2")
    );
    assert!(
        s("by_unit").paragraphs[0]
            .en
            .starts_with("Yi had the most problems")
    );
    // Opened in the week: a, b, c; closed: g.
    assert_eq!(
        s("suspect_flow").paragraphs[0].en,
        "3 suspects were opened and 1 closed in the week."
    );
    // Due by 17 March (the week's end plus 7 days): d (7 March, overdue) and e; not f.
    let due = s("rectification_due");
    assert_eq!(
        due.paragraphs[0].en,
        "2 confirmed problems are due for rectification by 2025-03-17; 1 of them is past the date."
    );
    let rows = &due.table.as_ref().unwrap().rows;
    assert_eq!(rows[0][3].en, "2025-03-07");
    assert!(rows[0][4].en.ends_with("(overdue)") && !rows[1][4].en.ends_with("(overdue)"));
    // A is still open at the week's end, accepted on Tuesday: 4 working days against a
    // limit of many more: not over its limit.
    assert_eq!(
        s("overdue_applications").paragraphs[0].en,
        "No open application is over its time limit."
    );
}

/// The text of a DOCX's body (every w:t run).
fn docx_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let mut out = String::new();
    for part in xml.split("<w:t").skip(1) {
        if let Some(start) = part.find('>')
            && let Some(end) = part.find("</w:t>")
            && start < end
        {
            out.push_str(&part[start + 1..end]);
            out.push('\n');
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// The text of a PDF in the order it was written (a table cell stays whole), by poppler's
/// pdftotext (installed by .ci/run).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tmp("bulletin-pdf-text");
    let file = dir.join(format!("{}.pdf", std::process::id()));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils) reads the PDFs back; .ci/run installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_published_bulletin_keeps_its_numbers_and_says_when_the_data_changed() {
    use mams::bulletins::publish::{self, Currency, Format};
    let path = project_from_sql("bulletin-publish", BY_HAND);
    let p = Project::open(&path).unwrap();
    let progress = mams::progress::Progress::new();
    let daily = mams::bulletins::Kind::Daily;
    let mut doc = mams::bulletins::make(&p, daily, "2025-03-04", None, &progress).unwrap();
    let bare = publish::fingerprint(&doc);
    doc.comment("tickets", "T2 was escalated to the city.").unwrap();
    let e = doc.comment("weather", "sunny").unwrap_err();
    assert!(
        format!("{e:#}").contains("no section 'weather' (it has: tickets, overdue_tickets"),
        "{e:#}"
    );
    // The commentary is not data: the fingerprint stays.
    assert_eq!(publish::fingerprint(&doc), bare);
    // Prepared, then published: the cadence's daily brief due on Wednesday the 5th.
    let cadence = mams::bulletins::cadence::Cadence::builtin();
    let wednesday = chrono::NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
    let state = |p: &Project| {
        mams::bulletins::agenda::agenda(p, &cadence, wednesday)
            .unwrap()
            .today[0]
            .state
    };
    assert_eq!(state(&p), mams::bulletins::cadence::State::NotPrepared);
    mams::bulletins::agenda::save_draft(&p, &doc).unwrap();
    assert_eq!(state(&p), mams::bulletins::cadence::State::Prepared);
    let (id, file) = publish::publish(&p, &doc, Format::Html, false, "tester").unwrap();
    assert_eq!(state(&p), mams::bulletins::cadence::State::Published);
    assert!(
        String::from_utf8(file)
            .unwrap()
            .contains("T2 was escalated to the city.")
    );
    let listed = mams::store::bulletins::list(&p).unwrap();
    assert_eq!(
        (listed.len(), listed[0].bulletin_id, listed[0].period.as_str()),
        (1, id, "2025-03-04")
    );
    assert_eq!(publish::currency(&p, &listed[0]), Currency::Current);
    // One more complaint on the day: the bulletin says its data changed...
    p.conn()
        .execute_batch("INSERT INTO tickets (ticket_id, unit_id, ticket_type, received_at) VALUES ('T6', 'C2', 'complaint', '2025-03-04 12:00')")
        .unwrap();
    assert_eq!(publish::currency(&p, &listed[0]), Currency::Changed);
    // ...and keeps the numbers it was published with, and its commentary.
    let back = publish::document(&listed[0]).unwrap();
    let tickets = back.sections.iter().find(|s| s.id == "tickets").unwrap();
    assert_eq!(cell(tickets.table.as_ref().unwrap(), "Complaint", 1), "2");
    assert_eq!(
        tickets.commentary.as_deref(),
        Some("T2 was escalated to the city.")
    );
    // The CLI lists it as changed and exports it again as a PDF.
    drop(p);
    let p_str = path.to_str().unwrap();
    let out = mams(&["bulletins", "list", p_str]);
    assert!(
        stdout(&out).contains("DATA CHANGED since publication"),
        "{}",
        stdout(&out)
    );
    let pdf = tmp("bulletin-publish-cli").join("again.pdf");
    let out = mams(&[
        "bulletins",
        "export",
        p_str,
        &id.to_string(),
        "--out",
        pdf.to_str().unwrap(),
        "--format",
        "pdf",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&std::fs::read(&pdf).unwrap());
    assert!(text.contains("T2 was escalated to the city."), "{text}");
    // The cadence on that Wednesday: the brief is published; the weekly notification due
    // on Monday the 3rd is overdue.
    let out = mams(&["cadence", p_str, "--date", "2025-03-05"]);
    let printed = stdout(&out);
    assert!(
        printed.contains("2025-03-04") && printed.contains("published"),
        "{printed}"
    );
    assert!(
        printed.contains("2025-03-03  Weekly investigation meeting"),
        "{printed}"
    );
}

#[test]
fn the_cadence_falls_due_by_the_projects_working_day_calendar() {
    use chrono::NaiveDate;
    use mams::bulletins::agenda;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let path = tmp("cadence-calendar").join("p.duckdb");
    let p = Project::create(&path).unwrap();
    // By hand: March 2027 starts on a Monday. The shipped cadence (holidays to 2026) holds the
    // monthly meeting on its 5th working day, Friday 5 March. With Monday 1 March off and
    // Saturday 6 March worked in the project's calendar, the 5th working day is Saturday 6.
    let meeting = |c: &mams::bulletins::cadence::Cadence| {
        c.between(day("2027-03-01"), day("2027-03-31"))
            .into_iter()
            .find(|o| o.item == "monthly_meeting")
            .map(|o| o.due)
    };
    assert_eq!(
        meeting(&agenda::in_force(&p, agenda::cadence(&p).unwrap()).unwrap()),
        Some(day("2027-03-05"))
    );
    p.conn()
        .execute_batch(
            "UPDATE work_calendar SET working = false, note = 'holiday' WHERE day = DATE '2027-03-01'; \
             UPDATE work_calendar SET working = true, note = 'worked' WHERE day = DATE '2027-03-06';",
        )
        .unwrap();
    let in_force = agenda::in_force(&p, agenda::cadence(&p).unwrap()).unwrap();
    assert!(!in_force.is_working_day(day("2027-03-01")));
    assert!(in_force.is_working_day(day("2027-03-06")));
    assert_eq!(meeting(&in_force), Some(day("2027-03-06")));
    // The cadence as kept (what the editor saves) is not changed by the calendar.
    let own = agenda::cadence(&p).unwrap();
    assert!(own.is_working_day(day("2027-03-01")));
    assert_eq!(meeting(&own), Some(day("2027-03-05")));
}
