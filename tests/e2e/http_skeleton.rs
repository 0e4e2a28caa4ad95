//! The HTTP skeleton: spec, docs, health, request ids, CORS, and problem+json for every error.

use futures_util::stream;
use poem::Body;
use poem::http::StatusCode;
use serde_json::Value;

use campaign_tests::TEST_PEER_HEADER;

use crate::{Answer, Backend, TestApp, TestOptions, get, on_both_databases};

on_both_databases!(
    the_openapi_document_is_valid_openapi_3,
    docs_are_served_from_the_binary,
    health_and_readiness,
    unknown_routes_and_wrong_methods_are_problems,
    oversized_bodies_are_refused_with_413,
    every_answer_carries_a_request_id,
    cors_answers_only_the_listed_origins,
    metrics_count_requests_and_money,
    writes_beyond_the_rate_limit_are_429,
    a_forged_forwarded_for_does_not_escape_the_write_limit,
    anonymous_reads_beyond_their_limit_are_429,
    metrics_can_require_a_token,
    every_cross_origin_answer_carries_cors_headers,
);

async fn the_openapi_document_is_valid_openapi_3(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let answer = get(&app, "/api/v1/openapi.json").await;
    let raw = answer.expect(StatusCode::OK).clone();
    let spec: openapiv3::OpenAPI = serde_json::from_value(raw.clone()).expect("a valid OpenAPI 3 document");
    assert!(spec.openapi.starts_with("3."), "{}", spec.openapi);
    assert_eq!(spec.servers.first().map(|s| s.url.as_str()), Some("/api/v1"));
    for path in ["/municipalities", "/municipalities/lookup", "/municipalities/{nis}"] {
        assert!(spec.paths.paths.contains_key(path), "missing {path}");
    }
    // Every operation has an id and documents its error answers as problem+json.
    for (path, item) in &spec.paths.paths {
        let item = item.as_item().unwrap();
        for (method, op) in item.iter() {
            assert!(op.operation_id.is_some(), "{method} {path} has no operation id");
            let bad_request = op.responses.responses.get(&openapiv3::StatusCode::Code(400));
            let documented = bad_request
                .and_then(|r| r.as_item())
                .is_some_and(|r| r.content.contains_key("application/problem+json"));
            assert!(documented, "{method} {path} does not document 400 as problem+json");
        }
    }
    assert!(raw["components"]["schemas"]["Problem"].is_object());
}

async fn docs_are_served_from_the_binary(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let resp = app.client.get("/docs").send().await;
    resp.assert_status_is_ok();
    let content_type = resp
        .0
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = resp.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains("swagger-ui") || html.contains("SwaggerUI"),
        "Swagger UI is embedded"
    );
    for cdn in [
        "<script src=\"http",
        "<link rel=\"stylesheet\" href=\"http",
        "unpkg.com",
        "jsdelivr",
        "cdnjs",
    ] {
        assert!(
            !html.contains(cdn),
            "the docs page loads {cdn}: it must work without the internet"
        );
    }
}

async fn health_and_readiness(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    get(&app, "/healthz").await.expect(StatusCode::OK);
    let ready = get(&app, "/readyz").await;
    let body = ready.expect(StatusCode::OK);
    assert_eq!(body["database"], "ok");
    assert_eq!(body["boundaries"], 304);

    // With the database gone, the process is alive but not ready.
    app.db.clone().close().await.unwrap();
    get(&app, "/healthz").await.expect(StatusCode::OK);
    get(&app, "/readyz")
        .await
        .expect_problem(StatusCode::SERVICE_UNAVAILABLE);
}

async fn unknown_routes_and_wrong_methods_are_problems(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for uri in ["/api/v1/nothing-here", "/nothing", "/api/v2/municipalities"] {
        let answer = get(&app, uri).await;
        let detail = answer.expect_problem(StatusCode::NOT_FOUND)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            detail.contains("openapi.json"),
            "points to the list of routes: {detail}"
        );
    }
    let answer = Answer::read(app.client.delete("/api/v1/municipalities/44021").send().await).await;
    answer.expect_problem(StatusCode::METHOD_NOT_ALLOWED);
    let answer = Answer::read(app.client.put("/api/v1/municipalities").body("{}").send().await).await;
    answer.expect_problem(StatusCode::METHOD_NOT_ALLOWED);
}

