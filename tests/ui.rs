//! The real app on a small project, driven with egui_kittest: open every page, switch
//! language, period and org unit, and check what is shown.

mod common;

use std::time::{Duration, Instant};

use chrono::Datelike;
use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use mams::store::queries::units_below;
use mams::ui::i18n::Lang;
use mams::ui::pages::quality::{QualityPage, Tab as QualityTab};
use mams::ui::pages::{
    audit::AuditPage, cases::CasesPage, import::ImportPage, leaders::LeadersPage, map::MapPage,
    rules::RulesPage,
};
use mams::ui::pages::{benchmark::BenchmarkPage, evaluation::EvaluationPage};
use mams::ui::pages::{bulletin::BulletinPage, market::MarketPage, service::ServicePage};
use mams::ui::{AppOptions, MamsApp};

fn harness(options: AppOptions) -> Harness<'static, MamsApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut MamsApp| app.ui(ui), MamsApp::new(options))
}

/// Steps frames until `done` holds (background DuckDB jobs finish between frames); on a
/// timeout it saves a screenshot next to the test's temp files and fails.
fn step_until(
    h: &mut Harness<'static, MamsApp>,
    what: &str,
    done: impl Fn(&Harness<'static, MamsApp>) -> bool,
) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        h.step();
        if done(h) {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let shot = tmp("ui-failures").join(format!("{}.png", what.replace(' ', "_")));
    if let Ok(img) = h.render() {
        let _ = img.save(&shot);
    }
    panic!("timed out waiting for {what} (screenshot: {})", shot.display());
}

/// Clicks a page in the side navigation (its button reads "icon  title").
fn open_page(h: &mut Harness<'static, MamsApp>, title: &str) {
    let label = h
        .state()
        .page_list()
        .into_iter()
        .find(|(_, _, key)| mams::ui::i18n::t(Lang::En, key) == title)
        .map(|(_, icon, key)| format!("{icon}  {}", mams::ui::i18n::t(Lang::En, key)))
        .expect("a page of that title");
    h.get_by_label(&label).click();
}

fn idle(h: &Harness<'static, MamsApp>) -> bool {
    !h.state().is_busy()
}

fn has_label(h: &Harness<'static, MamsApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn options_for(project: std::path::PathBuf) -> AppOptions {
    AppOptions {
        project: Some(project),
        settings_file: None,
        sample_project: tmp("unused-sample").join("sample.duckdb"),
        sample_db: None,
        lang: Some(Lang::En),
        launched: None,
    }
}

#[test]
fn overview_shows_the_project_and_follows_language_period_and_unit() {
    let project = small_project("ui-overview");
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });

    // Where the user is: project, period, org unit; the first page with real numbers.
    assert!(has_label(&h, "Project overview"));
    assert!(has_label(&h, "Customer archive"));
    assert!(has_label(&h, "Import history"));
    let customers = mams::metrics::format::group_digits(SMALL.customers);
    assert!(
        has_label(&h, &customers),
        "the customer count {customers} is shown"
    );
    assert_eq!(h.state().period().unwrap().format("%Y-%m").to_string(), "2025-02");
    assert!(has_label(&h, "2025-02"));

    // The period picker drives the counts.
    h.get_by_role(egui::accesskit::Role::ComboBox).click();
    h.run_steps(2);
    // The list item, not a "2024-06" shown as text in the tables grid.
    h.query_all_by_label("2024-06")
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
        .expect("2024-06 in the period list")
        .click();
    step_until(&mut h, "counts for 2024-06", |h| {
        idle(h)
            && h.state()
                .scoped
                .as_ref()
                .is_some_and(|(s, _)| s.month.map(|m| m.to_string()) == Some("2024-06-01".into()))
    });
    assert!(has_label(&h, "Period: 2024-06"));
    let (_, counts) = h.state().scoped.clone().unwrap();
    let bills = counts.iter().find(|c| c.table == "bills").unwrap();
    assert!(bills.in_unit_and_month.unwrap() > 0 && bills.in_unit_and_month.unwrap() < bills.in_unit);

    // Drill to a city from the org tree; the breadcrumb leads back up.
    let city = h
        .state()
        .project
        .as_ref()
        .unwrap()
        .org
        .iter()
        .find(|u| u.level == "city")
        .unwrap()
        .clone();
    h.query_all_by_label(&city.name_en)
        .next()
        .expect("city in the org tree")
        .click();
    step_until(&mut h, "counts for a city", |h| {
        idle(h)
            && h.state()
                .scoped
                .as_ref()
                .is_some_and(|(s, _)| s.unit_id == city.unit_id)
    });
    let (_, city_counts) = h.state().scoped.clone().unwrap();
    let city_customers = city_counts
        .iter()
        .find(|c| c.table == "customers")
        .unwrap()
        .in_unit;
    assert_eq!(city_customers, city.customers);
    assert!(city_customers < SMALL.customers);

    // Switch to Chinese at runtime.
    h.get_by_label("中文").click();
    h.run_steps(3);
    assert!(has_label(&h, "项目概览"));
    assert!(has_label(&h, "客户档案"));
    assert!(has_label(&h, &city.name_zh));
    assert!(!has_label(&h, "Project overview"));
    h.get_by_label("English").click();
    h.run_steps(3);
    assert!(has_label(&h, "Project overview"));

    // Every page in the navigation opens.
    for (page, icon, title_key) in h.state().page_list() {
        let title = mams::ui::i18n::t(Lang::En, title_key);
        h.query_all_by_label(&format!("{icon}  {title}"))
            .next()
            .expect("page in the navigation")
            .click();
        h.run_steps(2);
        assert_eq!(h.state().state.page, page);
    }
}

#[test]
fn first_start_builds_the_sample_project_and_bad_projects_get_a_dialog() {
    // First start: no project named, no settings: the sample is built from extracts.
    let home = tmp("ui-first-start");
    let options = AppOptions {
        project: None,
        settings_file: Some(home.join("settings.json")),
        sample_project: home.join("sample.duckdb"),
        sample_db: Some(small_sample().to_path_buf()),
        lang: Some(Lang::En),
        launched: None,
    };
    let mut h = harness(options.clone());
    step_until(&mut h, "sample built", |h| h.state().project.is_some() && idle(h));
    assert!(home.join("sample.duckdb").exists());
    assert!(h.state().error.is_none());
    drop(h);
    // It arrives audited, with suspects already along the closed loop as examples.
    {
        use mams::store::audit::{self as stored, SuspectFilter};
        let p = mams::store::Project::open_read_only(&home.join("sample.duckdb")).unwrap();
        let (all, total) = stored::suspects(&p, &SuspectFilter::default()).unwrap();
        assert!(total > 20, "{total} suspects");
        let mut statuses: Vec<&str> = all.iter().map(|s| s.status.as_str()).collect();
        statuses.sort();
        statuses.dedup();
        for s in ["closed", "rectifying", "confirmed", "verifying", "new"] {
            assert!(statuses.contains(&s), "{s} in {statuses:?}");
        }
        let worked: Vec<_> = all.iter().filter(|s| s.status != "new").collect();
        for s in worked {
            let trail = stored::trail(&p, &s.key).unwrap();
            assert!(
                trail
                    .iter()
                    .all(|t| t.actor == mams::sample::project::SAMPLE_ACTOR)
            );
        }
        assert!(!mams::audit::cases::starter().unwrap().is_empty());
    }
    // The next start opens the last project from the settings.
    let mut h = harness(AppOptions {
        sample_db: None,
        ..options
    });
    step_until(&mut h, "last project reopened", |h| {
        h.state().project.is_some() && idle(h)
    });
    assert_eq!(
        h.state().project.as_ref().unwrap().path,
        home.join("sample.duckdb")
    );
    drop(h);

    // A file that is not a project: a dialog that says so, and the file is untouched.
    let bad = tmp("ui-bad").join("bad.duckdb");
    std::fs::write(&bad, "not a database").unwrap();
    let mut h = harness(options_for(bad.clone()));
    step_until(&mut h, "error dialog", |h| h.state().error.is_some());
    h.run_steps(2);
    assert!(has_label(&h, "not a DuckDB database"));
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(h.state().error.is_none());
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), "not a database");
    drop(h);

    // The same in Chinese: the worker says it in the app's language.
    let mut h = harness(AppOptions {
        lang: Some(Lang::Zh),
        ..options_for(bad.clone())
    });
    step_until(&mut h, "error dialog in Chinese", |h| h.state().error.is_some());
    let error = h.state().error.clone().unwrap();
    assert!(error.contains("不是 DuckDB 数据库文件"), "{error}");
    assert!(!error.contains("is not a DuckDB"), "{error}");
}

#[test]
fn import_page_maps_previews_and_imports_a_gbk_file_with_rejects() {
    let project = small_project("ui-import");
    let dir = tmp("ui-import-files");
    let text = "应收流水号,户号,电费年月,电量（万kWh）,应收电费\n\
                U1,3100000001,202606,0.012,10\n\
                U2,9999999999,202606,0.01,10\n\
                U3,3100000003,202606,abc,10\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let file = dir.join("六月电费.csv");
    std::fs::write(&file, &gbk).unwrap();

    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    let bills_in = |h: &Harness<'static, MamsApp>| {
        let p = h.state().project.clone().unwrap();
        p.info.tables.iter().find(|t| t.table == "bills").unwrap().rows
    };
    let before = bills_in(&h);
    // What a drop on the window does.
    h.state_mut().import_dropped(vec![file.clone()]);
    step_until(&mut h, "preview", |h| {
        h.state().page::<ImportPage>().preview.is_some() && idle(h)
    });
    assert_eq!(h.state().state.page, mams::ui::page::PageId::Import);
    let preview = h.state().page::<ImportPage>().preview.clone().unwrap();
    assert_eq!(
        preview.table, "bills",
        "the table is guessed from the Chinese headers"
    );
    assert_eq!(preview.rows, 3);
    assert_eq!(preview.rejected_rows, 2);
    assert!(has_label(&h, "应收流水号"));
    assert_eq!(preview.mapping.source_of("bill_id").unwrap().source, "应收流水号");
    assert_eq!(preview.mapping.source_of("kwh").unwrap().scale, 10_000.0);
    assert!(
        has_label(&h, "refers to nothing"),
        "the reason in words, not its code"
    );
    assert!(has_label(&h, "Rows rejected: 2 / 3"));

    if let Ok(img) = h.render() {
        let _ = img.save(tmp("ui-shots-preview").join("import-preview.png"));
    }
    h.get_by_label("Import").click();
    step_until(&mut h, "import done", |h| {
        h.state().page::<ImportPage>().report.is_some() && idle(h)
    });
    assert!(has_label(&h, "Rows stored 1 / 3"));
    // The overview's numbers follow the import.
    assert_eq!(bills_in(&h), before + 1);

    // The same month again: the page asks before replacing.
    h.state_mut().import_dropped(vec![file]);
    step_until(&mut h, "second preview", |h| {
        h.state().page::<ImportPage>().preview.is_some() && idle(h)
    });
    assert!(has_label(&h, "The table already holds these months:"));
    assert!(!h.state().page::<ImportPage>().ready());
    h.get_by_label("Replace these months with the file's rows")
        .click();
    step_until(&mut h, "preview with replace", |h| {
        h.state().page::<ImportPage>().preview.is_some() && idle(h) && h.state().page::<ImportPage>().ready()
    });
    h.get_by_label("Import").click();
    step_until(&mut h, "re-import done", |h| {
        h.state().page::<ImportPage>().report.is_some() && idle(h)
    });
    assert_eq!(bills_in(&h), before + 1, "not doubled");
    // The rejected rows save as XLSX on the worker, not on the window's thread, which then
    // says where they went.
    let out = tmp("ui-import-rejects").join("rejects.xlsx");
    h.state_mut().notice = None;
    h.state_mut()
        .answer(mams::ui::dialogs::Purpose::ExportRejects, vec![out.clone()]);
    // Not `!idle`: a small file can be written before this line runs. The notice comes only
    // with the worker's answer, in a later frame; written on this thread it would be here.
    assert!(h.state().notice.is_none(), "the job runs on the worker");
    step_until(&mut h, "rejects written", |h| {
        idle(h) && h.state().notice.is_some()
    });
    assert!(h.state().notice.as_deref().unwrap().contains("rejects.xlsx"));
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    if let Ok(img) = h.render() {
        let _ = img.save(tmp("ui-shots").join("import.png"));
    }
}

