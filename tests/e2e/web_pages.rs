//! The web pages as files: every page answers with a strict Content-Security-Policy, files are
//! revalidated by ETag and compressed, nothing outside `web/` can be reached, and the service
//! worker's shell list names every page.
use poem::http::StatusCode;

use crate::{Answer, Backend, TestApp, on_both_databases};

on_both_databases!(
    pages_answer_with_a_strict_content_security_policy,
    files_are_revalidated_and_compressed,
    nothing_outside_the_pages_folder_is_served,
    the_shell_lists_every_page_for_offline_use
);

async fn fetch(app: &TestApp, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, poem::http::HeaderMap, Vec<u8>) {
    let mut request = app.client.get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let resp = request.send().await;
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    let body = resp.0.into_body().into_vec().await.unwrap();
    (status, headers, body)
}

async fn pages_answer_with_a_strict_content_security_policy(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for page in [
        "/",
        "/login",
        "/volunteer",
        "/contact",
        "/staff",
        "/organisation",
        "/initiative",
    ] {
        let (status, headers, body) = fetch(&app, page, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8", "{page}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        for rule in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(rule), "{page}: {rule} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains("<html lang=\"nl-BE\">"), "{page}");
        assert!(
            !html.contains("<script>") && !html.contains("style="),
            "{page}: no inline script or style"
        );
    }
    let (_, headers, _) = fetch(&app, "/sw.js", &[]).await;
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(headers["service-worker-allowed"], "/");
}

async fn files_are_revalidated_and_compressed(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (status, headers, plain) = fetch(&app, "/assets/js/core/api.js", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(headers.get("content-encoding").is_none());
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let (status, headers, gz) = fetch(&app, "/assets/js/core/api.js", &[("accept-encoding", "br, gzip;q=0.8")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(gz.len() < plain.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain);
    let (status, _, body) = fetch(&app, "/assets/js/core/api.js", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
}

async fn nothing_outside_the_pages_folder_is_served(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for uri in [
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/js/../../index.html",
        "/assets/.hidden",
        "/assets/js/nothing-here.js",
        "/no-such-page",
    ] {
        let answer = Answer::read(app.client.get(uri).send().await).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let answer = Answer::read(app.client.post("/volunteer").send().await).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn the_shell_lists_every_page_for_offline_use(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let shell = Answer::read(app.client.get("/shell.json").send().await).await;
    let body = shell.expect(StatusCode::OK);
    let files: Vec<&str> = body["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for needed in [
        "/",
        "/login",
        "/volunteer",
        "/assets/js/pages/volunteer.js",
        "/assets/css/app.css",
        "/manifest.webmanifest",
    ] {
        assert!(files.contains(&needed), "{needed} in {files:?}");
    }
    assert!(!files.contains(&"/sw.js"), "the worker does not keep itself");
    for file in &files {
        let answer = Answer::read(app.client.get(*file).send().await).await;
        assert_eq!(answer.status, StatusCode::OK, "{file} is served");
    }
    assert_eq!(body["version"].as_str().map(str::len), Some(16));
}

on_both_databases!(big_api_answers_come_gzipped_when_the_client_accepts_it);

async fn big_api_answers_come_gzipped_when_the_client_accepts_it(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let bearer = app.staff.bearer();
    let created = app
        .client
        .post("/api/v1/campaigns")
        .header("authorization", bearer.as_str())
        .body_json(&serde_json::json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 100 }))
        .send()
        .await;
    assert_eq!(created.0.status(), StatusCode::CREATED);
    let map = "/api/v1/campaigns/2026/map";
    let (status, headers, plain) = fetch(&app, map, &[("authorization", bearer.as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none(), "not asked for gzip");
    let (status, headers, gz) = fetch(
        &app,
        map,
        &[
            ("authorization", bearer.as_str()),
            ("accept-encoding", "gzip, deflate, br"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(headers.get_all("vary").iter().any(|v| v == "accept-encoding"));
    assert!(
        gz.len() * 2 < plain.len(),
        "{} bytes gzipped of {}",
        gz.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain);
    // Refused gzip, small answers and answers with an ETag stay as they are.
    let (_, headers, _) = fetch(
        &app,
        map,
        &[("authorization", bearer.as_str()), ("accept-encoding", "gzip;q=0")],
    )
    .await;
    assert!(headers.get("content-encoding").is_none());
    let (_, headers, _) = fetch(
        &app,
        "/api/v1/me",
        &[("authorization", bearer.as_str()), ("accept-encoding", "gzip")],
    )
    .await;
    assert!(headers.get("content-encoding").is_none(), "a small answer");
    let (_, headers, _) = fetch(
        &app,
        "/api/v1/public/campaigns/2026/thermometer",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert!(headers.get("etag").is_some() && headers.get("content-encoding").is_none());
}
