//! The phone's API: JSON over HTTP(S), and the client's own files. Nothing here takes SQL or a
//! file path: each route reads one thing through the headless library, for the device's unit
//! only, with personal data masked unless the workstation's user allowed the device to see it
//! (then the access log records it before it is sent). Every request is checked (the token
//! for everything but pairing and the client's files) and logged with its device.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::onsite;
use super::server::{Made, Remote, Shared};
use crate::privacy::{Disclosure, Personal, mask};
use crate::store::Project;
use crate::store::devices::{self, Device, Request as Logged};
use crate::text::Text;

/// How long a device's token is valid after pairing.
pub const TOKEN_DAYS: i64 = 30;
/// The largest body of a record (four photos of 6 MB in base64, and the rest).
pub const RECORD_BODY_LIMIT: usize = 34 * 1024 * 1024;
/// The largest body of anything else.
const SMALL_BODY_LIMIT: usize = 16 * 1024;
/// Suspects on an inspector's list, at most.
const LIST_LIMIT: usize = 300;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/pair", post(pair))
        .route("/api/me", get(me))
        .route("/api/status", get(status))
        .route("/api/cards", get(cards))
        .route("/api/misses", get(misses))
        .route("/api/bulletin", get(bulletin))
        .route("/api/inspection", get(inspection))
        // A record's body is read by its handler, which enforces its own limit.
        .route("/api/records", post(record).layer(DefaultBodyLimit::disable()))
        .layer(DefaultBodyLimit::max(SMALL_BODY_LIMIT));
    Router::new()
        .merge(api)
        .fallback(super::client::file)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// An answer that is not a success: a status and what went wrong, in both languages.
#[derive(Debug)]
pub(super) struct Failure {
    status: StatusCode,
    text: Text,
}

impl Failure {
    fn new(status: StatusCode, text: Text) -> Failure {
        Failure { status, text }
    }

    fn internal(e: anyhow::Error) -> Failure {
        tracing::warn!("phone request failed: {e:#}");
        let text = match e.downcast_ref::<crate::text::Said>() {
            Some(s) => s.0.clone(),
            None => Text {
                en: format!("{e:#}"),
                zh: format!("{e:#}"),
            },
        };
        // The library's own refusals (a unit or month not in the project) are the caller's.
        let status = if e.downcast_ref::<crate::text::Said>().is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Failure { status, text }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.text.en, "error_zh": self.text.zh });
        (self.status, axum::Json(body)).into_response()
    }
}

/// How many rows an answer handed over (for the log).
#[derive(Clone, Copy)]
struct Rows(u64);

/// The device a pairing created (for the log).
#[derive(Clone, Copy)]
struct Paired(i64);

fn answer(value: impl Serialize, rows: usize) -> Response {
    let mut r = axum::Json(value).into_response();
    r.extensions_mut().insert(Rows(rows as u64));
    r
}

/// Reads on a read-only connection, off the async thread.
async fn read<T: Send + 'static>(
    shared: &Arc<Shared>,
    f: impl FnOnce(&Project) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || shared.readers.read(f))
        .await
        .map_err(|e| Failure::internal(anyhow::anyhow!("the read stopped: {e}")))?
        .map_err(Failure::internal)
}

/// Reads `make`'s answer on a reader, or hands over the one kept for `key` while the data's
/// version (`store::onsite::data_version`) is unchanged: phones ask the same things often,
/// and an answer kept costs a few small statements instead of the indicators' queries (and
/// nothing at all while the version read is current: no reader, no blocking thread).
async fn cached(
    shared: &Arc<Shared>,
    key: String,
    make: impl FnOnce(&Project) -> anyhow::Result<Result<(Value, usize), Failure>> + Send + 'static,
) -> Result<Response, Failure> {
    if let Some((_, made)) = kept(shared, &key) {
        return Ok(made_response(made));
    }
    let shared_ = shared.clone();
    let made = read(shared, move |p| {
        let version = {
            let mut read_at = shared_.version.lock().unwrap_or_else(|e| e.into_inner());
            match &*read_at {
                Some((at, v)) if at.elapsed() < super::server::VERSION_FOR => v.clone(),
                _ => {
                    let v = crate::store::onsite::data_version(p)?;
                    *read_at = Some((Instant::now(), v.clone()));
                    v
                }
            }
        };
        if let Some((v, made)) = kept(&shared_, &key)
            && v == version
        {
            return Ok(Ok(made));
        }
        let (value, rows) = match make(p)? {
            Ok(made) => made,
            Err(f) => return Ok(Err(f)),
        };
        let json = serde_json::to_vec(&value)?;
        let made = Made {
            gzipped: gzip(&json),
            json: Bytes::from(json),
            rows,
        };
        let mut answers = shared_.answers.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a few keys per device; past that, start again.
        if answers.len() > 2000 {
            answers.clear();
        }
        answers.insert(key, (version, made.clone()));
        Ok(Ok(made))
    })
    .await??;
    Ok(made_response(made))
}