#[test]
fn views_for_leaders_shows_the_cards_of_the_scope_and_drills_down_from_a_ranking() {
    use mams::metrics::{format, kpi};
    let project = small_project("ui-leaders");
    // Tall enough that the ranking below the cards is on screen.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1500.0))
        .build_ui_state(
            |ui, app: &mut MamsApp| app.ui(ui),
            MamsApp::new(options_for(project.clone())),
        );
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Views for Leaders");
    let loaded = |unit: String| {
        move |h: &Harness<'static, MamsApp>| {
            idle(h)
                && h.state()
                    .page::<LeadersPage>()
                    .data
                    .data
                    .as_ref()
                    .is_some_and(|(s, d)| s.unit_id == unit && d.is_ok())
        }
    };
    let top = h.state().unit_id().unwrap();
    step_until(&mut h, "leader cards", loaded(top.clone()));
    let period = h.state().period().unwrap();
    // The card shows what the library (and `mams kpi`) computes for the scope.
    let expected = |unit: &str| {
        let p = mams::store::Project::open_read_only(&project).unwrap();
        kpi::cards(&p, period, unit, None).unwrap()
    };
    let cards = expected(&top);
    let sales = &cards[0];
    assert_eq!(sales.indicator, "sales_kwh");
    let shown = format::number(sales.value.unwrap(), 0);
    assert!(has_label(&h, &shown), "sales {shown} shown");
    for card in &cards {
        assert!(has_label(&h, card.name_en), "card {}", card.name_en);
    }
    // A card opens its trend and the ranking of the units one level down.
    h.query_all_by_label("Sales")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the Sales card")
        .click();
    h.run_steps(3);
    assert!(has_label(&h, "Units one level down"));
    let below = units_below(&h.state().project.as_ref().unwrap().org, &top);
    // A class in the breakdown filters the trend and the ranking, shown as a chip.
    h.query_all_by_label("Commercial")
        .next()
        .expect("the commercial class")
        .click();
    h.run_steps(3);
    let commercial = Some("commercial".to_string());
    assert_eq!(h.state().page::<LeadersPage>().filter.1, Some(commercial.clone()));
    assert!(has_label(&h, "Customer class: Commercial ×"));
    assert!(has_label(&h, "Trend, 13 months · "));
    let slices = {
        let p = mams::store::Project::open_read_only(&project).unwrap();
        kpi::slices(&p, period, &top, &below).unwrap()
    };
    let sales_ind = mams::metrics::indicators::indicator("sales_kwh").unwrap();
    let ranked = slices.below_values(sales_ind, Some(&commercial));
    assert!(ranked.iter().any(|(_, v)| v.is_some()));
    for (_, v) in &ranked {
        assert!(has_label(&h, &format::value(sales_ind, *v, "no data")), "{v:?}");
    }
    // A rank filters on its unit as well; the class breakdown is then the unit's. Each
    // chip removes its filter.
    h.query_all_by_label("1")
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
        .expect("the first rank")
        .click();
    h.run_steps(3);
    let picked = h
        .state()
        .page::<LeadersPage>()
        .filter
        .0
        .clone()
        .expect("a unit filter");
    assert!(below.contains(&picked));
    assert!(has_label(&h, "By customer class · "));
    h.query_all_by_label_contains("Unit: ").next().unwrap().click();
    h.run_steps(3);
    assert!(h.state().page::<LeadersPage>().filter.0.is_none());
    h.query_all_by_label_contains("Customer class: Commercial")
        .next()
        .unwrap()
        .click();
    h.run_steps(3);
    assert_eq!(h.state().page::<LeadersPage>().filter, (None, None));
    // A rate filtered on a class is drawn over the unit's whole, with a key naming both.
    h.state_mut().page_mut::<LeadersPage>().selected = Some("collection_rate");
    h.state_mut().page_mut::<LeadersPage>().filter.1 = Some(Some("residential".to_string()));
    h.run_steps(3);
    assert!(has_label(&h, "Customer class: Residential ×"));
    assert!(has_label(&h, "- - -"));
    h.state_mut().page_mut::<LeadersPage>().filter.1 = None;
    h.state_mut().page_mut::<LeadersPage>().selected = Some("sales_kwh");
    h.run_steps(2);
    let city = h
        .state()
        .project
        .as_ref()
        .unwrap()
        .org
        .iter()
        .find(|u| u.parent_id.as_deref() == Some(top.as_str()))
        .unwrap()
        .clone();
    // Clicking a unit in the ranking drills down: every card is then the city's.
    h.query_all_by_label(&city.name_en)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Link)
        .expect("the city in the ranking")
        .click();
    step_until(&mut h, "the city's cards", loaded(city.unit_id.clone()));
    let city_sales = expected(&city.unit_id)[0].value.unwrap();
    assert!(city_sales < sales.value.unwrap());
    assert!(has_label(&h, &format::number(city_sales, 0)));
    // Why did sales change against last month: the units' parts add up to the change.
    h.get_by_label("vs last month").click_accesskit();
    step_until(&mut h, "why", |h| {
        idle(h)
            && h.state()
                .page::<LeadersPage>()
                .why
                .as_ref()
                .is_some_and(|(_, d)| d.as_ref().is_some_and(|d| d.is_ok()))
    });
    let why = h
        .state()
        .page::<LeadersPage>()
        .why
        .clone()
        .unwrap()
        .1
        .unwrap()
        .unwrap();
    let sum: f64 = why.explanation.parts.iter().map(|p| p.effect).sum();
    assert!((sum - why.explanation.change).abs() < 1e-6 * why.explanation.value.abs().max(1.0));
    assert!(has_label(&h, "Part of the change"));
    // In Chinese too.
    h.get_by_label("中文").click();
    h.run_steps(3);
    assert!(has_label(&h, "领导视窗"));
    assert!(has_label(&h, "售电量"));
}

#[test]
fn audit_workbench_runs_the_rules_and_works_a_suspect_through_the_loop() {
    let project = small_project("ui-audit");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Audit workbench");
    step_until(&mut h, "empty list", |h| {
        idle(h)
            && h.state()
                .page::<AuditPage>()
                .list
                .as_ref()
                .is_some_and(|l| l.is_ok())
    });
    assert!(has_label(
        &h,
        "No suspects here. Run the audit, or widen the filters."
    ));
    // Run every rule over all months.
    h.state_mut().page_mut::<AuditPage>().span = 3;
    h.run_steps(2);
    h.get_by_label("Run audit").click();
    step_until(&mut h, "audit run", |h| {
        idle(h)
            && h.state().page::<AuditPage>().last_run.is_some()
            && h.state()
                .page::<AuditPage>()
                .list
                .as_ref()
                .is_some_and(|l| l.as_ref().is_ok_and(|l| l.total > 0))
    });
    let run = h.state().page::<AuditPage>().last_run.clone().unwrap();
    assert!(
        run.outcomes.iter().all(|o| o.error.is_none()),
        "{:?}",
        run.outcomes
    );
    let saved = run.saved.unwrap();
    let list = h.state().page::<AuditPage>().list.clone().unwrap().unwrap();
    assert_eq!(list.total, saved.found, "the list shows what the run stored");
    // The top suspect is the one with the highest score, and its row opens the evidence.
    let top = list.rows[0].clone();
    assert!(list.rows.iter().all(|r| r.score <= top.score));
    h.query_all_by_label(&top.entity_id)
        .next()
        .expect("the top suspect's row")
        .click();
    step_until(&mut h, "suspect detail", |h| {
        idle(h)
            && h.state()
                .page::<AuditPage>()
                .detail
                .as_ref()
                .is_some_and(|(k, d)| *k == top.key && d.is_ok())
    });
    assert!(has_label(&h, "Evidence"));
    assert!(has_label(&h, "Audit trail"));
    h.get_by_label("→ Verifying").click();
    step_until(&mut h, "state changed", |h| {
        idle(h)
            && h.state()
                .page::<AuditPage>()
                .detail
                .as_ref()
                .is_some_and(|(k, d)| {
                    *k == top.key && d.as_ref().is_ok_and(|d| d.suspect.status == "verifying")
                })
    });
    let detail = h.state().page::<AuditPage>().detail.clone().unwrap().1.unwrap();
    assert_eq!(detail.trail.len(), 1);
    assert_eq!(detail.trail[0].to_status, "verifying");
    // Filtering by status shows just that suspect.
    h.state_mut().page_mut::<AuditPage>().status = Some("verifying".into());
    step_until(&mut h, "filtered list", |h| {
        idle(h)
            && h.state().page::<AuditPage>().requested.is_none()
            && h.state()
                .page::<AuditPage>()
                .list
                .as_ref()
                .is_some_and(|l| l.as_ref().is_ok_and(|l| l.total == 1))
    });
    // In Chinese.
    h.get_by_label("中文").click();
    h.run_steps(3);
    assert!(has_label(&h, "稽查工作台"));
    assert!(has_label(&h, "核实中"));
}

