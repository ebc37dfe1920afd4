//! Frame times of every page (release mode): the app's work for one frame (update, layout,
//! drawing and tessellation; the GPU's part is not measured) on a project, measured while the page is shown and
//! while the month is being switched (its job running on the worker). The UI must keep 60
//! frames per second: under 16 ms a frame.
//!
//!   cargo bench --bench frames                  # the committed sample project
//!   cargo bench --bench frames -- --project P   # any project (e.g. 1M customers)
//!
//! Frames are run headless with egui_kittest, which also builds the accessibility tree each
//! frame, so the figures are on the high side of what the window does.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use mams::progress::Progress;
use mams::ui::page::PageId as Page;
use mams::ui::pages::leaders::LeadersPage;
use mams::ui::{AppOptions, MamsApp};

#[path = "support/app_frames.rs"]
mod app_frames;
use app_frames::{frame, percentile, settle};

/// Times of `n` frames, in ms, sorted.
fn frames(h: &mut Harness<'static, MamsApp>, n: usize) -> Vec<f64> {
    let mut t: Vec<f64> = (0..n).map(|_| frame(h)).collect();
    t.sort_by(f64::total_cmp);
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.iter().position(|a| a == "--project") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => {
            let p = std::env::temp_dir().join("mams-bench/frames-sample/project.duckdb");
            if !p.exists() {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
                drop(mams::import::build_project(&p, &dir, &Progress::new()).unwrap());
            }
            p
        }
    };
    // The monthly meeting's deck of the project's last month, made before the app opens it
    // (the project is one process's at a time), ten slides.
    let deck = {
        let p = mams::store::Project::open(&path).unwrap();
        let months = mams::store::queries::months(&p).unwrap();
        let month = months.last().unwrap().format("%Y-%m").to_string();
        let doc = mams::bulletins::make(&p, mams::bulletins::Kind::Monthly, &month, None, &Progress::new())
            .unwrap();
        let mut deck = mams::presenter::deck::Deck::of_document(&doc, "bench");
        for i in 0..3 {
            deck.duplicate(i * 2);
        }
        deck
    };
    let options = AppOptions {
        project: Some(path.clone()),
        settings_file: None,
        sample_project: std::env::temp_dir().join("mams-bench/unused.duckdb"),
        sample_db: None,
        lang: None,
        launched: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(|ui, app: &mut MamsApp| app.ui(ui), MamsApp::new(options));
    settle(&mut h);
    // The leaders' page with a card's detail open and filtered on a class: its trend,
    // ranking and class charts are drawn too.
    h.state_mut().page_mut::<LeadersPage>().selected = Some("collection_rate");
    h.state_mut().page_mut::<LeadersPage>().filter.1 = Some(Some("residential".to_string()));
    println!("{}", path.display());
    println!(
        "page                   shown: median / p95 / max ms    switching the month: median / p95 / max ms (frames)"
    );
    for page in [
        Page::Overview,
        Page::Leaders,
        Page::Bulletin,
        Page::Market,
        Page::Service,
        Page::Map,
        Page::Audit,
        Page::Cases,
    ] {
        h.state_mut().state.page = page;
        settle(&mut h);
        let shown = frames(&mut h, 60);
        let shapes = h.output().shapes.len();
        // Switch the month and time the frames drawn while the page's job runs.
        let month = h.state().period().unwrap();
        let other = h
            .state()
            .project
            .as_ref()
            .unwrap()
            .months
            .iter()
            .copied()
            .filter(|m| *m != month)
            .max()
            .unwrap_or(month);
        h.state_mut().set_period(Some(other));
        let mut during = Vec::new();
        let t = Instant::now();
        h.step();
        while h.state().is_busy() && t.elapsed() < Duration::from_secs(120) {
            during.push(frame(&mut h));
            std::thread::sleep(Duration::from_millis(4));
        }
        during.sort_by(f64::total_cmp);
        let during_text = if during.is_empty() {
            "(the job finished within a frame)".to_string()
        } else {
            format!(
                "{:.1} / {:.1} / {:.1} ({})",
                percentile(&during, 0.5),
                percentile(&during, 0.95),
                during.last().unwrap(),
                during.len()
            )
        };
        println!(
            "{:<22} {:.1} / {:.1} / {:.1} ({shapes} shapes)    {during_text}",
            format!("{page:?}"),
            percentile(&shown, 0.5),
            percentile(&shown, 0.95),
            shown.last().unwrap(),
        );
        h.state_mut().set_period(Some(month));
        settle(&mut h);
    }
    presenting(&mut h, deck);
}

/// The deck full screen with the presenter view: the frame that shows the next slide after
/// the key (issue 17: under 300 ms), and the frames of a slide shown (60 per second: 16 ms).
fn presenting(h: &mut Harness<'static, MamsApp>, deck: mams::presenter::deck::Deck) {
    use mams::ui::pages::presenter::PresenterPage;
    let slides = deck.slides.len();
    h.state_mut().page_mut::<PresenterPage>().deck = Some(deck);
    h.state_mut().page_mut::<PresenterPage>().selected = 0;
    h.key_press(egui::Key::F5);
    h.run_steps(2);
    let mut change = Vec::new();
    for _ in 1..slides {
        h.key_press(egui::Key::ArrowRight);
        change.push(frame(h));
    }
    let first_visit = change.clone();
    // Again, the slides' charts now drawn.
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    let mut again = Vec::new();
    for _ in 1..slides {
        h.key_press(egui::Key::ArrowRight);
        again.push(frame(h));
    }
    // The frames of the heaviest slide: the indicators' table, with the next slide's chart
    // in the presenter view.
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    let shown = frames(h, 60);
    let mut first_visit = first_visit;
    first_visit.sort_by(f64::total_cmp);
    again.sort_by(f64::total_cmp);
    println!(
        "presenting {slides} slides with the presenter view: slide change, first visit median / max {:.1} / {:.1} ms, again {:.1} / {:.1} ms; a slide shown {:.1} / {:.1} / {:.1} ms",
        percentile(&first_visit, 0.5),
        first_visit.last().unwrap(),
        percentile(&again, 0.5),
        again.last().unwrap(),
        percentile(&shown, 0.5),
        percentile(&shown, 0.95),
        shown.last().unwrap()
    );
}