/// The answer kept for `key` under the data version read last, if that read is current.
fn kept(shared: &Shared, key: &str) -> Option<(String, Made)> {
    let version = match &*shared.version.lock().unwrap_or_else(|e| e.into_inner()) {
        Some((at, v)) if at.elapsed() < super::server::VERSION_FOR => v.clone(),
        _ => return None,
    };
    let answers = shared.answers.lock().unwrap_or_else(|e| e.into_inner());
    answers
        .get(key)
        .filter(|(v, _)| *v == version)
        .map(|(_, made)| (version, made.clone()))
}

fn made_response(made: Made) -> Response {
    let mut r = Response::new(Body::from(made.json));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.extensions_mut().insert(Rows(made.rows as u64));
    if let Some(g) = made.gzipped {
        r.extensions_mut().insert(Gzipped(g));
    }
    r
}

/// The same answer gzipped, handed over instead when the phone accepts it (`guard`).
#[derive(Clone)]
struct Gzipped(Bytes);

/// An answer's JSON gzipped, if it is worth it: the inspection list of a county is about
/// 190 KB of JSON and a tenth of that gzipped, over an office's Wi-Fi.
fn gzip(json: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    if json.len() < 1024 {
        return None;
    }
    let mut e =
        flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::default());
    e.write_all(json).ok()?;
    e.finish().ok().map(Bytes::from)
}

/// Whether a request's `Accept-Encoding` takes gzip (RFC 9110 §12.5.3: a weight of 0 refuses).
fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// The closed project: the owner has let it go.
fn gone() -> Failure {
    Failure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        crate::say!("the workstation has closed the project", "工作站已关闭该项目"),
    )
}

/// Checks the token of every API call but pairing, logs every call, and puts the security
/// headers on every answer.
async fn guard(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(Remote(remote)): ConnectInfo<Remote>,
    mut req: Request,
    next: Next,
) -> Response {
    let at = chrono::Local::now().naive_local();
    let path = req.uri().path().to_string();
    let what = format!("{} {}", req.method(), logged_path(req.uri()));
    let gzip_taken = accepts_gzip(req.headers());
    let mut device_id = None;
    let mut response = if path.starts_with("/api/") && path != "/api/pair" {
        let token = bearer(&req);
        match authenticate(&shared, token).await {
            Ok(device) => {
                device_id = Some(device.device_id);
                req.extensions_mut().insert(device);
                next.run(req).await
            }
            Err((f, holder)) => {
                // A revoked or expired phone that still tries is logged as itself.
                device_id = holder;
                f.into_response()
            }
        }
    } else {
        next.run(req).await
    };
    if let Some(Paired(id)) = response.extensions().get::<Paired>() {
        device_id = Some(*id);
    }
    // The body limit's own answer is plain text: say it as the API does.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && response.extensions().get::<Rows>().is_none()
        && !is_json(&response)
    {
        response = Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            crate::say!(
                "the request is larger than allowed ({} MB for a record with its photos)",
                "请求超过允许的大小（一条记录连同照片最多 {} MB）",
                RECORD_BODY_LIMIT / 1024 / 1024
            ),
        )
        .into_response();
    }
    let status = response.status();
    let rows = response.extensions().get::<Rows>().map_or(0, |r| r.0);
    if status.is_success() || status.is_redirection() {
        shared.served.fetch_add(1, Ordering::Relaxed);
    } else {
        shared.refused.fetch_add(1, Ordering::Relaxed);
    }
    if path.starts_with("/api/") {
        shared.log.lock().unwrap_or_else(|e| e.into_inner()).push(Logged {
            at,
            device_id,
            remote: remote.ip().to_string(),
            request: what,
            status: status.as_u16(),
            rows,
        });
    }
    if let Some(Gzipped(g)) = response.extensions_mut().remove::<Gzipped>() {
        let h = response.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip_taken {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            h.remove(header::CONTENT_LENGTH);
            *response.body_mut() = Body::from(g);
        }
    }
    secure(&mut response, shared.tls, path.starts_with("/api/"));
    response
}