async fn oversized_bodies_are_refused_with_413(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let big = vec![b'x'; 1024 * 1024 + 1];
    let declared = app
        .client
        .post("/api/v1/municipalities")
        .header("content-length", big.len().to_string())
        .content_type("application/json")
        .body(big.clone())
        .send()
        .await;
    Answer::read(declared)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE);

    // Chunked: no Content-Length, the body arrives in pieces.
    let chunks = big
        .chunks(64 * 1024)
        .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
        .collect::<Vec<_>>();
    let chunked = app
        .client
        .post("/api/v1/municipalities")
        .content_type("application/json")
        .body(Body::from_bytes_stream(stream::iter(chunks)))
        .send()
        .await;
    Answer::read(chunked)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE);

    // Exactly at the limit passes the body check (and then meets the method check).
    let at_limit = app
        .client
        .post("/api/v1/municipalities")
        .body(vec![b'x'; 1024 * 1024])
        .send()
        .await;
    Answer::read(at_limit)
        .await
        .expect_problem(StatusCode::METHOD_NOT_ALLOWED);
}

async fn every_answer_carries_a_request_id(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let mut ids = Vec::new();
    for uri in [
        "/api/v1/municipalities/44021",
        "/api/v1/nothing",
        "/healthz",
        "/api/v1/municipalities?limit=0",
    ] {
        let answer = get(&app, uri).await;
        let id = answer.header("x-request-id").map(str::to_owned);
        assert!(id.as_ref().is_some_and(|id| id.len() >= 16), "{uri} has no request id");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 4, "each request gets its own id");

    // A caller's plain id is kept, so traces can cross services; anything else is replaced.
    let kept = app
        .client
        .get("/healthz")
        .header("x-request-id", "mobile-app.42_a")
        .send()
        .await;
    kept.assert_header("x-request-id", "mobile-app.42_a");
    let replaced = Answer::read(
        app.client
            .get("/healthz")
            .header("x-request-id", "bad id; DROP TABLE")
            .send()
            .await,
    )
    .await;
    assert_ne!(replaced.header("x-request-id"), Some("bad id; DROP TABLE"));
    assert!(replaced.header("x-request-id").is_some());
}

async fn cors_answers_only_the_listed_origins(backend: Backend) {
    // By default: no cross-origin access at all.
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let answer = Answer::read(
        app.client
            .get("/api/v1/municipalities/44021")
            .header("origin", "https://evil.example")
            .send()
            .await,
    )
    .await;
    assert_eq!(answer.header("access-control-allow-origin"), None);
    drop(app);

    let http = campaign_api::HttpSettings::new(&["https://dashboard.example.org".to_owned()], 30).unwrap();
    let Some(app) = TestApp::start_with(
        backend,
        TestOptions {
            http,
            ..TestOptions::default()
        },
    )
    .await
    else {
        return;
    };
    let preflight = |origin: &'static str| {
        app.client
            .options("/api/v1/municipalities")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = Answer::read(preflight("https://dashboard.example.org").await).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://dashboard.example.org")
    );

    let refused = Answer::read(preflight("https://evil.example").await).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    refused.expect_problem(StatusCode::FORBIDDEN);

    let simple = Answer::read(
        app.client
            .get("/api/v1/municipalities/44021")
            .header("authorization", app.staff.bearer())
            .header("origin", "https://dashboard.example.org")
            .send()
            .await,
    )
    .await;
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some("https://dashboard.example.org")
    );
    assert_eq!(simple.body["nis_code"], Value::from("44021"));
}

