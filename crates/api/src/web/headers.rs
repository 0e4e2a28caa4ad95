//! The headers of every page answer: a strict Content-Security-Policy and the usual hardening.

/// No inline script or style, no other origin: a script injected into a page cannot run, and
/// nothing a page loads can come from elsewhere. Geolocation only for this origin (the public
/// agenda near me).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(super) fn security_headers(path: &str) -> Vec<(&'static str, &'static str)> {
    let mut headers = vec![
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "geolocation=(self), camera=(), microphone=()"),
    ];
    if path.ends_with(".html") {
        headers.push(("content-security-policy", CONTENT_SECURITY_POLICY));
        headers.push(("x-frame-options", "DENY"));
    }
    if path == "sw.js" {
        // The service worker may control every page of the site.
        headers.push(("service-worker-allowed", "/"));
    }
    headers
}

/// Every file is revalidated (`no-cache` with its `ETag`): a release reaches the browser at the
/// next load, and the service worker keeps its own copy for when the network is gone.
pub(super) fn cache_control_for(_path: &str) -> &'static str {
    "no-cache"
}
