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

pub use assets::{Asset, PAGE_SHELL, WebAssets};

/// Every page: its URL and its module (`web/assets/js/pages/<name>.js`), all served from the one
/// shell `web/page.html`.
pub const PAGES: [(&str, &str); 7] = [
    ("/", "public"),
    ("/login", "login"),
    ("/volunteer", "volunteer"),
    ("/contact", "contact"),
    ("/staff", "staff"),
    ("/organisation", "organisation"),
    ("/initiative", "initiative"),
];
pub use shell::shell_manifest;

use poem::{Route, get};

/// The pages and their files: `/` (public), `/login`, `/volunteer`, `/contact`, `/staff`,
/// `/organisation`, `/initiative`, and
/// `/assets/…`, `/sw.js`, `/manifest.webmanifest`, `/shell.json`.
pub fn add_routes(routes: Route) -> Route {
    let routes = PAGES.iter().fold(routes, |routes, (url, name)| {
        routes.at(*url, get(assets::FileEndpoint::Page(name)))
    });
    routes
        .at("/sw.js", get(assets::FileEndpoint::Fixed("sw.js")))
        .at(
            "/manifest.webmanifest",
            get(assets::FileEndpoint::Fixed("manifest.webmanifest")),
        )
        .at("/shell.json", get(shell::shell_endpoint))
        .at("/assets/*path", get(assets::FileEndpoint::Under("assets/")))
}
