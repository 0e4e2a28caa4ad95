//! Public municipal outlines for a map without a tile server.

use poem::http::StatusCode;
use serde_json::Value;

use crate::{Answer, Backend, TestApp, TestOptions, on_both_databases};
use campaign_tests::TEST_PEER_HEADER;

on_both_databases!(
    outlines_in_a_box_are_public_rounded_and_cacheable,
    outline_boxes_are_checked,
    outlines_without_boundaries_are_503,
    outlines_count_under_the_anonymous_read_limit,
);

async fn outlines(app: &TestApp, bbox: &str) -> Answer {
    Answer::read(
        app.client
            .get(format!("/api/v1/public/municipalities/outlines?bbox={bbox}"))
            .send()
            .await,
    )
    .await
}

fn numbers(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| numbers(i, out)),
        Value::Number(n) => out.push(n.as_f64().unwrap()),
        _ => {}
    }
}

async fn outlines_in_a_box_are_public_rounded_and_cacheable(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    // The centre of Gent, well inside the municipality.
    let answer = outlines(&app, "3.70,51.04,3.74,51.06").await;
    let body = answer.expect(StatusCode::OK);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/geo+json")
    );
    assert_eq!(answer.header("cache-control"), Some("public, max-age=3600"));
    assert_eq!(body["type"], "FeatureCollection");
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{body}");
    let gent = &features[0];
    assert_eq!(
        (gent["type"].as_str(), gent["id"].as_str()),
        (Some("Feature"), Some("44021"))
    );
    assert_eq!(
        gent["properties"],
        serde_json::json!({ "nis_code": "44021", "name_nl": "Gent" })
    );
    assert_eq!(gent["geometry"]["type"], "MultiPolygon");
    let mut coordinates = Vec::new();
    numbers(&gent["geometry"]["coordinates"], &mut coordinates);
    assert!(coordinates.len() > 100, "the whole boundary of Gent");
    for x in &coordinates {
        assert!(
            ((x * 1e5).round() / 1e5 - x).abs() < 1e-9,
            "{x} has more than 5 decimals"
        );
    }
    let lons = coordinates.iter().step_by(2);
    assert!(
        lons.clone().any(|lon| *lon < 3.6) && lons.clone().any(|lon| *lon > 3.8),
        "whole, beyond the box"
    );

    // A box on a border: both sides, in NIS-code order; the sea: nothing.
    let border = outlines(&app, "3.55,50.93,3.90,51.20").await;
    let codes: Vec<String> = border.expect(StatusCode::OK)["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["nis_code"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.len() > 3 && codes.contains(&"44021".to_owned()), "{codes:?}");
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
    let sea = outlines(&app, "2.00,51.45,2.30,51.60").await;
    assert_eq!(sea.expect(StatusCode::OK)["features"], serde_json::json!([]));
}

async fn outline_boxes_are_checked(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    for bbox in [
        "2.5,50.7,4.1,51.0",
        "3.0,50.0,3.5,51.6",
        "3.6,51.0,3.8",
        "3.8,51.0,3.6,51.1",
        "a,b,c,d",
        "3.6,51.0,3.8,51.1,4",
        "-200,51.0,3.8,51.1",
        "NaN,51.0,3.8,51.1",
    ] {
        let answer = outlines(&app, bbox).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bbox}: {}", answer.body);
        answer.expect_field_error("bbox");
    }
    let wide = outlines(&app, "2.5,50.7,4.1,51.0").await;
    assert!(wide.body["detail"].as_str().unwrap().contains("1.5"), "{}", wide.body);
    Answer::read(app.client.get("/api/v1/public/municipalities/outlines").send().await)
        .await
        .expect_field_error("bbox");
}

async fn outlines_without_boundaries_are_503(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let answer = outlines(&app, "3.70,51.04,3.74,51.06").await;
    let detail = answer.expect_problem(StatusCode::SERVICE_UNAVAILABLE)["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("import-boundaries"), "{detail}");
}

async fn outlines_count_under_the_anonymous_read_limit(backend: Backend) {
    let options = TestOptions {
        http: campaign_api::HttpSettings {
            read_rate_limit: 2,
            ..Default::default()
        },
        boundaries: true,
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = app
            .client
            .get("/api/v1/public/municipalities/outlines?bbox=3.70,51.04,3.74,51.06")
            .header(TEST_PEER_HEADER, "203.0.113.9")
            .send()
            .await;
        statuses.push(resp.0.status());
    }
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]
    );
}