async fn metrics_count_requests_and_money(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    get(&app, "/api/v1/municipalities/44021").await.expect(StatusCode::OK);
    get(&app, "/api/v1/municipalities/99999")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/no-such-route")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let y = chrono::Utc::now().format("%Y").to_string();
    let body = serde_json::json!({ "year": y.parse::<i64>().unwrap(), "starts_on": format!("{y}-01-01"), "ends_on": format!("{y}-12-31"), "target_cents": 0 });
    crate::post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    let last = y.parse::<i64>().unwrap() - 1;
    let before = serde_json::json!({ "year": last, "starts_on": format!("{last}-01-01"), "ends_on": format!("{last}-12-31"), "target_cents": 0 });
    crate::post_as(&app, &app.staff, "/api/v1/campaigns", &before)
        .await
        .expect(StatusCode::CREATED);
    let (group, volunteer) = app.new_volunteer().await;
    let entry = serde_json::json!({ "kind": "donation", "amount_cents": 1234, "payment_method": "cash", "occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339() });
    crate::post_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries"), &entry)
        .await
        .expect(StatusCode::CREATED);

    let resp = app.client.get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    for line in [
        r#"campaign_http_requests_total{method="GET",operation="get_municipality",status="200"} 1"#,
        r#"campaign_http_requests_total{method="GET",operation="get_municipality",status="404"} 1"#,
        r#"campaign_http_requests_total{method="GET",operation="unmatched",status="404"} 1"#,
        r#"campaign_http_requests_total{method="POST",operation="create_entry",status="201"} 1"#,
        "campaign_ledger_entries 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    // Money per campaign: one series each, 0 before a campaign's first entry.
    for line in [
        format!("campaign_raised_cents{{campaign_year=\"{y}\"}} 1234"),
        format!("campaign_raised_cents{{campaign_year=\"{last}\"}} 0"),
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    assert!(
        !text.lines().any(|l| l.starts_with("campaign_raised_cents ")),
        "no unlabelled series"
    );
    assert!(text.contains(
        "campaign_http_request_duration_seconds_bucket{method=\"GET\",operation=\"get_municipality\",le=\"0.005\"}"
    ));
    assert!(text.lines().any(|l| l.starts_with("campaign_db_pool_connections ")));
}

async fn writes_beyond_the_rate_limit_are_429(backend: Backend) {
    let http = campaign_api::HttpSettings {
        write_rate_limit: 3,
        ..Default::default()
    };
    let options = TestOptions {
        http,
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let body = |i: i64| serde_json::json!({ "name": format!("Comité {i}"), "municipality_nis": "44021" });
    // The harness's sign-in was a write by an anonymous client; the staff user has its own budget.
    for i in 0..3 {
        crate::post_as(&app, &app.staff, "/api/v1/groups", &body(i))
            .await
            .expect(StatusCode::CREATED);
    }
    let limited = crate::post_as(&app, &app.staff, "/api/v1/groups", &body(3)).await;
    limited.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Reads go on, and another user has a budget of its own.
    get(&app, "/api/v1/groups").await.expect(StatusCode::OK);
    let (group, volunteer) = app.new_volunteer().await;
    let activity = serde_json::json!({ "kind": "quiz", "title": "Quiz", "starts_at": "2026-11-07T19:00:00Z", "ends_at": "2026-11-07T22:00:00Z", "public": true });
    let answer = crate::post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/activities"),
        &activity,
    )
    .await;
    assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.body);
    assert_eq!(
        get(&app, "/api/v1/groups").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "the refused write changed nothing"
    );
}

async fn a_forged_forwarded_for_does_not_escape_the_write_limit(backend: Backend) {
    let options = TestOptions {
        http: campaign_api::HttpSettings {
            write_rate_limit: 3,
            ..Default::default()
        },
        trusted_proxies: campaign_api::http::TrustedProxies::parse("10.0.0.0/8").unwrap(),
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    // Anonymous writes (sign-outs) from one client behind the proxy, each with a made-up address
    // of its own in X-Forwarded-For, sent at once: the limit sees one client.
    let logout = |forwarded: String| {
        let client = &app.client;
        async move {
            Answer::read(
                client
                    .post("/api/v1/auth/logout")
                    .header(TEST_PEER_HEADER, "10.0.0.2")
                    .header("x-forwarded-for", forwarded)
                    .body_json(&serde_json::json!({ "refresh_token": "rt_unknown" }))
                    .send()
                    .await,
            )
            .await
        }
    };
    let answers = futures_util::future::join_all((0..6).map(|i| logout(format!("192.0.2.{i}, 203.0.113.7")))).await;
    let done = answers.iter().filter(|a| a.status == StatusCode::NO_CONTENT).count();
    let limited = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((done, limited), (3, 3));
    // Another client behind the same proxy has its own budget.
    logout("203.0.113.8".to_owned()).await.expect(StatusCode::NO_CONTENT);
}

async fn anonymous_reads_beyond_their_limit_are_429(backend: Backend) {
    let options = TestOptions {
        http: campaign_api::HttpSettings {
            read_rate_limit: 3,
            ..Default::default()
        },
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let read = |peer: &'static str, path: &'static str| {
        let client = &app.client;
        async move { Answer::read(client.get(path).header(TEST_PEER_HEADER, peer).send().await).await }
    };
    let answers =
        futures_util::future::join_all((0..5).map(|_| read("203.0.113.7", "/api/v1/public/activities"))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        3,
        "{statuses:?}"
    );
    let limited = answers
        .iter()
        .find(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .unwrap();
    limited.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").is_some());
    // Probes, another address and signed-in reads are not limited by it.
    for path in ["/healthz", "/readyz", "/metrics"] {
        read("203.0.113.7", path).await.expect(StatusCode::OK);
    }
    read("198.51.100.1", "/api/v1/public/activities")
        .await
        .expect(StatusCode::OK);
    let signed_in = Answer::read(
        app.client
            .get("/api/v1/me")
            .header(TEST_PEER_HEADER, "203.0.113.7")
            .header("authorization", app.staff.bearer())
            .send()
            .await,
    )
    .await;
    signed_in.expect(StatusCode::OK);
}

async fn metrics_can_require_a_token(backend: Backend) {
    let token = "a-long-enough-metrics-token";
    let options = TestOptions {
        http: campaign_api::HttpSettings {
            metrics_token: Some(token.into()),
            ..Default::default()
        },
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let scrape = |authorization: Option<String>| {
        let client = &app.client;
        async move {
            let mut req = client.get("/metrics");
            if let Some(value) = authorization {
                req = req.header("authorization", value);
            }
            Answer::read(req.send().await).await
        }
    };
    for refused in [
        None,
        Some("Bearer wrong-token-of-some-length".to_owned()),
        Some(app.staff.bearer()),
    ] {
        let answer = scrape(refused).await;
        answer.expect_problem(StatusCode::UNAUTHORIZED);
        assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    }
    let resp = app
        .client
        .get("/metrics")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    assert!(text.contains("campaign_http_requests_total"));
}

async fn every_cross_origin_answer_carries_cors_headers(backend: Backend) {
    let http = campaign_api::HttpSettings::new(&["https://dashboard.example.org".to_owned()], 30).unwrap();
    let Some(app) = TestApp::start_with(
        backend,
        TestOptions {
            http,
            ..TestOptions::default()
        },
    )
    .await
    else {
        return;
    };
    let big = Answer::read(
        app.client
            .post("/api/v1/groups")
            .header("origin", "https://dashboard.example.org")
            .header("authorization", app.staff.bearer())
            .content_type("application/json")
            .body(vec![b'x'; 1024 * 1024 + 1])
            .send()
            .await,
    )
    .await;
    big.expect_problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        big.header("access-control-allow-origin"),
        Some("https://dashboard.example.org")
    );
    // A created resource's Location and an idempotent replay's marker are readable by the page.
    let created = Answer::read(
        app.client
            .post("/api/v1/groups")
            .header("origin", "https://dashboard.example.org")
            .header("authorization", app.staff.bearer())
            .body_json(&serde_json::json!({ "name": "Comité CORS", "municipality_nis": "44021" }))
            .send()
            .await,
    )
    .await;
    created.expect(StatusCode::CREATED);
    assert!(created.header("location").is_some());
    let exposed = created
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for header in ["location", "idempotent-replayed", "retry-after", "x-request-id"] {
        assert!(exposed.contains(header), "{header} is not exposed: {exposed}");
    }
}
