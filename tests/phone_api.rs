//! Phone access over HTTP, as a phone sees it: the server runs on the loopback address over a
//! sample project that has been audited, a writer thread owns the project (as the app's
//! worker does), and requests go through reqwest. Written by hand against the issue: nothing
//! without pairing, a revoked phone refused at once, personal data masked unless allowed,
//! bad requests refused with a 4xx that changes nothing, a record sent twice kept once, a
//! record on a suspect changed meanwhile not applied.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use common::*;
use mams::handheld::server::{Grant, Options, Server};
use mams::handheld::writer::Writer;
use mams::progress::Progress;
use mams::store::Project;
use serde_json::{Value, json};

/// The sample project with every rule run over its months, built once and copied per test.
fn audited_project(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let path = small_project("phone-sample");
        let p = Project::open(&path).unwrap();
        let (library, problems) = mams::audit::run::library(&p).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let months = mams::store::queries::months(&p).unwrap();
        let top = mams::store::dq::top_unit(&p).unwrap().unwrap();
        let spec =
            mams::audit::run::RunSpec::new(*months.first().unwrap(), *months.last().unwrap(), &top, vec![]);
        mams::audit::run::run(&p, &library, &spec, true, &Progress::new()).unwrap();
        path
    });
    let path = tmp(name).join("p.duckdb");
    std::fs::copy(built, &path).unwrap();
    path
}

struct Phone {
    server: Option<Server>,
    owner: Option<std::thread::JoinHandle<Project>>,
    writer: Writer,
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Phone {
    fn start(path: &Path) -> Phone {
        // reqwest is built without a TLS provider of its own: rustls's ring, as in MAMS.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let project = Project::open(path).unwrap();
        let readers = mams::handheld::server::readers(&project).unwrap();
        let (writer, owner) = Writer::thread(project);
        let server = Server::start(readers, writer.clone(), &Options::loopback_plain()).unwrap();
        let base = format!("http://{}", server.address);
        Phone {
            server: Some(server),
            owner: Some(owner),
            writer,
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
            base,
        }
    }

    fn server(&self) -> &Server {
        self.server.as_ref().unwrap()
    }

    /// (status, JSON body, Retry-After)
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (u16, Value, Option<String>) {
        self.rt.block_on(async {
            let url = format!("{}{path}", self.base);
            let mut req = match method {
                "POST" => self.client.post(url),
                _ => self.client.get(url),
            };
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            if let Some(b) = body {
                req = req.header("Content-Type", "application/json").body(b);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let text = r.text().await.unwrap();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
                retry,
            )
        })
    }

    fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let (s, v, _) = self.call("GET", path, Some(token), None);
        (s, v)
    }

    /// A GET as a browser sends it (taking gzip): the answer's encoding and its JSON unpacked.
    fn get_gzip(&self, path: &str, token: &str) -> (Option<String>, Value) {
        self.rt.block_on(async {
            let r = self
                .client
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept-Encoding", "gzip, deflate, br")
                .send()
                .await
                .unwrap();
            let encoding = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            let bytes = r.bytes().await.unwrap();
            let mut text = Vec::new();
            if encoding.as_deref() == Some("gzip") {
                use std::io::Read;
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut text)
                    .unwrap();
            } else {
                text = bytes.to_vec();
            }
            (encoding, serde_json::from_slice(&text).unwrap())
        })
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let (s, v, _) = self.call("POST", path, Some(token), Some(body.to_string()));
        (s, v)
    }

    /// Pairs a phone for `grant`; returns its token.
    fn pair(&self, name: &str, grant: Grant) -> String {
        let code = self.server().show_code(grant).unwrap().code;
        let (status, body, _) = self.call(
            "POST",
            "/api/pair",
            None,
            Some(json!({"code": code, "name": name}).to_string()),
        );
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Runs `f` on the project through its owner (as the app's worker would).
    fn on_project<T: Send + 'static>(&self, f: impl FnOnce(&Project) -> T + Send + 'static) -> T {
        self.rt.block_on(self.writer.run(f)).unwrap()
    }

    /// Stops the server and gives the project back (its log written).
    fn stop(mut self) -> Project {
        self.server.take().unwrap().stop();
        let owner = self.owner.take().unwrap();
        drop(self);
        owner.join().unwrap()
    }
}