#[test]
fn case_library_searches_in_chinese_edits_a_case_and_takes_a_promoted_suspect() {
    let project = small_project("ui-cases");
    {
        let p = mams::store::Project::open(&project).unwrap();
        let starter = mams::audit::cases::starter().unwrap();
        mams::audit::cases::merge(&p, &starter, "starter").unwrap();
        // A confirmed suspect to promote.
        let (rules, _) = mams::audit::run::library(&p).unwrap();
        let months = mams::store::queries::months(&p).unwrap();
        let spec =
            mams::audit::run::RunSpec::new(months[0], *months.last().unwrap(), "P", vec!["late_fee".into()]);
        mams::audit::run::run(&p, &rules, &spec, true, &mams::progress::Progress::new()).unwrap();
    }
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Case library");
    step_until(&mut h, "cases loaded", |h| {
        idle(h)
            && h.state()
                .page::<CasesPage>()
                .list
                .as_ref()
                .is_some_and(|l| l.is_ok())
    });
    let all = h.state().page::<CasesPage>().list.clone().unwrap().unwrap();
    assert_eq!(h.state().page::<CasesPage>().visible(&all).len(), all.len());
    assert!(has_label(
        &h,
        "Steel plant kWh fell 75 %: CT secondary open circuit"
    ));
    // Chinese search narrows the list to the multiplier cases.
    h.state_mut().page_mut::<CasesPage>().query = "倍率".into();
    h.run_steps(2);
    let shown: Vec<String> = h
        .state()
        .page::<CasesPage>()
        .visible(&all)
        .iter()
        .map(|i| all[*i].case_id.clone())
        .collect();
    assert!(
        shown.contains(&"KB-2023-011".to_string()) && shown.len() < all.len(),
        "{shown:?}"
    );
    assert!(!has_label(&h, "Late fee waived without approval"));
    // Open a case, edit its root cause, save.
    h.get_by_label("High-voltage customer's multiplier left out the PT ratio")
        .click();
    h.run_steps(2);
    assert_eq!(
        h.state().page::<CasesPage>().selected.as_deref(),
        Some("KB-2023-011")
    );
    h.get_by_label("Edit").click_accesskit();
    h.run_steps(2);
    assert!(h.state().page::<CasesPage>().editing.is_some(), "editing");
    if let Some((case, _, _)) = h.state_mut().page_mut::<CasesPage>().editing.as_mut() {
        case.root_cause = Some("换表后倍率只录入CT变比，复核缺失".into());
    }
    h.get_by_label("Save").click();
    // (Waits for the list read again after the save, not the one shown before it: the
    // save can finish between two frames, before its answer is taken.)
    step_until(&mut h, "case saved", |h| {
        idle(h)
            && h.state()
                .page::<CasesPage>()
                .list
                .as_ref()
                .and_then(|l| l.as_ref().ok())
                .is_some_and(|l| {
                    l.iter().any(|c| {
                        c.case_id == "KB-2023-011"
                            && c.root_cause.as_deref() == Some("换表后倍率只录入CT变比，复核缺失")
                    })
                })
    });
    let saved = h.state().page::<CasesPage>().list.clone().unwrap().unwrap();
    let c = saved.iter().find(|c| c.case_id == "KB-2023-011").unwrap();
    assert_eq!(c.root_cause.as_deref(), Some("换表后倍率只录入CT变比，复核缺失"));
    assert_eq!(saved.len(), all.len(), "edited in place");

    // A confirmed suspect becomes a case in one step, pre-filled, and opens in the library.
    let key = {
        open_page(&mut h, "Audit workbench");
        step_until(&mut h, "suspects", |h| {
            idle(h)
                && h.state()
                    .page::<AuditPage>()
                    .list
                    .as_ref()
                    .is_some_and(|l| l.as_ref().is_ok_and(|l| l.total > 0))
        });
        h.state().page::<AuditPage>().list.clone().unwrap().unwrap().rows[0]
            .key
            .clone()
    };
    for to in [
        mams::audit::triage::Status::Verifying,
        mams::audit::triage::Status::Confirmed,
    ] {
        let change = mams::audit::triage::Change {
            to: Some(to),
            ..Default::default()
        };
        h.state_mut()
            .drive(|p: &mut AuditPage, cx| p.change_suspects(cx, vec![key.clone()], change));
        step_until(&mut h, "changed", idle);
    }
    h.state_mut().page_mut::<AuditPage>().selected = Some(key.clone());
    step_until(&mut h, "detail", |h| {
        idle(h)
            && h.state()
                .page::<AuditPage>()
                .detail
                .as_ref()
                .is_some_and(|(k, d)| *k == key && d.is_ok())
    });
    assert!(has_label(&h, "Similar cases"));
    let similar = h
        .state()
        .page::<AuditPage>()
        .detail
        .clone()
        .unwrap()
        .1
        .unwrap()
        .similar;
    assert_eq!(
        similar[0].0.rule_id.as_deref(),
        Some("late_fee"),
        "same rule first"
    );
    h.get_by_label("Make a case of it").click();
    step_until(&mut h, "promoted", |h| {
        idle(h)
            && h.state().state.page == mams::ui::page::PageId::Cases
            && h.state()
                .page::<CasesPage>()
                .list
                .as_ref()
                .is_some_and(|l| l.is_ok())
    });
    let id = mams::audit::cases::case_id_for(&key);
    assert_eq!(
        h.state().page::<CasesPage>().selected.as_deref(),
        Some(id.as_str())
    );
    let lib = h.state().page::<CasesPage>().list.clone().unwrap().unwrap();
    let promoted = lib.iter().find(|c| c.case_id == id).unwrap();
    assert_eq!(promoted.rule_id.as_deref(), Some("late_fee"));
    assert!(
        promoted.symptoms.as_deref().unwrap_or("").contains("Paid"),
        "{promoted:?}"
    );
    assert_eq!(lib.len(), all.len() + 1);
}

#[test]
fn rules_page_tunes_parameters_and_checks_a_project_rule_before_keeping_it() {
    let project = small_project("ui-rules");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Audit rules");
    let loaded = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state()
                .page::<RulesPage>()
                .data
                .as_ref()
                .is_some_and(|d| d.is_ok())
    };
    step_until(&mut h, "rules", loaded);
    assert_eq!(
        h.state()
            .page::<RulesPage>()
            .data
            .clone()
            .unwrap()
            .unwrap()
            .rules
            .len(),
        24
    );
    h.get_by_label("Zero consumption").click_accesskit();
    h.run_steps(2);
    assert!(has_label(&h, "Consecutive zero months"));
    h.state_mut()
        .page_mut::<RulesPage>()
        .edits
        .insert("min_months".into(), 5.0);
    h.get_by_label("Save").click_accesskit();
    // (Waits for the parameter in the rules read again: the save can finish between two
    // frames, before its answer is taken, while the rules shown are still the old ones.)
    step_until(&mut h, "param saved", |h| {
        loaded(h)
            && h.state()
                .page::<RulesPage>()
                .data
                .as_ref()
                .and_then(|d| d.as_ref().ok())
                .is_some_and(|d| {
                    d.overrides
                        .contains_key(&("zero_kwh".to_string(), "min_months".to_string()))
                })
    });
    let data = h.state().page::<RulesPage>().data.clone().unwrap().unwrap();
    assert_eq!(
        data.overrides
            .get(&("zero_kwh".to_string(), "min_months".to_string())),
        Some(&5.0)
    );

    // A project rule with a typo is refused with the line; corrected, it is kept.
    h.get_by_label("New project rule").click_accesskit();
    h.run_steps(2);
    {
        let d = h.state_mut().page_mut::<RulesPage>().draft.as_mut().unwrap();
        d.id = "huge_capacity".into();
        d.name_en = "Huge capacity".into();
        d.name_zh = "超大容量".into();
        d.query = "SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id,\nNULL::DATE AS period, 0.0 AS amount, 0.5 AS confidence\nFORM customers".into();
    }
    h.get_by_label("Check and save").click_accesskit();
    step_until(&mut h, "refused", |h| {
        idle(h) && h.state().page::<RulesPage>().error.is_some()
    });
    let e = h.state().page::<RulesPage>().error.clone().unwrap();
    assert!(e.contains("line 3 of the query"), "{e}");
    h.state_mut()
        .page_mut::<RulesPage>()
        .draft
        .as_mut()
        .unwrap()
        .query = h
        .state()
        .page::<RulesPage>()
        .draft
        .as_ref()
        .unwrap()
        .query
        .replace("FORM", "FROM");
    h.get_by_label("Check and save").click_accesskit();
    step_until(&mut h, "kept", |h| {
        loaded(h) && h.state().page::<RulesPage>().draft.is_none()
    });
    let data = h.state().page::<RulesPage>().data.clone().unwrap().unwrap();
    assert!(data.rules.iter().any(|r| r.id == "huge_capacity"));
    assert!(has_label(&h, "Huge capacity (project)"));
}

#[test]
fn bulletin_board_ranks_the_units_below_and_lists_the_targets_they_miss() {
    let project = small_project("ui-bulletin");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Bulletin Board");
    let top = h.state().unit_id().unwrap();
    let loaded = |unit: String| {
        move |h: &Harness<'static, MamsApp>| {
            idle(h)
                && h.state()
                    .page::<BulletinPage>()
                    .data
                    .data
                    .as_ref()
                    .is_some_and(|(s, d)| s.unit_id == unit && d.is_ok())
        }
    };
    step_until(&mut h, "bulletin", loaded(top.clone()));
    let data = h
        .state()
        .page::<BulletinPage>()
        .data
        .data
        .clone()
        .unwrap()
        .1
        .unwrap();
    let cities = units_below(&h.state().project.as_ref().unwrap().org, &top);
    assert_eq!(data.board.ranked.len(), cities.len());
    let scores: Vec<f64> = data.board.ranked.iter().map(|u| u.composite.unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(
        data.board
            .breaches
            .windows(2)
            .all(|w| w[0].relative >= w[1].relative)
    );
    assert!(data.board.breaches.iter().all(|b| b.gap > 0.0));
    assert!(has_label(&h, "Units ranked on the composite"));
    assert!(has_label(&h, "Data freshness"));
    // The ranking's numbers (its Copy data comes first) copy as tab-separated rows.
    h.query_all_by_label("Copy data")
        .next()
        .unwrap()
        .click_accesskit();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let text = copied.last().expect("something copied");
    assert!(text.starts_with("unit_id\tcomposite\tcollection_rate"), "{text}");
    assert_eq!(text.lines().count(), data.board.ranked.len() + 1);
    // Cross-filter: the rank of a unit narrows the misses to it, as a removable chip.
    let best = data.board.ranked[0].unit_id.clone();
    h.query_all_by_label("1")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the first rank")
        .click_accesskit();
    h.run_steps(2);
    assert_eq!(
        h.state().page::<BulletinPage>().filter.0.as_deref(),
        Some(best.as_str())
    );
    let mine = data.board.breaches.iter().filter(|b| b.unit_id == best).count();
    if mine > 0 {
        assert!(
            has_label(&h, &format!("{mine} misses")),
            "the list is narrowed to {mine}"
        );
    }
    let chip = h
        .query_all_by_label_contains(" ×")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the unit's chip");
    chip.click_accesskit();
    h.run_steps(2);
    assert_eq!(h.state().page::<BulletinPage>().filter.0, None);
    // The best unit's name drills down to it.
    let name = h
        .state()
        .project
        .as_ref()
        .unwrap()
        .org
        .iter()
        .find(|u| u.unit_id == best)
        .unwrap()
        .name_en
        .clone();
    h.query_all_by_label(&name)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Link)
        .expect("the unit's link")
        .click_accesskit();
    step_until(&mut h, "drilled", loaded(best.clone()));
    assert_eq!(h.state().unit_id().as_deref(), Some(best.as_str()));
}

