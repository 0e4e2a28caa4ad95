//! The registry of municipalities: content, filters, pagination, bad input.

use std::collections::BTreeMap;

use poem::http::StatusCode;
use serde_json::Value;

use campaign_domain::boundaries::EMBEDDED_2025;

use crate::{Backend, TestApp, get, on_both_databases};

on_both_databases!(
    registry_matches_the_reference_set,
    filters_by_province_and_name,
    pages_never_skip_or_repeat,
    one_municipality_by_nis_code,
    bad_list_parameters_are_named,
);

/// Every page of `uri` (which has no cursor yet), followed through `next_cursor`.
async fn all_pages(app: &TestApp, uri: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = uri.to_owned();
    loop {
        let answer = get(app, &next).await;
        let body = answer.expect(StatusCode::OK);
        pages += 1;
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(cursor) => next = format!("{uri}&cursor={cursor}"),
            None => return (items, pages),
        }
        assert!(pages < 1000, "pagination does not end");
    }
}

async fn registry_matches_the_reference_set(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (items, _) = all_pages(&app, "/api/v1/municipalities?limit=500").await;
    assert_eq!(items.len(), 304, "285 Flemish and 19 Brussels municipalities");
    let flemish = items.iter().filter(|m| m["region"] == "Flanders").count();
    assert_eq!(flemish, 285);

    // The registry (seeded from REFNIS) against the properties of the embedded boundaries.
    let embedded: Value = serde_json::from_str(EMBEDDED_2025).unwrap();
    let expected: BTreeMap<String, (String, Option<String>, String, String)> = embedded["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let text = |k: &str| p[k].as_str().unwrap().to_owned();
            (
                text("nis_code"),
                (
                    text("name_nl"),
                    p["name_fr"].as_str().map(str::to_owned),
                    text("province"),
                    text("region"),
                ),
            )
        })
        .collect();
    assert_eq!(expected.len(), 304);
    let actual: BTreeMap<String, (String, Option<String>, String, String)> = items
        .iter()
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap().to_owned();
            (
                text("nis_code"),
                (
                    text("name_nl"),
                    m["name_fr"].as_str().map(str::to_owned),
                    text("province"),
                    text("region"),
                ),
            )
        })
        .collect();
    let differences: Vec<String> = expected
        .iter()
        .filter(|(k, v)| actual.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: reference {v:?}, ours {:?}", actual.get(k)))
        .chain(
            actual
                .keys()
                .filter(|k| !expected.contains_key(*k))
                .map(|k| format!("{k}: not in the reference set")),
        )
        .collect();
    assert!(
        differences.is_empty(),
        "the registry differs from the reference set:\n{}",
        differences.join("\n")
    );
}

async fn filters_by_province_and_name(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (limburg, _) = all_pages(&app, "/api/v1/municipalities?province=Limburg&limit=500").await;
    assert_eq!(limburg.len(), 38);
    assert!(limburg.iter().all(|m| m["province"] == "Limburg"));

    let (brussels, _) = all_pages(&app, "/api/v1/municipalities?province=Brussels-Capital%20Region").await;
    assert_eq!(brussels.len(), 19);
    assert!(
        brussels
            .iter()
            .all(|m| m["region"] == "Brussels" && m["name_fr"].is_string())
    );

    let names = |items: &[Value]| {
        items
            .iter()
            .map(|m| m["name_nl"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // Case-insensitive, anywhere in the Dutch or the French name.
    let (found, _) = all_pages(&app, "/api/v1/municipalities?q=GENT").await;
    assert!(names(&found).contains(&"Gent".to_owned()), "{:?}", names(&found));
    assert!(names(&found).iter().all(|n| n.to_lowercase().contains("gent")));
    let (found, _) = all_pages(&app, "/api/v1/municipalities?q=bruxelles").await;
    assert_eq!(names(&found), ["Brussel"]);
    let (found, _) = all_pages(&app, "/api/v1/municipalities?q=ixelles").await;
    assert_eq!(names(&found), ["Elsene"]);
    // Combined filters.
    let (found, _) = all_pages(&app, "/api/v1/municipalities?province=Limburg&q=hasselt").await;
    assert_eq!(names(&found), ["Hasselt"]);
    let (found, _) = all_pages(&app, "/api/v1/municipalities?province=Antwerpen&q=hasselt").await;
    assert!(found.is_empty());
    // LIKE wildcards are matched literally.
    for wildcard in ["%25", "_", "%5C"] {
        let (found, _) = all_pages(&app, &format!("/api/v1/municipalities?q={wildcard}")).await;
        assert!(found.is_empty(), "q={wildcard} matched {:?}", names(&found));
    }
}

async fn pages_never_skip_or_repeat(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (items, pages) = all_pages(&app, "/api/v1/municipalities?limit=100").await;
    assert_eq!(pages, 4);
    let codes: Vec<&str> = items.iter().map(|m| m["nis_code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "in NIS order, each once");
    assert_eq!(codes.len(), 304);

    let default_page = get(&app, "/api/v1/municipalities").await;
    assert_eq!(
        default_page.expect(StatusCode::OK)["items"].as_array().unwrap().len(),
        50
    );

    // A filtered list pages within the filter.
    let (limburg, pages) = all_pages(&app, "/api/v1/municipalities?province=Limburg&limit=10").await;
    assert_eq!((limburg.len(), pages), (38, 4));
}

async fn one_municipality_by_nis_code(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = get(&app, "/api/v1/municipalities/44021").await;
    let body = gent.expect(StatusCode::OK);
    assert_eq!(body["name_nl"], "Gent");
    assert_eq!(body["province"], "Oost-Vlaanderen");
    assert_eq!(body["region"], "Flanders");
    assert_eq!(body["name_fr"], Value::Null);
    assert_eq!(body["has_boundary"], false);

    let brussel = get(&app, "/api/v1/municipalities/21004").await;
    assert_eq!(brussel.expect(StatusCode::OK)["name_fr"], "Bruxelles");

    // Pre-2025 codes are gone: Hasselt got a new code when Kortessem joined it.
    let old = get(&app, "/api/v1/municipalities/71022").await;
    old.expect_problem(StatusCode::NOT_FOUND);
    let namur = get(&app, "/api/v1/municipalities/92094").await;
    assert!(
        namur.expect_problem(StatusCode::NOT_FOUND)["detail"]
            .as_str()
            .unwrap()
            .contains("92094")
    );

    for bad in ["gent", "4402", "440211", "44%2021"] {
        get(&app, &format!("/api/v1/municipalities/{bad}"))
            .await
            .expect_field_error("nis");
    }
}

async fn bad_list_parameters_are_named(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for (uri, field) in [
        ("/api/v1/municipalities?limit=0", "limit"),
        ("/api/v1/municipalities?limit=501", "limit"),
        ("/api/v1/municipalities?limit=ten", "limit"),
        ("/api/v1/municipalities?limit=99999999999999999999", "limit"),
        ("/api/v1/municipalities?cursor=not-a-cursor", "cursor"),
        ("/api/v1/municipalities?cursor=Z3JvdXBzOjE", "cursor"),
        ("/api/v1/municipalities?province=Namen", "province"),
        ("/api/v1/municipalities?q=", "q"),
    ] {
        let answer = get(&app, uri).await;
        let body = answer.expect_field_error(field);
        assert!(
            body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}: {body}"
        );
    }
    let long = "x".repeat(101);
    get(&app, &format!("/api/v1/municipalities?q={long}"))
        .await
        .expect_field_error("q");
}