fn is_json(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// The path and the query's unit and month (nothing else a caller sends is logged).
fn logged_path(uri: &axum::http::Uri) -> String {
    let mut out: String = uri.path().chars().take(80).collect();
    let kept: Vec<String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| ["unit", "month", "lang"].contains(k))
        .map(|(k, v)| format!("{k}={}", v.chars().take(24).collect::<String>()))
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out
}

/// Headers every answer carries: no sniffing, no framing, no referrer, a strict content
/// policy (scripts and styles from the server only), and for the API no caching.
fn secure(r: &mut Response, tls: bool, api: bool) {
    let h = r.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; frame-src 'self'; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(self), geolocation=(self), microphone=()",
    );
    if tls {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    if api {
        set(h, header::CACHE_CONTROL, "no-store");
    }
}

/// The token of a request's `Authorization: Bearer` header.
fn bearer(req: &Request) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

/// The device of a token: 401 without one, with one nobody holds, revoked, or older than its
/// lifetime (with the device it was given to, if any, for the log).
async fn authenticate(shared: &Arc<Shared>, token: Option<String>) -> Result<Device, (Failure, Option<i64>)> {
    let unpaired = || {
        Failure::new(
            StatusCode::UNAUTHORIZED,
            crate::say!(
                "this phone is not paired (or its pairing was revoked): pair it again",
                "此手机未配对（或配对已被撤销）：请重新配对"
            ),
        )
    };
    let Some(token) = token.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) else {
        return Err((unpaired(), None));
    };
    // A phone let in before, with no revocation since, needs no read.
    let hash = super::token::hash(&token);
    let revocations = devices::revocations();
    let known = {
        let let_in = shared.let_in.lock().unwrap_or_else(|e| e.into_inner());
        let_in
            .get(&hash)
            .filter(|(r, _)| *r == revocations)
            .map(|(_, d)| d.clone())
    };
    let (device, holder) = match known {
        Some(d) => (Some(d), None),
        None => {
            let (device, holder) = read(shared, move |p| {
                Ok(match devices::authenticate(p, &token)? {
                    Some(d) => (Some(d), None),
                    None => (None, devices::holder(p, &token)?),
                })
            })
            .await
            .map_err(|f| (f, None))?;
            if let Some(d) = &device {
                // Kept under the count read before the read: a revocation meanwhile makes it stale.
                let mut let_in = shared.let_in.lock().unwrap_or_else(|e| e.into_inner());
                let_in.retain(|_, (r, _)| *r == revocations);
                let_in.insert(hash, (revocations, d.clone()));
            }
            (device, holder)
        }
    };
    let Some(device) = device else {
        return Err((unpaired(), holder));
    };
    let age = chrono::Local::now().naive_local() - device.paired_at;
    if age > chrono::Duration::days(TOKEN_DAYS) {
        return Err((
            Failure::new(
                StatusCode::UNAUTHORIZED,
                crate::say!(
                    "this phone's pairing is older than {TOKEN_DAYS} days and has expired: pair it again",
                    "此手机的配对已超过 {TOKEN_DAYS} 天并已过期：请重新配对"
                ),
            ),
            Some(device.device_id),
        ));
    }
    Ok(device)
}

/// JSON from a body, with a 400 that says where it is wrong.
fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            crate::say!(
                "the request is not valid JSON here: {e}",
                "请求不是有效的 JSON：{e}"
            ),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairAsk {
    code: String,
    name: String,
}

