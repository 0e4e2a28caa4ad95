//! The embedded files and the endpoint that answers them (ETag, gzip, security headers).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, Request, Response};
use rust_embed::RustEmbed;

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

impl Asset {
    fn load(path: &str) -> Option<Self> {
        let file = WebAssets::get(path)?;
        let hash = file.metadata.sha256_hash();
        let etag = format!(
            "\"{}\"",
            hash.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>()
        );
        let content_type = content_type_of(path).to_owned();
        let gzipped = compressible(&content_type)
            .then(|| gzip(&file.data, flate2::Compression::best()))
            .flatten();
        Some(Self {
            path: path.to_owned(),
            bytes: file.data,
            gzipped,
            content_type,
            etag,
        })
    }

    /// The file by its path under `web/`; compressed once and kept (in debug builds, read again
    /// whenever its content changed on disk).
    pub fn get(path: &str) -> Option<Arc<Self>> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Asset>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if !cfg!(debug_assertions)
            && let Ok(map) = cache.lock()
            && let Some(found) = map.get(path)
        {
            return Some(found.clone());
        }
        let asset = Arc::new(Self::load(path)?);
        if let Ok(mut map) = cache.lock() {
            map.insert(path.to_owned(), asset.clone());
        }
        Some(asset)
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

/// Answers one file: a fixed one (a page) or the one named by the rest of the path.
pub(super) enum FileEndpoint {
    Fixed(&'static str),
    Under(&'static str),
}

impl FileEndpoint {
    pub(super) fn fixed(path: &'static str) -> Self {
        Self::Fixed(path)
    }

    pub(super) fn under(prefix: &'static str) -> Self {
        Self::Under(prefix)
    }

    fn path_of(&self, req: &Request) -> Option<String> {
        match self {
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
        let Some(asset) = self.path_of(&req).and_then(|path| Asset::get(&path)) else {
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