#[test]
fn service_quality_shows_reliability_with_and_without_major_event_days() {
    let project = small_project("ui-service");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Service quality");
    step_until(&mut h, "service", |h| {
        idle(h)
            && h.state()
                .page::<ServicePage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    let (scope, data) = h.state().page::<ServicePage>().data.data.clone().unwrap();
    let data = data.unwrap();
    assert_eq!(data.reliability.len(), 13);
    // With major events the page's SAIDI and SAIFI are the cards' (and `mams kpi`'s).
    let month = scope.month.unwrap();
    assert!(!data.units.is_empty());
    let last = data.reliability.last().unwrap();
    assert_eq!(last.month, month);
    // The small sample runs from January 2024 for 14 months: the app opens in 2025, whose
    // threshold comes from the system's days of 2024 (the five years before, as far as the
    // data reach); 2024's months have none.
    assert_eq!(month.year(), 2025);
    let t = data
        .threshold_of(month)
        .expect("a threshold for the month's year");
    assert!(t.t_med.is_some() && t.days_counted >= 10, "{t:?}");
    assert_eq!((t.from.year(), t.to.year()), (2020, 2025));
    let first = data.reliability.first().unwrap().month;
    assert_eq!(data.threshold_of(first).unwrap().t_med, None);
    for m in &data.reliability {
        if let (Some(a), Some(b)) = (m.saidi, m.saidi_without_med) {
            assert!(b <= a + 1e-9, "without major events is never more");
            assert_eq!(m.major_event_days.is_empty(), (a - b).abs() < 1e-9);
        }
    }
    let total: u64 = data.tickets_by_type.iter().map(|(_, n)| n).sum();
    assert!(total > 0);
    assert!(has_label(
        &h,
        "Supply reliability, with and without major event days (IEEE 1366, 2.5 beta)"
    ));
    // Cross-filter: a unit's box narrows the repeat complainers to it, as a removable chip.
    let first = data.units[0].0.clone();
    h.query_all_by_label("□")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the first unit's box")
        .click_accesskit();
    h.run_steps(2);
    assert_eq!(
        h.state().page::<ServicePage>().unit.as_deref(),
        Some(first.as_str())
    );
    let within = mams::ui::org::subtree(&h.state().project.as_ref().unwrap().org, &first);
    assert!(
        within.contains(&first) && within.len() > 1,
        "the unit and the units below it"
    );
    h.query_all_by_label_contains(" ×")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the unit's chip")
        .click_accesskit();
    h.run_steps(2);
    assert_eq!(h.state().page::<ServicePage>().unit, None);
}

#[test]
fn a_units_target_is_set_on_its_card_and_removed_again() {
    let project = small_project("ui-target");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Views for Leaders");
    let target_of = |h: &Harness<'static, MamsApp>| -> Option<f64> {
        let (_, data) = h.state().page::<LeadersPage>().data.data.as_ref()?;
        data.as_ref()
            .ok()?
            .cards
            .iter()
            .find(|c| c.indicator == "collection_rate")?
            .target
    };
    step_until(&mut h, "cards", |h| idle(h) && target_of(h).is_some());
    let default = target_of(&h).unwrap();
    h.query_all_by_label("Collection rate")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .unwrap()
        .click();
    h.run_steps(3);
    h.state_mut().page_mut::<LeadersPage>().target_text = "97.25".into();
    h.run_steps(1);
    h.get_by_label("Save").click_accesskit();
    step_until(&mut h, "target saved", |h| idle(h) && target_of(h) == Some(97.25));
    h.get_by_label("Use the target above").click_accesskit();
    step_until(&mut h, "target removed", |h| {
        idle(h) && target_of(h) == Some(default)
    });
}

#[test]
fn key_market_shows_the_largest_customers_the_funnel_and_handling_times() {
    let project = small_project("ui-market");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Key market");
    step_until(&mut h, "market", |h| {
        idle(h)
            && h.state()
                .page::<MarketPage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    let data = h
        .state()
        .page::<MarketPage>()
        .data
        .data
        .clone()
        .unwrap()
        .1
        .unwrap();
    let k = &data.key_customers;
    assert!(!k.is_empty() && k.len() <= 20);
    assert!(
        k.windows(2).all(|w| w[0].kwh_year >= w[1].kwh_year),
        "largest first"
    );
    assert!(k[0].series.len() >= 12);
    // The funnel narrows: no step is reached by more applications than were accepted.
    assert!(data.funnel.iter().all(|n| *n <= data.funnel[0]));
    assert!(data.funnel[0] > 0);
    for (_, limit, f) in &data.handling {
        assert!(f.min <= f.q1 && f.q1 <= f.median && f.median <= f.q3 && f.q3 <= f.max && *limit > 0.0);
    }
    assert!(data.overdue.iter().all(|o| o.days_so_far > o.limit_days));
    let shares: f64 = data.by_class.iter().map(|(_, _, kwh)| kwh).sum();
    assert!(shares > 0.0);
    assert!(has_label(&h, "Largest customers (kWh over the last 12 months)"));
    // Picking a class in the composition filters the other lists, as a removable chip.
    let pick = h
        .query_all_by_label("Large industry")
        .rfind(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the class in the composition");
    pick.click_accesskit();
    h.run_steps(2);
    assert_eq!(
        h.state().page::<MarketPage>().class.as_deref(),
        Some("industrial_large")
    );
    let narrowed = data.clone().for_class("industrial_large");
    assert!(
        narrowed
            .key_customers
            .iter()
            .all(|c| c.class == "industrial_large")
    );
    assert!(narrowed.handling.iter().all(|(c, _, _)| c == "industrial_large"));
    h.get_by_label("Customer class: Large industry ×")
        .click_accesskit();
    h.run_steps(2);
    assert!(h.state().page::<MarketPage>().class.is_none());
}

#[test]
fn a_cards_number_opens_its_rows_sorted_and_paged() {
    let project = small_project("ui-rows");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Views for Leaders");
    step_until(&mut h, "cards", |h| {
        idle(h)
            && h.state()
                .page::<LeadersPage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    h.query_all_by_label("Complaints per 10,000 customers")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .unwrap()
        .click();
    h.run_steps(3);
    h.get_by_label("Show the rows behind this number")
        .click_accesskit();
    let shown = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state().rows.as_ref().is_some_and(|w| {
                w.requested.is_none() && w.shown.as_ref().is_some_and(|(q, p)| *q == w.query && p.is_ok())
            })
    };
    step_until(&mut h, "rows", shown);
    let w = h.state().rows.as_ref().unwrap();
    assert_eq!(w.query.table, "tickets");
    let page = w.shown.as_ref().unwrap().1.as_ref().unwrap().clone();
    let t = page
        .result
        .columns
        .iter()
        .position(|c| c == "ticket_type")
        .unwrap();
    assert!(
        page.result
            .rows
            .iter()
            .all(|r| mams::store::queries::value_to_string(&r[t]) == "complaint")
    );
    // A click on a column header sorts by it.
    h.get_by_label("received_at").click_accesskit();
    step_until(&mut h, "sorted", |h| {
        shown(h) && h.state().rows.as_ref().unwrap().query.sort == Some(("received_at".to_string(), true))
    });
    let page = h
        .state()
        .rows
        .as_ref()
        .unwrap()
        .shown
        .as_ref()
        .unwrap()
        .1
        .as_ref()
        .unwrap()
        .clone();
    let r = page
        .result
        .columns
        .iter()
        .position(|c| c == "received_at")
        .unwrap();
    let times: Vec<String> = page
        .result
        .rows
        .iter()
        .map(|row| mams::store::queries::value_to_string(&row[r]))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

/// Where a position (degrees) is drawn on the map page now.
fn on_map(h: &Harness<'static, MamsApp>, p: [f64; 2]) -> egui::Pos2 {
    use mams::geo::mercator::{View, to_world};
    let page = &h.state().page::<MapPage>();
    let centre = page.memory.detached().expect("the map was fitted to the unit");
    let rect = page.map_rect;
    let view = View {
        centre: to_world([centre.x(), centre.y()]),
        zoom: page.memory.zoom(),
        screen_centre: [rect.center().x as f64, rect.center().y as f64],
    };
    let s = view.to_screen(to_world(p));
    egui::pos2(s[0] as f32, s[1] as f32)
}

fn checkbox<'h>(h: &'h Harness<'static, MamsApp>, label: &'h str) -> egui_kittest::Node<'h> {
    h.query_all_by_label_contains(label)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::CheckBox)
        .unwrap_or_else(|| panic!("a checkbox {label}"))
}

fn press(h: &mut Harness<'static, MamsApp>, at: egui::Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    });
}

#[test]
fn the_map_shows_the_layers_picks_a_hall_and_box_selects_customers() {
    use mams::ui::pages::map::canvas::Picked;
    let project = small_project("ui-map");
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Map");
    step_until(&mut h, "map", |h| {
        idle(h)
            && h.state()
                .page::<MapPage>()
                .scene
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    h.run_steps(3);
    let scene = h.state().page::<MapPage>().scene.data.clone().unwrap().1.unwrap();
    assert_eq!(scene.viewed.len(), 8, "the cities below the province");
    assert!(
        scene.basemap.iter().any(|f| f.kind == "water"),
        "the sample's own basemap"
    );
    let halls = format!("Service halls and stations ({})", scene.halls.len());
    assert!(has_label(&h, &halls));
    assert!(has_label(&h, "The project's own (offline)"));

    // Layers toggle from the list; the legend follows.
    checkbox(&h, "Repair vehicles").click_accesskit();
    checkbox(&h, "Key customers (").click_accesskit();
    h.run_steps(2);
    assert!(h.state().page::<MapPage>().layers.vehicles);
    assert!(!h.state().page::<MapPage>().layers.key_customers);
    assert!(has_label(&h, "Play"), "the replay controls");
    assert!(has_label(&h, "On site"), "the vehicles' legend");
    h.get_by_label("Last positions").click_accesskit();
    h.run_steps(2);
    let last = scene.track.iter().map(|f| f.ts).max().unwrap();
    assert_eq!(
        h.state().page::<MapPage>().vehicle_minute,
        (last - last.date().and_hms_opt(0, 0, 0).unwrap()).num_minutes() as u32
    );
    checkbox(&h, "Repair vehicles").click_accesskit();
    h.state_mut().page_mut::<MapPage>().indicator = Some("collection_rate");
    h.run_steps(2);
    assert!(has_label(&h, "Collection rate (%)"), "the indicator map's legend");

    // A click on a hall picks it and shows its details.
    let hall = scene.halls[0].clone();
    let at = on_map(&h, hall.at);
    assert!(h.state().page::<MapPage>().map_rect.contains(at));
    h.hover_at(at);
    h.step();
    press(&mut h, at, true);
    h.step();
    press(&mut h, at, false);
    h.run_steps(3);
    assert_eq!(
        h.state().page::<MapPage>().picked,
        Some(Picked::Hall(hall.point_id.clone()))
    );
    assert!(has_label(&h, "Opening hours"));

    // Box-select: drag over the middle of the map, the customers inside come back.
    h.get_by_label("Box-select customers").click_accesskit();
    h.run_steps(1);
    let rect = h.state().page::<MapPage>().map_rect;
    let (a, b) = (
        rect.center() - egui::vec2(150.0, 120.0),
        rect.center() + egui::vec2(150.0, 120.0),
    );
    h.hover_at(a);
    h.step();
    press(&mut h, a, true);
    h.step();
    for k in 1..=5 {
        h.hover_at(a + (b - a) * (k as f32 / 5.0));
        h.step();
    }
    press(&mut h, b, false);
    h.step();
    step_until(&mut h, "boxed customers", |h| {
        idle(h) && matches!(&h.state().page::<MapPage>().boxed, Some(Ok((rows, _))) if !rows.is_empty())
    });
    let Some(Ok((rows, total))) = h.state().page::<MapPage>().boxed.clone() else {
        unreachable!()
    };
    assert_eq!(rows.len() as u64, total.min(mams::ui::jobs::BOX_LIMIT as u64));
    assert!(has_label(&h, "Customers in the box"));

    // Search: a customer number found in the project flies there and marks it with a pin.
    let wanted = rows[0].clone();
    h.state_mut().page_mut::<MapPage>().search = wanted.customer_id.clone();
    step_until(&mut h, "search results", |h| {
        idle(h) && has_label(h, &format!("{} · {}", wanted.name, wanted.customer_id))
    });
    h.get_by_label(&format!("{} · {}", wanted.name, wanted.customer_id))
        .click_accesskit();
    h.run_steps(3);
    let page = &h.state().page::<MapPage>();
    assert_eq!(
        page.pin.as_ref().map(|c| c.customer_id.clone()),
        Some(wanted.customer_id.clone())
    );
    assert!(
        matches!(&page.picked, Some(Picked::Customer(id) | Picked::KeyCustomer(id)) if *id == wanted.customer_id)
    );
    assert!(page.memory.zoom() > 11.0, "zoomed in to the customer");
    assert!(has_label(&h, "Bills of this customer"));

    // Someone else's GeoJSON becomes a city's boundary through the import form.
    let file = tmp("ui-map-geojson").join("cities.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"DM":"C01","MC":"x"},
           "geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}}]}"#,
    )
    .unwrap();
    h.get_by_label("Import GeoJSON…").click_accesskit();
    h.run_steps(2);
    h.state_mut()
        .drive(|p: &mut MapPage, cx| p.geojson_chosen(cx, file.clone()));
    step_until(&mut h, "file read", |h| {
        idle(h)
            && h.state()
                .page::<MapPage>()
                .import
                .as_ref()
                .is_some_and(|f| f.info.is_some())
    });
    assert!(has_label(&h, "1 features · DM, MC"));
    assert_eq!(
        h.state().page::<MapPage>().import.as_ref().unwrap().property,
        "DM",
        "a code-like property is preselected"
    );
    h.get_by_label("Import").click_accesskit();
    step_until(&mut h, "boundaries imported", |h| {
        idle(h)
            && h.state()
                .page::<MapPage>()
                .import
                .as_ref()
                .is_some_and(|f| f.result.is_some())
    });
    let result = h
        .state()
        .page::<MapPage>()
        .import
        .as_ref()
        .unwrap()
        .result
        .clone()
        .unwrap();
    assert_eq!(result.as_deref(), Ok("boundaries: 1 features, 1 matched"));
    step_until(&mut h, "map reloaded", |h| {
        idle(h)
            && h.state()
                .page::<MapPage>()
                .scene
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    let scene = h.state().page::<MapPage>().scene.data.clone().unwrap().1.unwrap();
    let c01 = scene.unit("C01").unwrap().shape.area.clone().unwrap();
    assert!(c01.contains([114.8, 29.2]) && !c01.contains([114.2, 29.8]));
}

#[test]
fn every_page_in_both_languages_has_all_its_texts() {
    // An audited project, so that the audit pages have suspects to show.
    let project = small_project("ui-every-page");
    {
        let p = mams::store::Project::open(&project).unwrap();
        mams::sample::project::prepare(&p, &mams::progress::Progress::new()).unwrap();
    }
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    for lang in [Lang::En, Lang::Zh] {
        h.state_mut().state.lang = lang;
        for (page, _, _) in h.state().page_list() {
            h.state_mut().state.page = page;
            step_until(&mut h, "page shown", idle);
            h.run_steps(3);
        }
    }
    // Keys built at run time (job names, steps, statuses) are checked here, in release
    // builds too: a key without a translation is recorded when it is asked for.
    assert_eq!(mams::ui::i18n::missing_keys(), Vec::<String>::new());
}

/// Runs a query in the SQL console (the page shown) and waits for its answer.
fn sql_console_run(
    h: &mut Harness<'static, MamsApp>,
    query: &str,
) -> Result<mams::store::queries::QueryResult, String> {
    use mams::ui::pages::sql::SqlPage;
    h.state_mut().page_mut::<SqlPage>().text = query.to_string();
    h.run_steps(1);
    h.get_by_label("Run").click();
    step_until(h, "query answered", |h| {
        idle(h)
            && h.state()
                .page::<SqlPage>()
                .answer
                .as_ref()
                .is_some_and(|(_, a)| a.is_some())
    });
    h.state().page::<SqlPage>().answer.clone().unwrap().1.unwrap()
}

#[test]
fn the_sql_console_runs_one_select_and_changes_nothing() {
    use mams::ui::pages::sql::SqlPage;
    let project = small_project("ui-sql");
    let classes = |p: &std::path::Path| -> Vec<(String, i64)> {
        let p = mams::store::Project::open_read_only(p).unwrap();
        let mut stmt = p
            .conn()
            .prepare("SELECT customer_class, count(*) FROM customers GROUP BY 1 ORDER BY 1")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // Counted before the app opens the project (and after it closed it).
    let want = classes(&project);
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "SQL console");
    h.run_steps(2);
    let run = sql_console_run;
    let answer = run(
        &mut h,
        "SELECT customer_class, count(*) AS n FROM customers GROUP BY 1 ORDER BY 1;",
    )
    .unwrap();
    assert_eq!(answer.columns, vec!["customer_class", "n"]);
    let got: Vec<(String, i64)> = answer
        .rows
        .iter()
        .map(|r| {
            (
                mams::store::queries::value_to_string(&r[0]),
                mams::store::queries::value_to_string(&r[1]).parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(has_label(&h, "customer_class"));
    // Writes, and a text that closes the console's subquery to add statements, are refused.
    for bad in [
        "DELETE FROM customers",
        "SELECT 1 AS x) console; DROP TABLE customers; SELECT * FROM (SELECT 1",
        "WITH d AS (DELETE FROM customers RETURNING *) SELECT * FROM d",
    ] {
        let answer = run(&mut h, bad);
        assert!(answer.is_err(), "{bad} ran");
    }
    assert!(has_label(&h, "Queries run before"));
    assert_eq!(h.state().page::<SqlPage>().history.len(), 4);
    drop(h);
    assert_eq!(classes(&project), want, "nothing changed");
}

#[test]
fn evaluation_ranks_grades_and_publishes_and_benchmarking_reads_the_gaps() {
    let project = small_project("ui-evaluation");
    {
        // Compliance needs the audit: every rule over every month, as the sample project.
        let p = mams::store::Project::open(&project).unwrap();
        mams::sample::project::prepare(&p, &mams::progress::Progress::new()).unwrap();
    }
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Evaluation");
    let loaded = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state()
                .page::<EvaluationPage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    };
    step_until(&mut h, "evaluation", loaded);
    let (key, data) = h.state().page::<EvaluationPage>().data.data.clone().unwrap();
    let data = data.unwrap();
    // The quarter holding the top bar's month, or the last complete one before it.
    assert_eq!(key.period.kind(), mams::metrics::period::PeriodKind::Quarter);
    let top = h.state().unit_id().unwrap();
    let cities = units_below(&h.state().project.as_ref().unwrap().org, &top);
    assert_eq!(data.ev.units.len(), cities.len());
    let mut ranks: Vec<usize> = data.ev.evaluation.units.iter().filter_map(|u| u.rank).collect();
    ranks.sort();
    assert_eq!(ranks.first(), Some(&1));
    assert!(has_label(&h, "Units ranked by total score"));
    assert!(has_label(&h, "What the gap to the best unit is made of"));
    assert!(has_label(&h, "Weight sets side by side"));
    // The ranking copies with a column per dimension.
    h.query_all_by_label("Copy data")
        .next()
        .unwrap()
        .click_accesskit();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let text = copied.last().expect("something copied");
    assert!(
        text.starts_with("rank\tunit_id\tunit\ttotal\tgrade\treliability"),
        "{text}"
    );
    assert_eq!(text.lines().count(), cities.len() + 1);
    // Publish: the page then says the data still match the published result.
    h.get_by_label("Publish").click();
    step_until(&mut h, "published", |h| {
        idle(h)
            && h.state()
                .page::<EvaluationPage>()
                .data
                .ok()
                .is_some_and(|d| d.standing.as_ref().is_some_and(|s| s.matches))
    });
    assert!(has_label(&h, "the data still match it"));
    // The index system edited in the app: AHP weights for reliability (Saaty's example,
    // w = 0.637, 0.258, 0.105), saved in the project and evaluated with.
    h.get_by_label("Edit index system…").click();
    h.run_steps(2);
    h.state_mut()
        .page_mut::<EvaluationPage>()
        .editor
        .as_mut()
        .expect("the editor is open")
        .system
        .dimensions[0]
        .ahp = Some(vec![
        vec![1.0, 3.0, 5.0],
        vec![1.0 / 3.0, 1.0, 3.0],
        vec![0.2, 1.0 / 3.0, 1.0],
    ]);
    h.run_steps(2);
    assert!(has_label(&h, "CR 0.033"), "CR shown as the matrix is edited");
    h.get_by_label("Save in the project").click();
    step_until(&mut h, "system saved", |h| {
        idle(h)
            && h.state().page::<EvaluationPage>().editor.is_none()
            && h.state()
                .page::<EvaluationPage>()
                .data
                .ok()
                .is_some_and(|d| d.own_systems.contains(&"service_quality 2026".to_string()))
    });
    // The quarter published before keeps the system it was published with.
    let d = h.state().page::<EvaluationPage>().data.ok().cloned().unwrap();
    assert_eq!(d.ev.system.dimensions[0].indicators[0].weight, 0.5);
    assert!(d.standing.as_ref().is_some_and(|s| s.matches));
    // The annual examination of the same units.
    h.get_by_label("Annual examination").click();
    step_until(&mut h, "annual", |h| {
        idle(h)
            && h.state()
                .page::<EvaluationPage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(k, d)| k.period.kind() == mams::metrics::period::PeriodKind::Year && d.is_ok())
    });
    // ... evaluated with the edited system, not published yet.
    let d = h.state().page::<EvaluationPage>().data.ok().cloned().unwrap();
    assert!((d.ev.system.dimensions[0].indicators[0].weight - 0.637).abs() < 0.001);

    open_page(&mut h, "Benchmarking");
    step_until(&mut h, "benchmark", |h| {
        idle(h)
            && h.state()
                .page::<BenchmarkPage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(_, d)| d.is_ok())
    });
    let data = h.state().page::<BenchmarkPage>().data.ok().cloned().unwrap();
    let members: usize = data.groups.iter().map(|g| g.units.len()).sum();
    assert_eq!(members, cities.len(), "every city in one band");
    assert!(has_label(&h, "To reach "), "the gaps read as sentences");
    assert!(has_label(&h, "Against external peers"));
    // Efficiency: DEA of the stations with the default inputs and outputs.
    step_until(&mut h, "dea", |h| {
        idle(h) && h.state().page::<BenchmarkPage>().dea.data.ok().is_some()
    });
    let dea = h.state().page::<BenchmarkPage>().dea.data.ok().cloned().unwrap();
    assert_eq!(dea.units.len() + dea.left_out.len(), 150, "every station");
    assert!(
        dea.result
            .units
            .iter()
            .all(|u| u.score > 0.0 && u.score <= 1.0 + 1e-9)
    );
    assert!(has_label(&h, "Efficiency (DEA)"));
    // The units on the frontier, marked on the map (and the map back to the benchmark).
    let frontier = dea.result.units.iter().filter(|u| u.score >= 1.0 - 1e-9).count();
    h.get_by_label("Show the units on the frontier on the map")
        .click_accesskit();
    h.run_steps(3);
    assert_eq!(h.state().state.page, mams::ui::page::PageId::Map);
    let marked = h
        .state()
        .page::<mams::ui::pages::map::MapPage>()
        .highlight
        .clone()
        .expect("units marked");
    assert_eq!(marked.0.len(), frontier);
    open_page(&mut h, "Benchmarking");
    h.run_steps(2);
    // Best practice: the leader's cases in the case library.
    h.query_all_by_label("Leader's cases")
        .next()
        .expect("a unit behind its leader")
        .click_accesskit();
    h.run_steps(3);
    assert_eq!(h.state().state.page, mams::ui::page::PageId::Cases);
    assert!(h.state().page::<CasesPage>().unit.is_some());
}

#[test]
fn the_cadence_prepares_the_monthly_meetings_bulletin_and_publishes_it_with_commentary() {
    use mams::bulletins::cadence::State;
    use mams::ui::pages::cadence::CadencePage;
    let project = small_project("ui-cadence");
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Cadence");
    // Wednesday 8 January 2025, the 5th working day after New Year's Day: the monthly
    // meeting (on December 2024) is due, with the day's brief.
    h.state_mut().page_mut::<CadencePage>().date = chrono::NaiveDate::from_ymd_opt(2025, 1, 8);
    let loaded = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state()
                .page::<CadencePage>()
                .data
                .data
                .as_ref()
                .is_some_and(|(d, r)| d.day() == 8 && r.is_ok())
    };
    step_until(&mut h, "cadence", loaded);
    let today: Vec<(String, String, State)> = h
        .state()
        .page::<CadencePage>()
        .data
        .ok()
        .unwrap()
        .agenda
        .today
        .iter()
        .map(|l| (l.occurrence.item.clone(), l.occurrence.period.clone(), l.state))
        .collect();
    assert_eq!(
        today,
        [
            (
                "daily_brief".to_string(),
                "2025-01-07".to_string(),
                State::NotPrepared
            ),
            (
                "monthly_meeting".to_string(),
                "2024-12".to_string(),
                State::NotPrepared
            )
        ]
    );
    assert!(has_label(&h, "Monthly marketing meeting"));
    // Prepare the meeting's bulletin (the second Prepare of the day's list): it opens for
    // review.
    h.query_all_by_label("Prepare").nth(1).unwrap().click();
    step_until(&mut h, "review", |h| {
        idle(h) && h.state().page::<CadencePage>().review.is_some()
    });
    assert!(has_label(&h, "Monthly analysis of marketing") && has_label(&h, "No. 2024-12"));
    assert!(has_label(&h, "1. Leaders' indicators"));
    // The analyst's commentary on the ranking, then Publish.
    {
        let rv = h.state_mut().page_mut::<CadencePage>().review.as_mut().unwrap();
        let ranking = rv.doc.sections.iter_mut().find(|s| s.id == "ranking").unwrap();
        ranking.commentary = Some("Ask the last unit for a plan.".into());
        rv.dirty = true;
    }
    h.run_steps(2);
    h.get_by_label("Publish").click();
    step_until(&mut h, "published", |h| {
        idle(h)
            && h.state()
                .page::<CadencePage>()
                .review
                .as_ref()
                .is_some_and(|r| r.published.is_some())
    });
    assert!(has_label(&h, "Commentary: Ask the last unit for a plan."));
    // Back on the calendar: the meeting is published, listed with its data unchanged.
    h.get_by_label("← Calendar").click();
    step_until(&mut h, "cadence again", loaded);
    let state = h.state().page::<CadencePage>().data.ok().unwrap().agenda.today[1].state;
    assert_eq!(state, State::Published);
    h.get_by_label("Check against today's data").click();
    step_until(&mut h, "checked", |h| {
        idle(h) && h.state().page::<CadencePage>().checked.is_some()
    });
    assert!(has_label(&h, "unchanged"));
    // The project's own cadence: a rhythm that cannot fall due is refused, naming the item.
    h.get_by_label("Edit the cadence…").click();
    h.run_steps(2);
    {
        let page = h.state_mut().page_mut::<CadencePage>();
        let (json, _) = page.editing.as_mut().expect("the editor is open");
        assert!(json.contains("\"working_day\": 5"), "{json}");
        *json = json.replace("\"working_day\": 5", "\"working_day\": 40");
    }
    h.get_by_label("Check and keep in the project").click();
    step_until(&mut h, "refused", |h| {
        idle(h)
            && h.state()
                .page::<CadencePage>()
                .editing
                .as_ref()
                .is_some_and(|(_, why)| why.is_some())
    });
    assert!(has_label(
        &h,
        "the cadence item 'monthly_meeting' has a rhythm that cannot fall due"
    ));
}

#[test]
fn a_deck_is_made_of_page_views_and_shown_full_screen_with_the_keys_masked() {
    use egui::Key;
    use mams::ui::pages::presenter::PresenterPage;
    let project = small_project("ui-presenter");
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    let slides = |h: &Harness<'static, MamsApp>| {
        h.state()
            .page::<PresenterPage>()
            .deck
            .as_ref()
            .map(|d| d.slides.len())
            .unwrap_or(0)
    };
    // Two views added from their pages, staying on them.
    for (page, n) in [("Key market", 1), ("Views for Leaders", 2)] {
        open_page(&mut h, page);
        step_until(&mut h, page, idle);
        h.get_by_label("➕ Add to deck").click();
        step_until(&mut h, "slide made", |h| idle(h) && slides(h) == n);
        assert!(has_label(&h, "Added to"), "a notice says where it went");
    }
    step_until(&mut h, "deck kept", |h| {
        idle(h)
            && h.state()
                .page::<PresenterPage>()
                .deck
                .as_ref()
                .is_some_and(|d| d.id.is_some())
    });
    open_page(&mut h, "Presenter");
    h.state_mut().page_mut::<PresenterPage>().selected = 0;
    h.run_steps(3);
    // The key market's slide: the customers' names are masked in the preview.
    let deck = h.state().page::<PresenterPage>().deck.clone().unwrap();
    assert_eq!(deck.slides[0].view.page, "market");
    let name = deck.slides[0].content.personal[0].value.clone();
    let masked = mams::privacy::mask(&name, mams::privacy::Personal::Name);
    assert!(has_label(&h, &masked), "{masked} shown");
    assert!(!has_label(&h, &name), "{name} not shown");
    // F5 shows it full screen from the selected slide; the keys move through it.
    h.key_press(Key::F5);
    h.run_steps(2);
    let index =
        |h: &Harness<'static, MamsApp>| h.state().page::<PresenterPage>().show.as_ref().map(|s| s.index);
    assert_eq!(index(&h), Some(0));
    assert!(has_label(&h, "🔒 personal data masked"));
    assert!(!has_label(&h, &name));
    h.key_press(Key::ArrowRight);
    h.run_steps(2);
    assert_eq!(index(&h), Some(1));
    h.key_press(Key::Home);
    h.run_steps(2);
    assert_eq!(index(&h), Some(0));
    h.key_press(Key::Num2);
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert_eq!(index(&h), Some(1));
    h.key_press(Key::B);
    h.run_steps(2);
    assert!(h.state().page::<PresenterPage>().show.as_ref().unwrap().black);
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert_eq!(index(&h), None, "Esc leaves");
}

#[test]
fn data_quality_runs_after_opening_and_follows_a_check_to_its_rows_and_an_item_along() {
    let project = small_project("ui-quality");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    // Opening a project that was never checked starts a run by itself.
    open_page(&mut h, "Data quality");
    let loaded = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state()
                .page::<QualityPage>()
                .data
                .ok()
                .is_some_and(|d| d.last_run.is_some())
    };
    step_until(&mut h, "quality overview", loaded);
    let d = h.state().page::<QualityPage>().data.ok().cloned().unwrap();
    assert_eq!(d.last_run.as_ref().unwrap().trigger, "import");
    assert!(
        d.overall.score.is_some_and(|s| s > 90.0 && s < 100.0),
        "{:?}",
        d.overall
    );
    assert!(has_label(&h, "Tables by dimension") && has_label(&h, "Where the points go"));
    // The planted empty addresses fail their check; the checks tab opens it.
    let (tested, failing) = d.sums["customers.address.not_blank"];
    assert!(failing > 0 && failing < tested);
    h.get_by_label("Checks").click();
    h.run_steps(2);
    assert_eq!(h.state().page::<QualityPage>().tab, QualityTab::Checks);
    h.get_by_label("Address filled").click();
    step_until(&mut h, "check detail", |h| {
        idle(h)
            && h.state()
                .page::<QualityPage>()
                .detail
                .ok()
                .is_some_and(|x| x.check_id == "customers.address.not_blank")
    });
    let detail = h.state().page::<QualityPage>().detail.ok().cloned().unwrap();
    assert_eq!(detail.rows.len() as u64, failing);
    assert!(detail.rows.iter().all(|r| r.3 == "the address is empty"));
    // All its failing rows, in the rows window: exactly the failing customers.
    h.get_by_label("All failing rows").click();
    let shown = |h: &Harness<'static, MamsApp>| {
        idle(h)
            && h.state().rows.as_ref().is_some_and(|w| {
                w.requested.is_none() && w.shown.as_ref().is_some_and(|(q, p)| *q == w.query && p.is_ok())
            })
    };
    step_until(&mut h, "failing rows", shown);
    let w = h.state().rows.as_ref().unwrap();
    assert_eq!(w.query.table, "customers");
    assert_eq!(w.shown.as_ref().unwrap().1.as_ref().unwrap().total, failing);
    h.state_mut().rows = None;
    // The worklist: an item moves to assigned, and its trail says so.
    h.get_by_label_contains("Worklist").click();
    h.run_steps(2);
    let item = d
        .items
        .iter()
        .find(|i| i.check_id == "customers.address.not_blank")
        .unwrap()
        .clone();
    h.state_mut().page_mut::<QualityPage>().worklist.selected = Some(item.item_key.clone());
    h.run_steps(2);
    h.get_by_label("→ Assigned").click();
    step_until(&mut h, "item assigned", |h| {
        idle(h)
            && h.state().page::<QualityPage>().data.ok().is_some_and(|d| {
                d.items
                    .iter()
                    .any(|i| i.item_key == item.item_key && i.status == "assigned")
            })
    });
    step_until(&mut h, "trail", |h| {
        idle(h)
            && h.state()
                .page::<QualityPage>()
                .worklist
                .trail
                .as_ref()
                .is_some_and(|(k, t)| *k == item.item_key && t.as_ref().is_ok_and(|t| t.len() == 2))
    });
    // In Chinese.
    h.state_mut().state.lang = Lang::Zh;
    step_until(&mut h, "in Chinese", idle);
    h.run_steps(3);
    assert!(has_label(&h, "数据质量") && has_label(&h, "整改清单"));
}

#[test]
fn risk_page_places_the_points_on_the_matrix_follows_one_and_evaluates_its_measure() {
    use mams::risk::measures::{self, Metric, NewMeasure};
    use mams::ui::pages::risk::RiskPage;
    let project = small_project("ui-risk");
    // Audited, with the measure the generator planted recorded, as the sample project is.
    {
        let p = mams::store::Project::open(&project).unwrap();
        let months = mams::store::queries::months(&p).unwrap();
        let (rules, _) = mams::audit::run::library(&p).unwrap();
        let spec = mams::audit::run::RunSpec::new(months[0], *months.last().unwrap(), "P", vec![]);
        mams::audit::run::run(&p, &rules, &spec, true, &mams::progress::Progress::new()).unwrap();
        measures::add(
            &p,
            &NewMeasure {
                risk_id: "metering.estimated_reads".into(),
                action: "Remote reading completed".into(),
                owner_unit: "C03K02".into(),
                units: vec![],
                start_month: months[months.len() / 2],
                due_on: months[months.len() / 2],
                metric: Some(Metric::Rule("estimated".into())),
                controls: vec![],
                notes: String::new(),
            },
            "test",
        )
        .unwrap();
    }
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "Risk points");
    let loaded = |h: &Harness<'static, MamsApp>| idle(h) && h.state().page::<RiskPage>().data.ok().is_some();
    step_until(&mut h, "risk overview", loaded);
    let d = h.state().page::<RiskPage>().data.ok().cloned().unwrap();
    // Every point of the register has a level in the top unit, placed on the matrix: the
    // numbers in its cells add up to the register.
    assert_eq!(d.levels.len(), d.points.len());
    assert!(has_label(&h, "Risk matrix") && has_label(&h, "Risk points by unit"));
    // The heat map has a row per point and a column per city.
    assert!(!d.below.is_empty());
    // Choosing a point shows its register entry and its measures; choosing the measure
    // evaluates it against the county's siblings.
    // (Its row lies below the fold of a 900-pixel window: chosen as a click on it does.)
    h.state_mut()
        .page_mut::<RiskPage>()
        .choose("metering.estimated_reads");
    step_until(&mut h, "risk point", |h| {
        idle(h)
            && h.state()
                .page::<RiskPage>()
                .detail
                .ok()
                .is_some_and(|x| x.point.id == "metering.estimated_reads")
    });
    assert!(has_label(&h, "Meters are estimated for several cycles"));
    h.get_by_label_contains("Remote reading completed").click();
    step_until(&mut h, "evaluation", |h| {
        idle(h)
            && h.state()
                .page::<RiskPage>()
                .evaluation
                .as_ref()
                .is_some_and(|(_, r)| r.is_ok())
    });
    let (e, trail) = h
        .state()
        .page::<RiskPage>()
        .evaluation
        .clone()
        .unwrap()
        .1
        .unwrap();
    assert_eq!(e.treated, ["C03K02"]);
    assert!(
        e.controls.iter().all(|c| c.starts_with("C03K") && c != "C03K02"),
        "{:?}",
        e.controls
    );
    assert_eq!(trail.len(), 1);
    assert!(has_label(&h, "Difference in differences"));
    // Moved along from the page: the trail grows.
    h.get_by_label("→ In progress").click();
    step_until(&mut h, "measure moved", |h| {
        idle(h)
            && h.state()
                .page::<RiskPage>()
                .evaluation
                .as_ref()
                .is_some_and(|(_, r)| r.as_ref().is_ok_and(|(_, t)| t.len() == 2))
    });
    // The same page in Chinese.
    h.state_mut().state.lang = Lang::Zh;
    h.run_steps(3);
    assert!(has_label(&h, "风险矩阵") && has_label(&h, "整改成效"));
}

/// The text the last frame put on the clipboard, if any.
fn copied(h: &Harness<'static, MamsApp>) -> Option<String> {
    h.output().platform_output.commands.iter().find_map(|c| match c {
        egui::OutputCommand::CopyText(t) => Some(t.clone()),
        _ => None,
    })
}

#[test]
fn copies_mask_personal_data_until_full_disclosure_is_confirmed_and_recorded() {
    let project = small_project("ui-disclosure");
    let (name, id): (String, String) = {
        let p = mams::store::Project::open_read_only(&project).unwrap();
        p.conn()
            .query_row(
                "SELECT name, id_number FROM customers ORDER BY customer_id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    open_page(&mut h, "SQL console");
    h.run_steps(2);
    sql_console_run(
        &mut h,
        "SELECT customer_id, name, id_number FROM customers ORDER BY customer_id LIMIT 5",
    )
    .unwrap();

    // Masked by default: the copy holds 张** and 110***********1234, not the values.
    h.get_by_label("Copy data").click();
    h.step();
    let text = copied(&h).expect("copied");
    assert!(!text.contains(&name) && !text.contains(&id), "{text}");
    assert!(
        text.contains(&format!("{}{}", &id[..3], "*".repeat(id.len() - 7))),
        "{text}"
    );

    // In full only after the confirmation; the copy then waits for its access-log entry.
    h.get_by_label("🔒 Personal data masked").click();
    h.run_steps(2);
    assert!(has_label(&h, "Export personal data in full?"));
    h.get_by_label("Export in full, and record it").click();
    h.run_steps(2);
    assert_eq!(h.state().disclosure, mams::privacy::Disclosure::Full);
    h.get_by_label("Copy data").click();
    let mut full = None;
    let start = Instant::now();
    while full.is_none() && start.elapsed() < Duration::from_secs(30) {
        h.step();
        full = copied(&h);
        std::thread::sleep(Duration::from_millis(20));
    }
    let full = full.expect("copied in full");
    assert!(full.contains(&name) && full.contains(&id), "{full}");
    assert!(has_label(&h, "recorded in the access log"));

    // Back to masked with one click.
    h.get_by_label("⚠ Personal data in full").click();
    h.run_steps(2);
    assert_eq!(h.state().disclosure, mams::privacy::Disclosure::Masked);
    drop(h);
    let p = mams::store::Project::open_read_only(&project).unwrap();
    let log = mams::store::access_log::list(&p, 10).unwrap();
    assert_eq!(log.len(), 1, "one copy in full, one entry");
    assert_eq!((log[0].channel.as_str(), log[0].rows), ("clipboard", 5));
    assert_eq!(log[0].columns, "name, id_number");
}

/// Types into the passphrase field labelled `label`.
fn type_passphrase(h: &mut Harness<'static, MamsApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(1);
}

#[test]
fn a_project_is_encrypted_from_the_app_and_opens_again_only_with_its_passphrase() {
    use mams::store::{encryption, keys};
    let project = small_project("ui-encrypt");
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    h.get_by_role_and_label(egui::accesskit::Role::Button, "File")
        .click();
    h.run_steps(2);
    h.get_by_label("Encrypt this project…").click();
    h.run_steps(2);
    assert!(has_label(&h, "never stored"));

    // Two different passphrases are refused in the dialog; made the same, the file is
    // encrypted and the project opens again at once.
    type_passphrase(&mut h, "New passphrase", "correct horse battery");
    type_passphrase(&mut h, "The same again", "correct horse");
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(has_label(&h, "The two new passphrases differ."));
    type_passphrase(&mut h, "The same again", " battery");
    h.get_by_label("OK").click();
    step_until(&mut h, "project encrypted", |h| {
        idle(h) && h.state().project.as_ref().is_some_and(|p| p.info.encrypted)
    });
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(has_label(&h, "🔐 Encrypted"));
    assert!(has_label(&h, "The project file is encrypted."));
    drop(h);
    assert!(encryption::is_encrypted(&project).unwrap());

    // A new start knows no key: the passphrase is asked; a wrong one is said so, the right
    // one opens it.
    keys::forget(&project);
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "passphrase asked", |h| {
        idle(h) && h.state().passphrase.is_some()
    });
    h.run_steps(2);
    assert!(has_label(&h, "This project is encrypted."));
    type_passphrase(&mut h, "Passphrase", "correct horse battery staple");
    h.get_by_label("OK").click();
    step_until(&mut h, "passphrase asked again", |h| {
        idle(h) && h.state().passphrase.is_some()
    });
    h.run_steps(2);
    assert!(has_label(&h, "does not open this project"));
    assert!(h.state().project.is_none());
    type_passphrase(&mut h, "Passphrase", "correct horse battery");
    // Enter in the field is OK.
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "encrypted project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    assert!(h.state().error.is_none(), "{:?}", h.state().error);

    // Removing the encryption asks for the passphrase again and is recorded.
    h.get_by_role_and_label(egui::accesskit::Role::Button, "File")
        .click();
    h.run_steps(2);
    h.get_by_label("Remove the encryption…").click();
    h.run_steps(2);
    type_passphrase(&mut h, "Passphrase", "not it at all");
    h.get_by_label("OK").click();
    step_until(&mut h, "wrong current passphrase said", |h| {
        idle(h) && h.state().error.is_some()
    });
    assert!(
        h.state()
            .error
            .as_ref()
            .unwrap()
            .contains("current passphrase is wrong")
    );
    assert!(encryption::is_encrypted(&project).unwrap());
    h.get_by_label("OK").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "File")
        .click();
    h.run_steps(2);
    h.get_by_label("Remove the encryption…").click();
    h.run_steps(2);
    type_passphrase(&mut h, "Passphrase", "correct horse battery");
    h.get_by_label("OK").click();
    step_until(&mut h, "project plain again", |h| {
        idle(h) && h.state().project.as_ref().is_some_and(|p| !p.info.encrypted)
    });
    assert!(!has_label(&h, "🔐 Encrypted"));
    drop(h);
    assert!(!encryption::is_encrypted(&project).unwrap());
    let p = mams::store::Project::open_read_only(&project).unwrap();
    let log = mams::store::access_log::list(&p, 10).unwrap();
    assert_eq!(log[0].channel, "decrypt");
}

/// One HTTP request to the phone server on its own thread (the app keeps drawing meanwhile:
/// a pairing is written by its worker between frames). Its status and body.
fn phone_request(
    url: String,
    token: Option<String>,
    body: Option<String>,
) -> std::thread::JoinHandle<(u16, String)> {
    // reqwest is built without a TLS provider of its own: ring's, as the app uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let http = reqwest::Client::new();
            let mut req = match &body {
                Some(b) => http
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(b.clone()),
                None => http.get(&url),
            };
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    })
}

