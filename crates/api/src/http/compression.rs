//! gzip for answers worth it: JSON, GeoJSON and CSV of 1 KiB and more, when the client accepts
//! gzip. The campaign map alone is about 1.4 MB of GeoJSON and a quarter of that compressed.
//!
//! Left as they are: streams (`text/event-stream`), answers that are already encoded (the pages'
//! files come compressed), and answers with an `ETag` (a strong entity tag names one
//! representation; `If-Match` on activities compares them byte for byte).

use std::io::Write;

use poem::http::{HeaderValue, Method, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// Answers smaller than this are sent as they are: gzip would save too little.
pub const MIN_COMPRESSED_BYTES: usize = 1024;
/// Bodies larger than this are compressed off the async threads.
const BLOCKING_FROM_BYTES: usize = 64 * 1024;

/// The gzip of `bytes` at this level, or `None` if compressing failed.
pub fn gzip(bytes: &[u8], level: flate2::Compression) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// Whether the request's `Accept-Encoding` takes gzip (and not with `q=0`).
pub fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| p.replace(' ', "").eq_ignore_ascii_case("q=0"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

fn worth_compressing(resp: &Response) -> bool {
    let headers = resp.headers();
    if headers.contains_key(header::CONTENT_ENCODING) || headers.contains_key(header::ETAG) {
        return false;
    }
    let Some(kind) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim();
    matches!(
        kind,
        "application/json" | "application/problem+json" | "application/geo+json" | "text/csv"
    )
}

pub struct Gzip;

impl<E: Endpoint> Middleware<E> for Gzip {
    type Output = GzipEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        GzipEndpoint { inner: ep }
    }
}

pub struct GzipEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for GzipEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let wanted = accepts_gzip(&req) && req.method() != Method::HEAD;
        let mut resp = self.inner.call(req).await?.into_response();
        if !wanted || !worth_compressing(&resp) {
            return Ok(resp);
        }
        let body = resp.take_body().into_bytes().await?;
        if body.len() < MIN_COMPRESSED_BYTES {
            resp.set_body(body);
            return Ok(resp);
        }
        let compressed = if body.len() >= BLOCKING_FROM_BYTES {
            let input = body.clone();
            tokio::task::spawn_blocking(move || gzip(&input, flate2::Compression::default()))
                .await
                .ok()
                .flatten()
        } else {
            gzip(&body, flate2::Compression::default())
        };
        match compressed {
            Some(gz) if gz.len() < body.len() => {
                let headers = resp.headers_mut();
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
                headers.remove(header::CONTENT_LENGTH);
                resp.set_body(gz);
            }
            _ => resp.set_body(body),
        }
        Ok(resp)
    }
}
