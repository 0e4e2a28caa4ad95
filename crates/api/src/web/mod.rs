//! The web pages: static files from `web/` (embedded in release builds, read from the source tree
//! in debug builds), served by the same binary as the API. The pages are clients of the JSON API
//! like any other; no rule lives here.
//!
//! Every page answer carries a strict Content-Security-Policy (no inline script or style, nothing
//! from another origin), is compressed with gzip when the browser accepts it, and is revalidated
//! with its `ETag` so that a new release reaches browsers at once.

mod assets;
mod headers;
mod shell;

pub use assets::{Asset, WebAssets};
pub use shell::shell_manifest;

use poem::{Route, get};

/// The pages and their files: `/` (public), `/login`, `/volunteer`, `/contact`, `/staff`, and
/// `/assets/…`, `/sw.js`, `/manifest.webmanifest`, `/shell.json`.
pub fn add_routes(routes: Route) -> Route {
    let page = |file: &'static str| get(assets::FileEndpoint::fixed(file));
    routes
        .at("/", page("index.html"))
        .at("/login", page("login.html"))
        .at("/volunteer", page("volunteer.html"))
        .at("/contact", page("contact.html"))
        .at("/staff", page("staff.html"))
        .at("/sw.js", page("sw.js"))
        .at("/manifest.webmanifest", page("manifest.webmanifest"))
        .at("/shell.json", get(shell::shell_endpoint))
        .at("/assets/*path", get(assets::FileEndpoint::under("assets/")))
}
