//! The embedded files and the endpoint that answers them (ETag, gzip, security headers).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, Request, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use super::headers::{cache_control_for, security_headers};
use crate::http::compression::{accepts_gzip, gzip};
use crate::problem::Problem;

/// The files of `web/`: compiled into release binaries, read from the source tree in debug builds
/// (so that editing a page needs no rebuild while developing).
#[derive(RustEmbed)]
#[folder = "../../web/"]
pub struct WebAssets;

/// One file ready to answer: its bytes, the gzip of them, its type and its entity tag.
pub struct Asset {
    pub path: String,
    pub bytes: Cow<'static, [u8]>,
    pub gzipped: Option<Vec<u8>>,
    pub content_type: String,
    pub etag: String,
}

/// The one HTML shell of every page; `{{page}}` names the page's module.
pub const PAGE_SHELL: &str = "page.html";

impl Asset {
    fn new(path: String, bytes: Cow<'static, [u8]>) -> Self {
        let etag = format!(
            "\"{}\"",
            Sha256::digest(&bytes)
                .iter()
                .take(12)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let content_type = content_type_of(&path).to_owned();
        let gzipped = compressible(&content_type)
            .then(|| gzip(&bytes, flate2::Compression::best()))
            .flatten();
        Self {
            path,
            bytes,
            gzipped,
            content_type,
            etag,
        }
    }

    /// Kept once made (in debug builds made again on every call, so edits on disk show at once).
    fn cached(key: &str, make: impl FnOnce() -> Option<Self>) -> Option<Arc<Self>> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Asset>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if !cfg!(debug_assertions)
            && let Ok(map) = cache.lock()
            && let Some(found) = map.get(key)
        {
            return Some(found.clone());
        }
        let asset = Arc::new(make()?);
        if let Ok(mut map) = cache.lock() {
            map.insert(key.to_owned(), asset.clone());
        }
        Some(asset)
    }

    /// The file by its path under `web/`, compressed once.
    pub fn get(path: &str) -> Option<Arc<Self>> {
        Self::cached(path, || {
            let file = WebAssets::get(path)?;
            Some(Self::new(path.to_owned(), file.data))
        })
    }

    /// The page `name` (`public`, `volunteer`, …): the HTML shell loading its module.
    pub fn page(name: &str) -> Option<Arc<Self>> {
        let path = format!("{name}.html");
        Self::cached(&path, || {
            let shell = WebAssets::get(PAGE_SHELL)?;
            let html = String::from_utf8_lossy(&shell.data).replace("{{page}}", name);
            Some(Self::new(path.clone(), Cow::Owned(html.into_bytes())))
        })
    }

    /// Every file path of `web/`, sorted.
    pub fn paths() -> Vec<String> {
        let mut all: Vec<String> = WebAssets::iter().map(|p| p.into_owned()).collect();
        all.sort();
        all
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.contains("javascript")
        || content_type.contains("json")
        || content_type.contains("svg")
}

/// The media type by extension, for the kinds of files the pages are made of.
fn content_type_of(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Answers one file: a page, a fixed file, or the one named by the rest of the path.
pub(super) enum FileEndpoint {
    Page(&'static str),
    Fixed(&'static str),
    Under(&'static str),
}

impl FileEndpoint {
    fn path_of(&self, req: &Request) -> Option<String> {
        match self {
            Self::Page(_) => None,
            Self::Fixed(path) => Some((*path).to_owned()),
            Self::Under(prefix) => {
                let rest = req.raw_path_param("path")?;
                // Only plain relative names: no parent steps, no hidden files, no encoded bytes.
                let plain = rest.split('/').all(|part| {
                    !part.is_empty()
                        && !part.starts_with('.')
                        && part
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                });
                plain.then(|| format!("{prefix}{rest}"))
            }
        }
    }
}

impl Endpoint for FileEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let asset = match self {
            Self::Page(name) => Asset::page(name),
            _ => self.path_of(&req).and_then(|path| Asset::get(&path)),
        };
        let Some(asset) = asset else {
            return Ok(Problem::new(
                StatusCode::NOT_FOUND,
                "there is no such page or file; the site starts at /",
            )
            .into_response());
        };
        Ok(answer(&req, &asset))
    }
}

/// The answer for a file: 304 when the browser has it, else the (gzipped) bytes.
pub(super) fn answer(req: &Request, asset: &Asset) -> Response {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| sent.split(',').any(|tag| tag.trim() == asset.etag));
    let mut builder = Response::builder()
        .header(header::ETAG, asset.etag.as_str())
        .header(header::CACHE_CONTROL, cache_control_for(&asset.path))
        .header(header::VARY, "accept-encoding");
    for (name, value) in security_headers(&asset.path) {
        builder = builder.header(name, value);
    }
    if fresh {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    builder = builder.header(header::CONTENT_TYPE, asset.content_type.as_str());
    match (&asset.gzipped, accepts_gzip(req)) {
        (Some(gz), true) if gz.len() < asset.bytes.len() => builder
            .header(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))
            .body(gz.clone()),
        _ => builder.body(asset.bytes.to_vec()),
    }
}