/// Pairs a phone with the code shown on the workstation.
async fn pair(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(Remote(remote)): ConnectInfo<Remote>,
    body: Bytes,
) -> Result<Response, Failure> {
    let ask: PairAsk = parse(&body)?;
    let name: String = ask
        .name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    if name.is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            crate::say!("give this phone a name", "请为此手机起一个名称"),
        ));
    }
    let grant = {
        use super::pairing::Refusal;
        let mut pairing = shared.pairing.lock().unwrap_or_else(|e| e.into_inner());
        let grant = pairing.1.clone();
        match pairing
            .0
            .redeem(&remote.ip().to_string(), &ask.code, Instant::now())
        {
            Ok(()) => grant,
            Err(refusal) => {
                tracing::warn!(%remote, ?refusal, "a phone sent a pairing code that was refused");
                let (status, text, wait) = match refusal {
                    Refusal::NoCode => (
                        StatusCode::UNAUTHORIZED,
                        crate::say!(
                            "no pairing code is shown on the workstation: show a new one",
                            "工作站上没有显示配对码：请生成新的配对码"
                        ),
                        None,
                    ),
                    Refusal::Expired => (
                        StatusCode::UNAUTHORIZED,
                        crate::say!(
                            "the pairing code has expired: show a new one",
                            "配对码已过期：请生成新的配对码"
                        ),
                        None,
                    ),
                    Refusal::Wrong { wait } => (
                        StatusCode::UNAUTHORIZED,
                        crate::say!("that is not the code shown", "配对码不正确"),
                        Some(wait),
                    ),
                    Refusal::TooSoon { wait } => (
                        StatusCode::TOO_MANY_REQUESTS,
                        crate::say!(
                            "too many wrong codes: wait {} s",
                            "错误次数过多：请等待 {} 秒",
                            wait.as_secs().max(1)
                        ),
                        Some(wait),
                    ),
                };
                let mut r = Failure::new(status, text).into_response();
                if let Some(w) = wait
                    && let Ok(v) = HeaderValue::from_str(&w.as_secs().max(1).to_string())
                {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return Ok(r);
            }
        }
    };
    let Some(grant) = grant else { return Err(gone()) };
    let paired = shared
        .writer
        .run(move |p| devices::pair(p, &name, grant.unit_id.as_deref(), grant.sees_personal))
        .await
        .ok_or_else(gone)?
        .map_err(Failure::internal)?;
    let (device, token) = paired;
    let expires = device.paired_at + chrono::Duration::days(TOKEN_DAYS);
    let mut r = answer(
        json!({
            "token": token.as_str(),
            "device": device_json(&device),
            "expires_at": expires,
        }),
        1,
    );
    r.extensions_mut().insert(Paired(device.device_id));
    Ok(r)
}

fn device_json(d: &Device) -> Value {
    json!({
        "device_id": d.device_id,
        "name": d.name,
        "unit_id": d.unit_id,
        "sees_personal": d.sees_personal,
        "paired_at": d.paired_at,
    })
}

/// The unit a device works in: its own, or the top unit.
fn home_unit(p: &Project, device: &Device) -> anyhow::Result<String> {
    match &device.unit_id {
        Some(u) => Ok(u.clone()),
        None => crate::store::dq::top_unit(p)?
            .ok_or_else(|| crate::said!("the project has no org units yet", "项目中还没有组织单位")),
    }
}

/// Refuses a unit outside the device's subtree.
fn check_unit(p: &Project, device: &Device, unit: &str) -> anyhow::Result<bool> {
    let home = home_unit(p, device)?;
    let n: i64 = p.conn().query_row(
        "SELECT count(*) FROM org_closure WHERE ancestor_id = ? AND unit_id = ?",
        [&home, unit],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

fn not_yours() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        crate::say!(
            "that unit is outside this phone's unit",
            "该单位不在此手机所属单位的范围内"
        ),
    )
}

/// Who the phone is, the project, its units (the device's subtree) and months.
async fn me(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
) -> Result<Response, Failure> {
    let name = shared.project_name.clone();
    let key = format!("me|{}", device.device_id);
    cached(&shared, key, move |p| {
        let home = home_unit(p, &device)?;
        let tree = crate::store::queries::org_tree(p)?;
        let mine = crate::store::queries::subtree(&tree, &home);
        let units: Vec<Value> = tree
            .iter()
            .filter(|u| mine.contains(&u.unit_id))
            .map(|u| {
                json!({"unit_id": u.unit_id, "parent_id": u.parent_id, "level": u.level,
                       "name_zh": u.name_zh, "name_en": u.name_en})
            })
            .collect();
        let months = crate::store::queries::months(p)?;
        let reach = crate::store::kpi::payments_reach(p)?;
        let default_month = crate::metrics::kpi::last_complete_month(&months, reach);
        Ok(Ok((
            json!({
                "device": device_json(&device),
                "project": name,
                "home_unit": home,
                "units": units,
                "months": months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>(),
                "default_month": default_month.map(|m| m.format("%Y-%m").to_string()),
                "freshness": crate::store::onsite::freshness(p)?,
            }),
            1,
        )))
    })
    .await
}

