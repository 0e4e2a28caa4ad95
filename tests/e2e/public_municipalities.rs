//! `/public/municipalities`: finding a municipality by name without signing in, with a point
//! inside it for the public agenda.
use poem::http::StatusCode;

use crate::{Answer, Backend, TestApp, on_both_databases};

on_both_databases!(
    anyone_finds_a_municipality_and_a_point_inside_it,
    without_boundaries_the_centre_is_null,
    a_search_needs_two_letters
);

async fn public_get(app: &TestApp, uri: &str) -> Answer {
    Answer::read(app.client.get(uri).send().await).await
}

async fn anyone_finds_a_municipality_and_a_point_inside_it(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let found = public_get(&app, "/api/v1/public/municipalities?q=gent").await;
    let items = found.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let gent = items.iter().find(|m| m["nis_code"] == "44021").expect("Gent is found");
    assert_eq!(gent["name_nl"], "Gent");
    assert_eq!(gent["province"], "Oost-Vlaanderen");
    assert!(items.len() <= 20);
    // The centre lies in Gent: the lookup (signed in) puts it there.
    let (lon, lat) = (
        gent["centre"]["lon"].as_f64().unwrap(),
        gent["centre"]["lat"].as_f64().unwrap(),
    );
    let at = crate::get(&app, &format!("/api/v1/municipalities/lookup?lon={lon}&lat={lat}")).await;
    assert_eq!(at.expect(StatusCode::OK)["nis_code"], "44021");
    // French names are searched too.
    let brussels = public_get(&app, "/api/v1/public/municipalities?q=bruxelles").await;
    let items = brussels.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert!(items.iter().any(|m| m["nis_code"] == "21004"), "{items:?}");
    let nothing = public_get(&app, "/api/v1/public/municipalities?q=zzqq").await;
    assert_eq!(nothing.expect(StatusCode::OK)["items"], serde_json::json!([]));
}

async fn without_boundaries_the_centre_is_null(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let found = public_get(&app, "/api/v1/public/municipalities?q=Leuven").await;
    let items = found.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let leuven = items
        .iter()
        .find(|m| m["nis_code"] == "24062")
        .expect("Leuven is found");
    assert!(leuven["centre"].is_null(), "{leuven}");
}

async fn a_search_needs_two_letters(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    public_get(&app, "/api/v1/public/municipalities?q=g")
        .await
        .expect_field_error("q");
    public_get(&app, "/api/v1/public/municipalities?q=%20%20g%20")
        .await
        .expect_field_error("q");
    public_get(&app, "/api/v1/public/municipalities")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
}
