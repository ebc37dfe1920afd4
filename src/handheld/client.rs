//! The phone's client: a few files kept under `assets/handheld/` and built into the program
//! (no build step, nothing fetched from elsewhere), served as they are.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// (path, content type, file)
const FILES: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../assets/handheld/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/handheld/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/handheld/app.css"),
    ),
    (
        "/sw.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/handheld/sw.js"),
    ),
    (
        "/icon.svg",
        "image/svg+xml",
        include_str!("../../assets/icons/mams.svg"),
    ),
    (
        "/manifest.webmanifest",
        "application/manifest+json",
        include_str!("../../assets/handheld/manifest.webmanifest"),
    ),
];

/// A file of the client, or 404 (JSON under /api/).
pub(super) async fn file(uri: Uri) -> Response {
    let path = match uri.path() {
        "/index.html" => "/",
        p => p,
    };
    if path.starts_with("/api/") {
        return super::api::not_found();
    }
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ty, body)) => {
            let mut r = (*body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
            // Revalidated each time: an updated MAMS serves its new client at once.
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
