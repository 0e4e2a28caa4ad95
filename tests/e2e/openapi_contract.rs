//! What schemathesis found (scripts/schemathesis.sh runs it in CI), kept by ordinary tests: 405s
//! name the allowed methods, the document lists every content type a 200 can have, and fields
//! that come back `null` are documented as nullable.

use poem::http::{Method, StatusCode};
use serde_json::Value;

use crate::{Answer, Backend, TestApp, get, on_both_databases};

on_both_databases!(
    a_405_names_the_allowed_methods,
    the_document_and_the_docs_answer_get_only,
    the_document_matches_what_the_api_answers,
);

async fn a_405_names_the_allowed_methods(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let group = app.new_group("44021").await;
    let cases = [
        (Method::DELETE, "/api/v1/municipalities/44021".to_owned(), "GET, HEAD"),
        (Method::GET, "/api/v1/auth/login".to_owned(), "POST"),
        (
            Method::PUT,
            format!("/api/v1/groups/{group}/entries"),
            "GET, HEAD, POST",
        ),
        (Method::POST, "/healthz".to_owned(), "GET, HEAD"),
    ];
    for (method, uri, allowed) in cases {
        let request = app
            .client
            .request(method.clone(), &uri)
            .header("authorization", app.staff.bearer());
        let answer = Answer::read(request.send().await).await;
        answer.expect_problem(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(answer.header("allow"), Some(allowed), "{method} {uri}");
    }
}

async fn the_document_and_the_docs_answer_get_only(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for (method, uri) in [(Method::DELETE, "/api/v1/openapi.json"), (Method::POST, "/docs")] {
        let answer = Answer::read(app.client.request(method.clone(), uri).send().await).await;
        answer.expect_problem(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(answer.header("allow"), Some("GET, HEAD"), "{method} {uri}");
    }
}

fn content_types(spec: &Value, path: &str, method: &str) -> Vec<String> {
    let content = &spec["paths"][path][method]["responses"]["200"]["content"];
    let mut types: Vec<String> = content
        .as_object()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    types.sort();
    types
}

fn property<'a>(spec: &'a Value, schema: &str, field: &str) -> &'a Value {
    &spec["components"]["schemas"][schema]["properties"][field]
}

async fn the_document_matches_what_the_api_answers(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let spec = get(&app, "/api/v1/openapi.json").await.expect(StatusCode::OK).clone();
    assert_eq!(
        content_types(&spec, "/activities", "get"),
        ["application/geo+json", "application/json; charset=utf-8"]
    );
    assert_eq!(
        content_types(&spec, "/campaigns/{year}/totals/by/{dimension}", "get"),
        ["application/json; charset=utf-8", "text/csv"]
    );
    assert_eq!(
        content_types(&spec, "/campaigns/{year}/pacing", "get"),
        ["application/json; charset=utf-8", "text/csv"]
    );
    assert_eq!(
        content_types(&spec, "/public/municipalities/outlines", "get"),
        ["application/geo+json"]
    );
    for path in ["/campaigns/{year}/pacing", "/campaigns/{year}/totals/by/{dimension}"] {
        let headers = &spec["paths"][path]["get"]["responses"]["200"]["headers"];
        let documented = headers
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-disposition")));
        assert!(documented, "{path} documents Content-Disposition: {headers}");
    }
    // The operations the pages use are documented with a summary, a description and every error.
    for (path, statuses) in [
        ("/groups/{id}/totals", ["400", "401", "404", "503"]),
        ("/municipalities/{nis}/overview", ["400", "401", "404", "503"]),
        ("/public/municipalities/outlines", ["400", "429", "503", "500"]),
    ] {
        let operation = &spec["paths"][path]["get"];
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{path}");
        assert!(
            operation["description"].as_str().is_some_and(|s| s.len() > 40),
            "{path}"
        );
        for status in statuses {
            assert!(
                operation["responses"].get(status).is_some(),
                "{path} documents {status}"
            );
        }
    }

    // A volunteer account answers `group_id`, a staff account `null`: both are documented.
    let me = get(&app, "/api/v1/me").await.expect(StatusCode::OK).clone();
    assert!(me["group_id"].is_null());
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let nullable = |schema: &str, field: &str| {
        let p = property(&spec, schema, field);
        p["nullable"] == true
            || p["anyOf"]
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s["type"] == "null"))
    };
    for (schema, field) in [
        ("UserOut", "group_id"),
        ("MaterialRequestOut", "rejection_reason"),
        ("ActivityOut", "location"),
        ("CampaignTotals", "target_cents"),
        ("CampaignTotals", "raised_cents_last_year_same_day"),
        ("GroupTotals", "raised_cents_last_year_same_day"),
        ("GroupTotals", "previous_campaign_year"),
        ("MunicipalityOverview", "raised_cents_last_year_same_day"),
        ("OverviewActivity", "address"),
    ] {
        assert!(schemas.contains_key(schema), "the document has no {schema}");
        assert!(
            nullable(schema, field),
            "{schema}.{field} can be null: {}",
            property(&spec, schema, field)
        );
    }
    let pages: Vec<&String> = schemas.keys().filter(|name| name.ends_with("Page")).collect();
    assert!(!pages.is_empty());
    for page in pages {
        assert!(
            nullable(page, "next_cursor"),
            "{page}.next_cursor is null on the last page"
        );
    }
}