/// A county with suspects, and a unit outside it with suspects too.
fn county_with_suspects(p: &Project) -> (String, String) {
    let rows: Vec<(String, i64)> = {
        let mut stmt = p
            .conn()
            .prepare(
                "SELECT c.ancestor_id, count(*) FROM audit_suspects s JOIN org_closure c ON c.unit_id = s.unit_id \
                 JOIN org_units u ON u.unit_id = c.ancestor_id WHERE u.level = 'county' AND s.entity_type = 'customer' \
                 GROUP BY 1 ORDER BY 2 DESC, 1",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(
        rows.len() >= 2,
        "the sample has suspects in two counties: {rows:?}"
    );
    (rows[0].0.clone(), rows[1].0.clone())
}

#[test]
fn nothing_is_read_without_pairing_and_a_revoked_phone_is_refused_at_once() {
    let path = audited_project("phone-pairing");
    let phone = Phone::start(&path);
    let (county, other) = phone.on_project(county_with_suspects);

    // The client's files are public; the API is not.
    let (s, page, _) = phone.call("GET", "/", None, None);
    assert_eq!(s, 200);
    assert!(page.as_str().unwrap().contains("app.js"));
    let (s, body, _) = phone.call("GET", "/api/me", None, None);
    assert_eq!(s, 401, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not paired"));
    assert_eq!(
        phone.get("/api/inspection", &"0".repeat(64)).0,
        401,
        "a token nobody holds"
    );
    assert_eq!(phone.get("/api/me", "' OR 1=1 --").0, 401);

    // No code shown: nothing to pair with.
    let pair = |code: &str| {
        phone.call(
            "POST",
            "/api/pair",
            None,
            Some(json!({"code": code, "name": "Inspector Li"}).to_string()),
        )
    };
    assert_eq!(pair("ABCD2345").0, 401);
    let grant = Grant {
        unit_id: Some(county.clone()),
        sees_personal: false,
    };
    let code = phone.server().show_code(grant.clone()).unwrap().code;
    assert!(
        phone
            .server()
            .shown()
            .unwrap()
            .link
            .ends_with(&format!("#pair={code}"))
    );
    // A wrong code, then at once the right one: this address must wait first.
    let wrong = if code == "ABCD2345" {
        "ABCD2346"
    } else {
        "ABCD2345"
    };
    let (s, _, retry) = pair(wrong);
    assert_eq!((s, retry.as_deref()), (401, Some("1")));
    let (s, _, _) = pair(&code);
    assert_eq!(s, 429, "too soon after a wrong code");
    std::thread::sleep(Duration::from_millis(1100));
    let (s, body, _) = pair(&code.to_lowercase());
    assert_eq!(s, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(body["device"]["unit_id"], county.as_str());
    assert_eq!(pair(&code).0, 401, "a code pairs once");

    let (s, me) = phone.get("/api/me", &token);
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["home_unit"], county.as_str());
    let units: Vec<&str> = me["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_id"].as_str().unwrap())
        .collect();
    assert!(units.contains(&county.as_str()) && !units.contains(&other.as_str()));

    let (s, cards) = phone.get("/api/cards", &token);
    assert_eq!(s, 200, "{cards}");
    assert_eq!(cards["unit_id"], county.as_str());
    assert_eq!(
        cards["cards"].as_array().unwrap().len(),
        mams::metrics::indicators::LEADER_CARDS.len()
    );
    assert_eq!(
        phone.get(&format!("/api/cards?unit={other}"), &token).0,
        403,
        "another county"
    );
    assert_eq!(phone.get("/api/cards?month=2024-13", &token).0, 400);
    assert_eq!(
        phone.get("/api/cards?month=1999-01", &token).0,
        422,
        "a month without data"
    );
    assert_eq!(phone.get("/api/files?path=/etc/passwd", &token).0, 404);

    // Revoked on the workstation: the very next request is refused.
    let id = me["device"]["device_id"].as_i64().unwrap();
    assert!(phone.on_project(move |p| mams::store::devices::revoke(p, id).unwrap()));
    assert_eq!(phone.get("/api/me", &token).0, 401);

    let p = phone.stop();
    let log = mams::store::devices::requests(&p, 100).unwrap();
    assert!(
        log.iter().any(|r| r.device_id == Some(id)
            && r.request == "GET /api/cards"
            && r.status == 200
            && r.rows > 0)
    );
    assert!(
        log.iter()
            .any(|r| r.device_id.is_none() && r.request == "POST /api/pair" && r.status == 401)
    );
    assert!(
        log.iter().any(|r| r.device_id == Some(id) && r.status == 401),
        "the refused request after revoking"
    );
    assert!(
        log.iter()
            .all(|r| !r.request.contains(&token) && !r.request.contains("passwd"))
    );
    let last = mams::store::devices::list(&p).unwrap()[0].last_used_at;
    assert!(last.is_some());
}

#[test]
fn personal_data_is_masked_unless_the_workstation_allowed_the_phone() {
    let path = audited_project("phone-masking");
    let people = customers_of(&path);
    let phone = Phone::start(&path);
    let (county, _) = phone.on_project(county_with_suspects);
    let masked = phone.pair(
        "Inspector Li",
        Grant {
            unit_id: Some(county.clone()),
            sees_personal: false,
        },
    );
    let (s, list) = phone.get("/api/inspection?lang=en", &masked);
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["masked"], true);
    // A browser takes it gzipped; unpacked, it is the same answer.
    let (encoding, unpacked) = phone.get_gzip("/api/inspection?lang=en", &masked);
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(unpacked, list);
    let suspects = list["suspects"].as_array().unwrap();
    assert!(!suspects.is_empty());
    let text = list.to_string();
    // No customer's name, ID number or phone as stored is in the masked answer.
    let leaked: Vec<&(String, String, String)> = people
        .iter()
        .filter(|(name, id, phone_no)| {
            (name.chars().count() >= 2 && text.contains(&format!("\"{name}\"")))
                || text.contains(id)
                || text.contains(phone_no)
        })
        .collect();
    assert!(
        leaked.is_empty(),
        "{} customers leaked, e.g. {:?}",
        leaked.len(),
        leaked.first()
    );
    let visit = suspects
        .iter()
        .find(|s| s["visit"]["phone"].is_string())
        .expect("a suspect with a phone");
    assert!(visit["visit"]["phone"].as_str().unwrap().contains("****"));
    assert!(visit["visit"]["address"].as_str().unwrap().ends_with("****"));
    // Every suspect is the county's.
    let in_county: Vec<String> = phone.on_project(move |p| {
        let mut stmt = p
            .conn()
            .prepare("SELECT unit_id FROM org_closure WHERE ancestor_id = ?")
            .unwrap();
        stmt.query_map([&county], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert!(
        suspects
            .iter()
            .all(|s| in_county.iter().any(|u| s["unit_id"] == u.as_str())
                || in_county.iter().any(|u| s["assignee_unit"] == u.as_str()))
    );

    // Allowed: the same list in full, and the access log says so before it was sent.
    let full = phone.pair(
        "Director Wang",
        Grant {
            unit_id: None,
            sees_personal: true,
        },
    );
    let (s, list) = phone.get("/api/inspection", &full);
    assert_eq!(s, 200);
    assert_eq!(list["masked"], false);
    let text = list.to_string();
    assert!(
        people.iter().any(|(_, _, phone_no)| text.contains(phone_no)),
        "phones in full"
    );
    let p = phone.stop();
    let log = mams::store::access_log::list(&p, 10).unwrap();
    let entry = log
        .iter()
        .find(|e| e.channel == "phone")
        .expect("an access log entry");
    assert!(entry.actor.contains("Director Wang"));
    assert!(entry.columns.contains("phone") && entry.rows > 0);
    assert_eq!(
        log.iter().filter(|e| e.channel == "phone").count(),
        1,
        "the masked phone is not logged"
    );
}

/// A 2x2 PNG made here, and its SHA-256 computed apart from MAMS.
fn photo() -> (String, String) {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(2, 2, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    use base64::Engine;
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&png)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&png)
        ),
        sha,
    )
}

fn trail_len(phone: &Phone) -> i64 {
    phone.on_project(|p| {
        p.conn()
            .query_row("SELECT count(*) FROM audit_trail", [], |r| r.get(0))
            .unwrap()
    })
}

#[test]
fn an_on_site_record_lands_in_the_trail_once_and_bad_requests_change_nothing() {
    let path = audited_project("phone-records");
    let phone = Phone::start(&path);
    let (county, other) = phone.on_project(county_with_suspects);
    let token = phone.pair(
        "Inspector Li",
        Grant {
            unit_id: Some(county.clone()),
            sees_personal: false,
        },
    );
    let (_, list) = phone.get("/api/inspection", &token);
    let suspects = list["suspects"].as_array().unwrap();
    let new: Vec<&Value> = suspects.iter().filter(|s| s["status"] == "new").collect();
    assert!(new.len() >= 2);
    let (first, second) = (
        new[0]["key"].as_str().unwrap().to_string(),
        new[1]["key"].as_str().unwrap().to_string(),
    );
    let outside: String = phone.on_project(move |p| {
        p.conn()
            .query_row(
                "SELECT suspect_key FROM audit_suspects WHERE unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?) LIMIT 1",
                [&other],
                |r| r.get(0),
            )
            .unwrap()
    });
    let (data_url, sha) = photo();
    let record = |id: &str, key: &str, seen: &str| {
        json!({
            "record_id": id, "suspect_key": key, "finding": "confirmed",
            "note": "meter seal broken, bypass wire found", "made_at": "2025-03-04T10:20:00",
            "seen_status": seen, "position": {"latitude": 30.2741, "longitude": 120.1551, "accuracy_m": 12.0},
            "photos": [data_url],
        })
    };
    let before = trail_len(&phone);

    // Malformed and oversized requests: a clear 4xx, nothing written.
    let (s, e, _) = phone.call(
        "POST",
        "/api/records",
        Some(&token),
        Some("{\"record_id\": ".into()),
    );
    assert_eq!(s, 400);
    assert!(e["error"].as_str().unwrap().contains("not valid JSON"), "{e}");
    let mut bad = record("6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b01", &first, "new");
    bad["sql"] = json!("DELETE FROM audit_trail");
    assert_eq!(
        phone.post("/api/records", &token, &bad).0,
        400,
        "an unknown field"
    );
    let bad = record(
        "6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b02",
        "../../../etc/passwd",
        "new",
    );
    assert_eq!(
        phone.post("/api/records", &token, &bad).0,
        400,
        "a path for a key"
    );
    let mut bad = record("6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b03", &first, "new");
    bad["photos"] = json!([format!("data:image/png;base64,{}", "QUJD".repeat(20))]);
    let (s, e) = phone.post("/api/records", &token, &bad);
    assert_eq!(s, 400, "text that is not a picture: {e}");
    let mut huge = record("6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b04", &first, "new");
    huge["photos"] = json!(["A".repeat(50 * 1024 * 1024)]);
    let (s, e) = phone.post("/api/records", &token, &huge);
    assert_eq!(s, 413, "a 50 MB photo");
    assert!(
        e["error"].as_str().unwrap().contains("larger than allowed"),
        "{e}"
    );
    let not_ours = record("6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b05", &outside, "new");
    assert_eq!(phone.post("/api/records", &token, &not_ours).0, 403);
    let nobody = record(
        "6f1c1a52-5a37-4d0e-9d57-3f7f5d0a1b06",
        "zero_usage|customer|NOBODY|2024-03-01",
        "new",
    );
    assert_eq!(phone.post("/api/records", &token, &nobody).0, 404);
    assert_eq!(trail_len(&phone), before, "nothing written by refused requests");

    // Sent twice (the answer was lost): kept once.
    let good = record("0f8fad5b-d9cb-469f-a165-70867728950e", &first, "new");
    let (s, r) = phone.post("/api/records", &token, &good);
    assert_eq!(
        (s, r["outcome"].as_str(), r["status"].as_str()),
        (200, Some("recorded"), Some("confirmed")),
        "{r}"
    );
    let (s, r) = phone.post("/api/records", &token, &good);
    assert_eq!((s, r["outcome"].as_str()), (200, Some("already_recorded")), "{r}");
    assert_eq!(trail_len(&phone), before + 2, "new → verifying → confirmed, once");
    let key = first.clone();
    let (trail, photos) = phone.on_project(move |p| {
        (
            mams::store::audit::trail(p, &key).unwrap(),
            mams::store::onsite::photos(p, "0f8fad5b-d9cb-469f-a165-70867728950e").unwrap(),
        )
    });
    let last = trail.last().unwrap();
    assert_eq!(last.to_status, "confirmed");
    assert!(last.actor.starts_with("phone #") && last.actor.ends_with("Inspector Li"));
    let note = last.note.as_deref().unwrap();
    assert!(
        note.contains("bypass wire") && note.contains("1 photo") && note.contains("30.27410, 120.15510"),
        "{note}"
    );
    assert_eq!(photos.len(), 1);
    assert_eq!(
        (photos[0].media_type.as_str(), photos[0].sha256.as_str()),
        ("image/png", sha.as_str())
    );

    // Changed on the workstation meanwhile: not applied, the change is shown.
    let key = second.clone();
    phone.on_project(move |p| {
        let change = mams::audit::triage::Change {
            to: Some(mams::audit::triage::Status::Verifying),
            note: "called the customer".into(),
            ..Default::default()
        };
        mams::audit::triage::apply(p, &[key], &change, "auditor Zhao").unwrap();
    });
    let stale = record("7c9e6679-7425-40de-944b-e07fc1f90ae7", &second, "new");
    let (s, r) = phone.post("/api/records", &token, &stale);
    assert_eq!(s, 409, "{r}");
    assert_eq!(
        (r["outcome"].as_str(), r["status"].as_str()),
        (Some("conflict"), Some("verifying"))
    );
    assert_eq!(r["changes"][0]["actor"], "auditor Zhao");
    let key = second.clone();
    let kept = phone.on_project(move |p| mams::store::onsite::records_of(p, &key).unwrap());
    assert!(kept.is_empty(), "a conflicting record is not kept");
    // The user resolves it: the same record on the state as it is now.
    let resolved = record("7c9e6679-7425-40de-944b-e07fc1f90ae7", &second, "verifying");
    let (s, r) = phone.post("/api/records", &token, &resolved);
    assert_eq!((s, r["status"].as_str()), (200, Some("confirmed")), "{r}");

    let p = phone.stop();
    assert_eq!(
        mams::audit::chain::verify(&p).unwrap().broken_at,
        None,
        "the trail's chain holds"
    );
}

#[test]
fn https_with_a_certificate_kept_beside_the_settings() {
    let path = audited_project("phone-tls");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tmp("phone-tls-cert");
    let project = Project::open(&path).unwrap();
    let readers = mams::handheld::server::readers(&project).unwrap();
    let (writer, _owner) = Writer::thread(project);
    let mut options = Options::loopback_plain();
    options.plain_http = false;
    options.certificate_dir = dir.clone();
    let server = Server::start(readers, writer.clone(), &options).unwrap();
    assert!(server.url.starts_with("https://127.0.0.1:"));
    let pem = std::fs::read_to_string(dir.join("certificate.pem")).unwrap();
    // The fingerprint shown is the SHA-256 of the certificate the phone receives.
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    use sha2::Digest;
    let hex: Vec<String> = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert_eq!(server.fingerprint.as_deref(), Some(hex.join(":").as_str()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is its owner's only");
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/api/me", server.address.port());
    let (status, hsts) = rt.block_on(async {
        let r = client.get(url).send().await.unwrap();
        (
            r.status().as_u16(),
            r.headers().get("strict-transport-security").is_some(),
        )
    });
    assert_eq!((status, hsts), (401, true));
    // Still serving some seconds later (an early build stopped after five).
    std::thread::sleep(Duration::from_secs(6));
    let again = rt.block_on(async {
        client
            .get(format!("https://localhost:{}/app.css", server.address.port()))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(again.ok(), Some(200));
    let first = server.fingerprint.clone();
    server.stop();
    // Started again: the same certificate, so a phone that trusted it still does.
    let project = Project::open_read_only(&path).unwrap();
    let again = Server::start(
        mams::handheld::server::readers(&project).unwrap(),
        writer,
        &options,
    )
    .unwrap();
    assert_eq!(again.fingerprint, first);
    // Plain HTTP is for the loopback only.
    let mut lan = Options::lan();
    lan.plain_http = true;
    assert!(
        Server::start(
            mams::handheld::server::readers(&project).unwrap(),
            Writer::new(|_| false),
            &lan
        )
        .is_err()
    );
}
