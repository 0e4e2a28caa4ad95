//! `/shell.json`: the files a service worker keeps for offline use, with one version for all.

use poem::http::header;
use poem::web::Json;
use poem::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::PAGES;
use super::assets::{Asset, PAGE_SHELL};

#[derive(Serialize)]
pub struct ShellManifest {
    /// Changes whenever any file changes: the service worker keeps one cache per version.
    pub version: String,
    /// The URLs to keep: every page and every asset.
    pub files: Vec<String>,
}

/// The shell of the site now: every page's URL and every asset's.
pub fn shell_manifest() -> ShellManifest {
    let mut hasher = Sha256::new();
    let mut files: Vec<String> = PAGES.iter().map(|(url, _)| (*url).to_owned()).collect();
    for path in Asset::paths() {
        if let Some(asset) = Asset::get(&path) {
            hasher.update(path.as_bytes());
            hasher.update(asset.etag.as_bytes());
        }
        if path != PAGE_SHELL && path != "sw.js" {
            files.push(format!("/{path}"));
        }
    }
    let version = hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    ShellManifest { version, files }
}

/// `GET /shell.json`, never kept by a cache.
#[poem::handler]
pub fn shell_endpoint() -> Response {
    Json(shell_manifest())
        .with_header(header::CACHE_CONTROL, "no-cache")
        .into_response()
}