/// When the workstation last imported and audited (the phone polls it).
async fn status(State(shared): State<Arc<Shared>>) -> Result<Response, Failure> {
    cached(&shared, "status".into(), |p| {
        Ok(Ok((
            serde_json::to_value(crate::store::onsite::freshness(p)?)?,
            1,
        )))
    })
    .await
}

#[derive(Deserialize)]
struct Scope {
    unit: Option<String>,
    month: Option<String>,
}

/// The unit and month asked for (the device's unit and the latest complete month by default),
/// checked against the device's subtree.
fn scope(p: &Project, device: &Device, q: &Scope) -> anyhow::Result<Result<(String, NaiveDate), Failure>> {
    let unit = match &q.unit {
        Some(u) => u.clone(),
        None => home_unit(p, device)?,
    };
    if !check_unit(p, device, &unit)? {
        return Ok(Err(not_yours()));
    }
    let month = match &q.month {
        Some(m) => match NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                return Ok(Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    crate::say!("month must be YYYY-MM", "month 必须是 YYYY-MM 格式"),
                )));
            }
        },
        None => {
            let months = crate::store::queries::months(p)?;
            let reach = crate::store::kpi::payments_reach(p)?;
            match crate::metrics::kpi::last_complete_month(&months, reach) {
                Some(m) => m,
                None => crate::bail_say!("the project has no monthly data yet", "项目中还没有月度数据"),
            }
        }
    };
    crate::metrics::kpi::check_scope(p, month, Some(&unit))?;
    Ok(Ok((unit, month)))
}

/// The leaders' cards of a unit and month, and the units one level down with their cards'
/// statuses (the drill).
async fn cards(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
    Query(q): Query<Scope>,
) -> Result<Response, Failure> {
    let key = format!("cards|{:?}|{:?}|{:?}", device.unit_id, q.unit, q.month);
    cached(&shared, key, move |p| {
        let (unit, month) = match scope(p, &device, &q)? {
            Ok(s) => s,
            Err(f) => return Ok(Err(f)),
        };
        let cards = crate::metrics::kpi::cards(p, month, &unit, None)?;
        let tree = crate::store::queries::org_tree(p)?;
        let below = crate::store::queries::units_below(&tree, &unit);
        let children: Vec<Value> = crate::metrics::kpi::cards_of_units(p, month, &below, None)?
            .into_iter()
            .map(|(id, cards)| {
                let count = |s| cards.iter().filter(|c| c.status == Some(s)).count();
                use crate::metrics::kpi::Status::*;
                json!({"unit_id": id, "name_zh": unit_name(&tree, &id, true), "name_en": unit_name(&tree, &id, false),
                       "green": count(Green), "amber": count(Amber), "red": count(Red)})
            })
            .collect();
        let n = cards.len();
        Ok(Ok((
            json!({
                "unit_id": unit,
                "name_zh": unit_name(&tree, &unit, true),
                "name_en": unit_name(&tree, &unit, false),
                "parent_id": tree.iter().find(|u| u.unit_id == unit).and_then(|u| u.parent_id.clone()),
                "month": month.format("%Y-%m").to_string(),
                "cards": cards,
                "children": children,
            }),
            n,
        )))
    })
    .await
}

fn unit_name(tree: &[crate::store::queries::OrgUnit], id: &str, zh: bool) -> String {
    tree.iter()
        .find(|u| u.unit_id == id)
        .map(|u| if zh { u.name_zh.clone() } else { u.name_en.clone() })
        .unwrap_or_else(|| id.to_string())
}