fn finish_request(
    h: &mut Harness<'static, MamsApp>,
    r: std::thread::JoinHandle<(u16, String)>,
) -> (u16, String) {
    let start = Instant::now();
    while !r.is_finished() && start.elapsed() < Duration::from_secs(30) {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    r.join().unwrap()
}

#[test]
fn phone_access_window_pairs_a_phone_with_the_code_it_shows_and_revokes_it() {
    let project = small_project("ui-phone");
    let mut h = harness(options_for(project));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    h.get_by_role_and_label(egui::accesskit::Role::Button, "File")
        .click();
    h.run_steps(2);
    h.get_by_label("Phone access…").click();
    h.run_steps(2);
    assert!(has_label(&h, "Not serving"));
    // Started as the Start button does, but on the loopback and a free port (the button binds
    // the network's 7443 with HTTPS, which a test machine may not have free).
    h.state_mut()
        .start_phone(mams::handheld::server::Options::loopback_plain());
    step_until(&mut h, "phone access started", |h| {
        h.state().phone.server.is_some()
    });
    let base = h.state().phone.server.as_ref().unwrap().url.clone();
    assert!(has_label(&h, &base), "the address is shown");

    // The code the window shows is the one that pairs; the QR code's link holds it.
    h.get_by_label("Show a pairing code").click();
    h.run_steps(2);
    let shown = h
        .state()
        .phone
        .server
        .as_ref()
        .unwrap()
        .shown()
        .expect("a code on show");
    assert!(has_label(&h, &shown.code));
    assert!(
        shown.link.ends_with(&format!("#pair={}", shown.code)),
        "{}",
        shown.link
    );
    let body = serde_json::json!({"code": shown.code, "name": "Inspector Li's phone"}).to_string();
    let (status, paired) = finish_request(&mut h, phone_request(format!("{base}api/pair"), None, Some(body)));
    assert_eq!(status, 200, "{paired}");
    let token = serde_json::from_str::<serde_json::Value>(&paired).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Used once, the code is gone from the window.
    step_until(&mut h, "the code withdrawn", |h| {
        has_label(h, "was used or has expired")
    });
    let (status, _) = finish_request(
        &mut h,
        phone_request(format!("{base}api/me"), Some(token.clone()), None),
    );
    assert_eq!(status, 200);

    // The device is listed (the window reads the list every few seconds) and revoked from it;
    // its next request is refused.
    step_until(&mut h, "the device listed", |h| {
        has_label(h, "Inspector Li's phone")
    });
    h.get_by_label("Revoke").click();
    step_until(&mut h, "the device revoked", |h| {
        h.query_all_by_label_contains("Revoked").next().is_some()
    });
    let (status, _) = finish_request(&mut h, phone_request(format!("{base}api/me"), Some(token), None));
    assert_eq!(status, 401, "a revoked phone is refused");

    h.get_by_label("Stop").click();
    step_until(&mut h, "phone access stopped", |h| {
        h.state().phone.server.is_none()
    });
    assert!(has_label(&h, "Not serving"));
}

#[test]
fn a_lake_slice_is_chosen_and_attached_from_the_file_menu() {
    use chrono::Months;
    use mams::lake::{Personal, export::export};
    use mams::progress::Progress;
    use mams::ui::dialogs::Purpose;
    let project = small_project("ui-lake");
    let out = tmp("ui-lake-out");
    let dir = out.join("lake");
    // What the project holds, read before the app opens it: the lake must say the same.
    let (first, last, units) = {
        let p = mams::store::Project::open(&project).unwrap();
        export(&p, &dir, Personal::Pseudonymised, &Progress::new()).unwrap();
        let months = mams::store::queries::months(&p).unwrap();
        let tree = mams::store::queries::org_tree(&p).unwrap();
        (months[0], *months.last().unwrap(), tree)
    };
    let mut h = harness(options_for(project.clone()));
    step_until(&mut h, "project opened", |h| {
        h.state().project.is_some() && idle(h)
    });
    h.get_by_role_and_label(egui::accesskit::Role::Button, "File")
        .click();
    h.run_steps(2);
    assert!(has_label(&h, "Attach a lake slice…"));
    h.key_press(egui::Key::Escape);
    h.run_steps(2);

    // Bad input: a folder that is not a lake is refused with its path, and no window opens.
    let not_lake = out.join("not-a-lake");
    std::fs::create_dir_all(&not_lake).unwrap();
    h.state_mut().answer(Purpose::AttachLake, vec![not_lake.clone()]);
    step_until(&mut h, "refusal", |h| h.state().error.is_some() && idle(h));
    let error = h.state_mut().error.take().unwrap();
    assert!(error.contains("is not a MAMS lake"), "{error}");
    assert!(error.contains(&not_lake.display().to_string()), "{error}");
    assert!(h.state().lake_attach.is_none());
    h.run_steps(2);

    // The lake: its months and its whole org tree, the top first.
    h.state_mut().answer(Purpose::AttachLake, vec![dir.clone()]);
    step_until(&mut h, "lake read", |h| {
        h.state().lake_attach.is_some() && idle(h)
    });
    let outline = h.state().lake_attach.as_ref().unwrap().outline.clone();
    assert_eq!(outline.months, (first, last));
    assert_eq!(outline.units.len(), units.len());
    let listed = mams::ui::org::depth_first(&outline.units);
    let top = units.iter().find(|u| u.parent_id.is_none()).unwrap();
    assert_eq!(
        (listed[0].0.unit_id.as_str(), listed[0].1),
        (top.unit_id.as_str(), 0)
    );
    assert!(h.query_all_by_label("Attach a lake slice").next().is_some());
    // By default the whole tree over the last 12 months.
    {
        let d = h.state().lake_attach.as_ref().unwrap();
        assert_eq!(
            (d.unit.clone(), d.from, d.to),
            (None, last - Months::new(11), last)
        );
    }
    // A city chosen in the list (indented below the province).
    let (city, depth) = listed.iter().find(|(u, _)| u.level == "city").unwrap();
    let city = (*city).clone();
    assert_eq!(*depth, 1);
    h.query_all_by_role(egui::accesskit::Role::ComboBox)
        .find(|n| n.accesskit_node().value().as_deref() == Some("The whole org tree"))
        .expect("the list of units")
        .click();
    h.run_steps(2);
    let name = city.name_en.clone();
    h.get_by_label(&format!("    {name} ({})", city.unit_id)).click();
    h.run_steps(2);
    assert_eq!(
        h.state().lake_attach.as_ref().unwrap().unit.as_deref(),
        Some(city.unit_id.as_str())
    );
    // The months the wrong way round: said, and nothing to attach.
    let attach_button = |h: &Harness<'static, MamsApp>| {
        h.query_all_by_label("Attach…")
            .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
            .expect("the Attach button")
            .accesskit_node()
            .is_disabled()
    };
    assert!(!attach_button(&h));
    {
        let d = h.state_mut().lake_attach.as_mut().unwrap();
        (d.from, d.to) = (last, last - Months::new(1));
    }
    h.run_steps(2);
    assert!(has_label(&h, "The first month is after the last."));
    assert!(attach_button(&h), "disabled");
    let (from, to) = (last - Months::new(5), last);
    {
        let d = h.state_mut().lake_attach.as_mut().unwrap();
        (d.from, d.to) = (from, to);
    }
    h.hover_at(egui::pos2(1390.0, 890.0));
    h.run_steps(2);
    if let Ok(img) = h.render() {
        let _ = img.save(out.join("lake-attach.png"));
    }
    let suggested = h.state().lake_attach.as_ref().unwrap().suggested_name();
    assert_eq!(
        suggested,
        format!(
            "{}-{}-{}.duckdb",
            city.unit_id,
            from.format("%Y-%m"),
            to.format("%Y-%m")
        )
    );

    // A file that exists (here the open project) is refused and nothing changes: the
    // project stays open, and so does the window with the slice chosen.
    h.state_mut().answer(
        Purpose::AttachLakeProject(suggested.clone()),
        vec![project.clone()],
    );
    step_until(&mut h, "existing file refused", |h| {
        h.state().error.is_some() && idle(h)
    });
    let error = h.state_mut().error.take().unwrap();
    assert!(error.contains("already exists"), "{error}");
    assert_eq!(h.state().project.as_ref().unwrap().path, project);
    assert_eq!(
        h.state().lake_attach.as_ref().unwrap().unit.as_deref(),
        Some(city.unit_id.as_str())
    );
    h.run_steps(2);

    // Where to save it answered: the new project opens on the slice, read in place.
    let slice = out.join(&suggested);
    h.state_mut()
        .answer(Purpose::AttachLakeProject(suggested), vec![slice.clone()]);
    step_until(&mut h, "slice attached", |h| {
        idle(h) && h.state().project.as_ref().is_some_and(|p| p.path == slice)
    });
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(h.state().lake_attach.is_none());
    let view = h.state().project.clone().unwrap();
    assert!(view.info.lake.is_some());
    // Its org tree is the city's subtree, the city its top; its months reach the slice's.
    let roots: Vec<&str> = view
        .org
        .iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| u.unit_id.as_str())
        .collect();
    assert_eq!(roots, [city.unit_id.as_str()]);
    assert!(
        view.months.contains(&from) && view.months.contains(&to),
        "{:?}",
        view.months
    );
    h.run_steps(3);
    assert!(has_label(&h, "Lake slice:"));
    if let Ok(img) = h.render() {
        let _ = img.save(out.join("lake-attached.png"));
    }
}
