//! The phone server under load (release mode): the app opens the sample project headless
//! (egui_kittest), starts phone access on the loopback address through its worker, as the
//! window does, and 50 paired phones read cards, misses and the inspection list for a minute.
//! Measured: each request's time (p50 / p95 / max, errors), and the app's frame times before
//! and during the load (the server reads on its own connections and must not slow the window).
//!
//! The phones ask with no pause between answers (the worst case), or with `--pause-ms`
//! between taps as people do; they take gzip, as browsers do.
//!
//!   cargo bench --bench phone                      # 50 clients, 60 s, no pause
//!   cargo bench --bench phone -- --pause-ms 1000   # each phone taps once a second
//!   cargo bench --bench phone -- --clients 20 --seconds 10

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use mams::handheld::server::{Grant, Options};
use mams::progress::Progress;
use mams::ui::page::PageId as Page;
use mams::ui::{AppOptions, MamsApp};

#[path = "support/app_frames.rs"]
mod app_frames;
use app_frames::{frame, percentile, settle};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clients = arg(&args, "--clients", 50) as usize;
    let seconds = arg(&args, "--seconds", 60);
    let pause = Duration::from_millis(arg(&args, "--pause-ms", 0));
    let path = std::env::temp_dir().join("mams-bench/phone-sample/project.duckdb");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
    {
        let (p, _) = mams::import::build_project(&path, &dir, &Progress::new()).unwrap();
        let (library, _) = mams::audit::run::library(&p).unwrap();
        let months = mams::store::queries::months(&p).unwrap();
        let top = mams::store::dq::top_unit(&p).unwrap().unwrap();
        let spec = mams::audit::run::RunSpec::new(months[0], *months.last().unwrap(), &top, vec![]);
        mams::audit::run::run(&p, &library, &spec, true, &Progress::new()).unwrap();
    }
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
    h.state_mut().state.page = Page::Leaders;
    settle(&mut h);
    h.state_mut().start_phone(Options::loopback_plain());
    settle(&mut h);
    let base = {
        let server = h.state().phone.server.as_ref().expect("phone access started");
        server.url.trim_end_matches('/').to_string()
    };

    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    // Pair the phones, one code each as the window shows them, for the whole company (the
    // largest lists and the most units to drill).
    let mut tokens = Vec::new();
    for i in 0..clients {
        let grant = Grant {
            unit_id: None,
            sees_personal: false,
        };
        let code = h
            .state()
            .phone
            .server
            .as_ref()
            .unwrap()
            .show_code(grant)
            .unwrap()
            .code;
        let body = serde_json::json!({"code": code, "name": format!("phone {i}")}).to_string();
        let token: String = rt.block_on(async {
            let r = http
                .post(format!("{base}/api/pair"))
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            v["token"].as_str().expect("paired").to_string()
        });
        tokens.push(token);
        // The pairing is written by the app's worker: let the frame loop run it.
        h.step();
    }

    let before: Vec<f64> = {
        let mut t: Vec<f64> = (0..120).map(|_| frame(&mut h)).collect();
        t.sort_by(f64::total_cmp);
        t
    };

    let times: Arc<Mutex<Vec<(usize, f64)>>> = Arc::default();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let load = {
        let (times, errors, base) = (times.clone(), errors.clone(), base.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(200)
                    .build()
                    .unwrap();
                let routes = ["/api/cards", "/api/inspection?lang=zh", "/api/misses", "/api/me"];
                let mut tasks = Vec::new();
                for (i, token) in tokens.into_iter().enumerate() {
                    let (http, times, errors, base) =
                        (http.clone(), times.clone(), errors.clone(), base.clone());
                    tasks.push(tokio::spawn(async move {
                        let mut n = i;
                        while Instant::now() < deadline {
                            let route = n % routes.len();
                            n += 1;
                            let t = Instant::now();
                            let r = http
                                .get(format!("{base}{}", routes[route]))
                                .header("Authorization", format!("Bearer {token}"))
                                .header("Accept-Encoding", "gzip")
                                .send()
                                .await;
                            match r {
                                Ok(r) if r.status().is_success() => {
                                    let _ = r.bytes().await;
                                    times
                                        .lock()
                                        .unwrap()
                                        .push((route, t.elapsed().as_secs_f64() * 1000.0));
                                }
                                Ok(r) => {
                                    errors
                                        .lock()
                                        .unwrap()
                                        .push(format!("{} {}", routes[route], r.status()))
                                }
                                Err(e) => errors.lock().unwrap().push(format!("{} {e}", routes[route])),
                            }
                            if !pause.is_zero() {
                                tokio::time::sleep(pause).await;
                            }
                        }
                    }));
                }
                for t in tasks {
                    let _ = t.await;
                }
            })
        })
    };
    // The app keeps drawing meanwhile (and its worker writes the request log).
    let mut during = Vec::new();
    while !load.is_finished() {
        during.push(frame(&mut h));
        std::thread::sleep(Duration::from_millis(10));
    }
    load.join().unwrap();
    during.sort_by(f64::total_cmp);
    settle(&mut h);

    let times = times.lock().unwrap();
    let errors = errors.lock().unwrap();
    println!(
        "{} phones for {seconds} s, {} ms between taps, on {}",
        clients,
        pause.as_millis(),
        path.display()
    );
    println!("route                      requests   p50 ms   p95 ms   max ms");
    let routes = ["/api/cards", "/api/inspection", "/api/misses", "/api/me"];
    let mut all: Vec<f64> = times.iter().map(|(_, t)| *t).collect();
    all.sort_by(f64::total_cmp);
    for (i, name) in routes.iter().enumerate() {
        let mut t: Vec<f64> = times.iter().filter(|(r, _)| *r == i).map(|(_, t)| *t).collect();
        if t.is_empty() {
            continue;
        }
        t.sort_by(f64::total_cmp);
        println!(
            "{name:<26} {:>8} {:>8.1} {:>8.1} {:>8.1}",
            t.len(),
            percentile(&t, 0.5),
            percentile(&t, 0.95),
            t.last().unwrap()
        );
    }
    println!(
        "{:<26} {:>8} {:>8.1} {:>8.1} {:>8.1}   ({:.0} requests/s)",
        "all",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        all.last().unwrap(),
        all.len() as f64 / seconds as f64
    );
    println!(
        "errors: {}{}",
        errors.len(),
        errors
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "app frames before the load: median {:.2} / p95 {:.2} / max {:.2} ms ({} frames)",
        percentile(&before, 0.5),
        percentile(&before, 0.95),
        before.last().unwrap(),
        before.len()
    );
    println!(
        "app frames during the load: median {:.2} / p95 {:.2} / max {:.2} ms ({} frames)",
        percentile(&during, 0.5),
        percentile(&during, 0.95),
        during.last().unwrap(),
        during.len()
    );
    // The requests reached the project's log through the worker.
    h.state_mut().phone.stop();
    settle(&mut h);
    drop(h);
    let p = mams::store::Project::open_read_only(&PathBuf::from(&path)).unwrap();
    let logged: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM handheld_requests", [], |r| r.get(0))
        .unwrap();
    println!("requests in the project's log: {logged}");
}