/// The bulletin board's misses for the units below a unit: the indicators off their targets.
async fn misses(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
    Query(q): Query<Scope>,
) -> Result<Response, Failure> {
    let key = format!("misses|{:?}|{:?}|{:?}", device.unit_id, q.unit, q.month);
    cached(&shared, key, move |p| {
        let (unit, month) = match scope(p, &device, &q)? {
            Ok(s) => s,
            Err(f) => return Ok(Err(f)),
        };
        let tree = crate::store::queries::org_tree(p)?;
        let below = crate::store::queries::units_below(&tree, &unit);
        let report = crate::metrics::bulletin::report(p, &unit, month, &below)?;
        let misses: Vec<Value> = report
            .breaches
            .iter()
            .map(|b| {
                let ind = crate::metrics::indicators::indicator(b.indicator);
                json!({"unit_id": b.unit_id, "unit_zh": unit_name(&tree, &b.unit_id, true),
                       "unit_en": unit_name(&tree, &b.unit_id, false),
                       "indicator": b.indicator, "name_zh": ind.map(|i| i.zh), "name_en": ind.map(|i| i.en),
                       "unit": ind.map(|i| i.unit_en), "value": b.value, "target": b.target,
                       "gap": b.gap, "relative": b.relative, "status": b.status})
            })
            .collect();
        let n = misses.len();
        Ok(Ok((
            json!({"unit_id": unit, "month": month.format("%Y-%m").to_string(), "misses": misses}),
            n,
        )))
    })
    .await
}

#[derive(Deserialize)]
struct Lang {
    lang: Option<String>,
}

/// The latest bulletin published for the device's unit or a unit above it, as HTML.
async fn bulletin(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
    Query(q): Query<Lang>,
) -> Result<Response, Failure> {
    let zh = q.lang.as_deref() != Some("en");
    let key = format!("bulletin|{:?}|{zh}", device.unit_id);
    cached(&shared, key, move |p| {
        let home = home_unit(p, &device)?;
        let tree = crate::store::queries::org_tree(p)?;
        // The device's unit and the units above it see the bulletin; a unit below is not theirs.
        let mut line = vec![home.clone()];
        while let Some(parent) = tree
            .iter()
            .find(|u| &u.unit_id == line.last().expect("not empty"))
            .and_then(|u| u.parent_id.clone())
        {
            line.push(parent);
        }
        let latest = crate::store::bulletins::list(p)?
            .into_iter()
            .find(|b| line.contains(&b.unit_id));
        let Some(b) = latest else {
            return Ok(Ok((json!({"bulletin": null}), 0)));
        };
        let doc = crate::bulletins::publish::document(&b)?;
        let html = crate::bulletins::html::render(&doc, zh)?;
        Ok(Ok((
            json!({"bulletin": {"bulletin_id": b.bulletin_id, "title": b.title, "period": b.period,
                  "number": b.number, "unit_id": b.unit_id, "published_at": b.published_at,
                  "html": html}}),
            1,
        )))
    })
    .await
}

/// The inspection list: the suspects the device's unit has to verify or rectify, each with
/// its sentence, evidence and where to go; and the unit's open improvement items.
async fn inspection(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
    Query(q): Query<Lang>,
) -> Result<Response, Failure> {
    let zh = q.lang.as_deref() != Some("en");
    let disclosure = Disclosure::unmasked(device.sees_personal);
    if disclosure == Disclosure::Masked {
        // Masked: the same for every phone of the unit, kept while the data are unchanged.
        let key = format!("inspection|{:?}|{zh}", device.unit_id);
        return cached(&shared, key, move |p| {
            let (value, rows, _) = inspection_list(p, &device, zh, disclosure)?;
            Ok(Ok((value, rows)))
        })
        .await;
    }
    let for_device = device.clone();
    let (body, rows, personal) =
        read(&shared, move |p| inspection_list(p, &for_device, zh, disclosure)).await?;
    // Personal data in full: recorded before it is sent; no record, no data.
    if disclosure == Disclosure::Full && !personal.is_empty() {
        let entry = crate::store::access_log::Entry {
            at: chrono::Local::now().naive_local(),
            actor: super::onsite::actor(&device),
            channel: "phone".into(),
            what: "inspection list".into(),
            columns: personal.join(", "),
            rows: rows as u64,
        };
        shared
            .writer
            .run(move |p| crate::store::access_log::record(p, &entry))
            .await
            .ok_or_else(gone)?
            .map_err(Failure::internal)?;
    }
    Ok(answer(body, rows))
}

