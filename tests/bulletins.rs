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
    let doc = mams::bulletins::monthly::build(&p, month, None).unwrap();
    assert_eq!(doc.number, "No. 2024-09");
    let ids: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["indicators", "largest_changes", "ranking", "audit"]);
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
    let html = mams::bulletins::html::render(&doc, false);
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
    // The ranking lists every city; the HTML is one self-contained file.
    assert_eq!(doc.sections[2].table.as_ref().unwrap().rows.len(), 8);
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "self-contained"
    );
    let zh = mams::bulletins::html::render(&doc, true);
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
    let doc = mams::bulletins::monthly::build(&p, month, None).unwrap();
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
    let doc = mams::bulletins::evaluation::build(&p, q, None).unwrap();
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
    let html = mams::bulletins::html::render(&doc, true);
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
        stderr(&out).contains("the quarterly evaluation is of a quarter (YYYYQn), not 2024-09"),
        "{}",
        stderr(&out)
    );
    assert!(!f.exists(), "nothing written");
}