/// The inspection list of a device's unit, with the personal columns it holds.
fn inspection_list(
    p: &Project,
    device: &Device,
    zh: bool,
    disclosure: Disclosure,
) -> anyhow::Result<(Value, usize, Vec<String>)> {
    let (rules, _) = crate::audit::run::library(p)?;
    let suspects = crate::store::onsite::assigned(p, device.unit_id.as_deref(), LIST_LIMIT)?;
    let keys: Vec<String> = suspects.iter().map(|s| s.key.clone()).collect();
    let mut visits = crate::store::onsite::visits(p, &keys)?;
    let mut personal: std::collections::BTreeSet<String> = Default::default();
    let mut list = Vec::with_capacity(suspects.len());
    for s in &suspects {
        let rule = rules.iter().find(|r| r.id == s.rule_id);
        let (evidence_json, found) =
            crate::audit::explain::masked_evidence_json(&s.evidence_json, disclosure);
        personal.extend(found);
        let masked = crate::store::audit::SuspectRow {
            evidence_json: evidence_json.clone(),
            ..s.clone()
        };
        let sentence = rule
            .map(|r| crate::audit::explain::sentence(r, &masked, zh))
            .unwrap_or_default();
        let visit = visits.remove(&s.key).unwrap_or_default();
        let shown = |v: &Option<String>,
                     kind: Personal,
                     col: &str,
                     personal: &mut std::collections::BTreeSet<String>| {
            v.as_deref().filter(|v| !v.is_empty()).map(|v| {
                personal.insert(col.to_string());
                if disclosure == Disclosure::Full {
                    v.to_string()
                } else {
                    mask(v, kind)
                }
            })
        };
        let visit = json!({
            "customer_id": visit.customer_id,
            "name": shown(&visit.name, Personal::Name, "name", &mut personal),
            "address": shown(&visit.address, Personal::Address, "address", &mut personal),
            "phone": shown(&visit.phone, Personal::Phone, "phone", &mut personal),
        });
        let evidence: Vec<Value> = crate::audit::explain::evidence_from_json(&evidence_json)
            .into_iter()
            .map(|(k, v)| {
                let phrases = rule
                    .map(|r| &r.phrases)
                    .unwrap_or(&crate::audit::explain::NO_PHRASES);
                let shown = crate::audit::explain::show(&k, &v, zh.then_some(phrases));
                json!([k, shown])
            })
            .collect();
        list.push(json!({
            "key": s.key, "rule_id": s.rule_id,
            "rule_name": rule.map(|r| if zh { r.name_zh.clone() } else { r.name_en.clone() }).unwrap_or(s.rule_id.clone()),
            "sentence": sentence, "status": s.status, "severity": s.severity, "amount": s.amount,
            "unit_id": s.unit_id, "assignee_unit": s.assignee_unit, "due_on": s.due_on,
            "period": s.period.map(|d| format!("{}-{:02}", d.year(), d.month())),
            "entity_type": s.entity_type, "entity_id": s.entity_id,
            "evidence": evidence, "visit": visit,
        }));
    }
    let home = home_unit(p, device)?;
    let items: Vec<Value> = crate::store::evaluations::items(p, Some(home.as_str()))?
        .into_iter()
        .filter(|i| i.state == "open")
        .map(|i| {
            json!({"item_id": i.item_id, "unit_id": i.unit_id, "reason": i.reason,
                        "owner_unit": i.owner_unit, "due_on": i.due_on, "period": i.period,
                        "measures": i.measures})
        })
        .collect();
    let rows = list.len() + items.len();
    Ok((
        json!({"suspects": list, "items": items, "freshness": crate::store::onsite::freshness(p)?,
               "masked": disclosure == Disclosure::Masked}),
        rows,
        personal.into_iter().collect::<Vec<_>>(),
    ))
}

/// An on-site record: checked, then applied by the project's owner.
/// Bodies past this are not even read: the connection is closed after the 413.
const DRAIN_LIMIT: usize = 96 * 1024 * 1024;

/// A record's body, up to [`RECORD_BODY_LIMIT`]. A larger one is read to its end and thrown
/// away (up to [`DRAIN_LIMIT`]) before the 413: a phone still sending its body would not see
/// an answer given before it is done, only a broken connection.
async fn limited_body(body: Body) -> Result<Bytes, Failure> {
    use http_body_util::BodyExt;
    let too_large = || {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            crate::say!(
                "the request is larger than allowed ({} MB for a record with its photos)",
                "请求超过允许的大小（一条记录连同照片最多 {} MB）",
                RECORD_BODY_LIMIT / 1024 / 1024
            ),
        )
    };
    let mut body = body;
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                crate::say!("the request's body broke off: {e}", "请求内容中断：{e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > DRAIN_LIMIT {
                return Err(too_large());
            }
            if seen <= RECORD_BODY_LIMIT {
                kept.extend_from_slice(&data);
            }
        }
    }
    if seen > RECORD_BODY_LIMIT {
        return Err(too_large());
    }
    Ok(Bytes::from(kept))
}

async fn record(
    State(shared): State<Arc<Shared>>,
    axum::Extension(device): axum::Extension<Device>,
    req: Request,
) -> Result<Response, Failure> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            crate::say!("the request is far larger than allowed", "请求远超允许的大小"),
        ));
    }
    let body = limited_body(req.into_body()).await?;
    let sent: onsite::Sent = parse(&body)?;
    drop(body);
    let checked = onsite::check(sent).map_err(refused)?;
    let outcome = shared
        .writer
        .run(move |p| onsite::apply(p, &device, &checked))
        .await
        .ok_or_else(gone)
        .inspect(|_| shared.changed())?
        .map_err(Failure::internal)?
        .map_err(refused)?;
    let status = match outcome {
        onsite::Outcome::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::OK,
    };
    let mut r = answer(outcome, 1);
    *r.status_mut() = status;
    Ok(r)
}

fn refused(r: onsite::Refused) -> Failure {
    use onsite::Refused::*;
    match r {
        Malformed(t) => Failure::new(StatusCode::BAD_REQUEST, t),
        TooLarge(t) => Failure::new(StatusCode::PAYLOAD_TOO_LARGE, t),
        NoSuspect => Failure::new(
            StatusCode::NOT_FOUND,
            crate::say!("no such suspect in the project", "项目中没有该疑点"),
        ),
        NotYours => Failure::new(
            StatusCode::FORBIDDEN,
            crate::say!(
                "that suspect is not this phone's unit's to work on",
                "该疑点不属于此手机所属单位"
            ),
        ),
        NotAllowed(t) => Failure::new(StatusCode::UNPROCESSABLE_ENTITY, t),
    }
}

/// A plain 404 for anything else under /api/.
pub(super) fn not_found() -> Response {
    Failure::new(StatusCode::NOT_FOUND, crate::say!("no such page", "没有该页面")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &[&str]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for a in accept {
            h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(a).unwrap());
        }
        h
    }

    #[test]
    fn gzip_is_taken_as_browsers_and_rfc_9110_say() {
        // Written by hand: what Chromium, Safari and curl send, and the refusals of RFC 9110.
        assert!(accepts_gzip(&headers(&["gzip, deflate, br, zstd"])));
        assert!(accepts_gzip(&headers(&["br;q=1.0, gzip;q=0.8, *;q=0.1"])));
        assert!(accepts_gzip(&headers(&["identity", "GZIP"])));
        assert!(accepts_gzip(&headers(&["*"])));
        assert!(!accepts_gzip(&headers(&[])));
        assert!(!accepts_gzip(&headers(&["identity"])));
        assert!(!accepts_gzip(&headers(&["gzip;q=0"])));
        assert!(!accepts_gzip(&headers(&["gzip; q=0.000, br"])));
        assert!(!accepts_gzip(&headers(&["x-gzip2"])));
    }

    #[test]
    fn a_gzipped_answer_unpacks_to_the_json_and_a_small_one_is_not_packed() {
        use std::io::Read;
        let json = serde_json::to_vec(&json!({"rows": vec!["台区 0042 的电表"; 400]})).unwrap();
        let packed = gzip(&json).expect("large enough to pack");
        assert!(
            packed.len() * 10 < json.len(),
            "{} of {}",
            packed.len(),
            json.len()
        );
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, json);
        assert!(gzip(br#"{"ok":true}"#).is_none());
    }
}
