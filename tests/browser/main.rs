//! Journeys through the web pages in headless Chromium, on SQLite and on PostgreSQL. Each ends
//! with a screenshot in `target/browser-artefacts/` and an axe-core check of the page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod contact;
mod deposits;
mod fund;
mod imports;
mod offers;
mod programmes;
mod public;
mod questions;
mod staff;
mod volunteer;
mod webhooks;

use campaign_tests::browser::Browser;
use campaign_tests::site::Site;
use campaign_tests::{Session, TEST_PASSWORD, TestApp};
use serde_json::{Value, json};

pub use campaign_tests::{Backend, on_both_databases};

/// Signs in through the sign-in page and waits for the role's page.
pub async fn sign_in(browser: &Browser, site: &Site, session: &Session, lands_on: &str) {
    browser.goto(&site.url("/login")).await;
    browser.type_into("#email", &session.email).await;
    browser.type_into("#password", TEST_PASSWORD).await;
    browser.click("#login-submit").await;
    browser
        .wait_until(
            &format!("the page {lands_on} after signing in"),
            &format!("return location.pathname === '{lands_on}' && document.querySelector('main h1') !== null;"),
        )
        .await;
}

/// A public activity of `group` in Gent, tomorrow evening (Brussels), with a place.
pub async fn activity_in_gent(app: &TestApp, session: &Session, group: &str, title: &str) -> String {
    let starts = chrono::Utc::now() + chrono::Duration::hours(26);
    let (status, body) = call(
        app,
        session,
        "POST",
        &format!("/api/v1/groups/{group}/activities"),
        Some(json!({
            "kind": "quiz", "title": title, "public": true,
            "starts_at": starts, "ends_at": starts + chrono::Duration::hours(3),
            "location": { "lon": 3.7250, "lat": 51.0535, "address": "Korenmarkt, Gent" }
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Logs a sale through the API as `session` (what another volunteer's phone does).
pub async fn sale_through_api(app: &TestApp, session: &Session, group: &str, quantity: i64) -> Value {
    let (status, body) = call(
        app,
        session,
        "POST",
        &format!("/api/v1/groups/{group}/entries"),
        Some(json!({
            "kind": "sale", "product_code": "cards", "quantity": quantity,
            "payment_method": "cash", "occurred_at": chrono::Utc::now() - chrono::Duration::minutes(1)
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Calls the API in-process as `session`, answering status and body.
pub async fn call(app: &TestApp, session: &Session, method: &str, uri: &str, body: Option<Value>) -> (u16, Value) {
    let method: poem::http::Method = method.parse().unwrap();
    let mut request = app
        .client
        .request(method, uri)
        .header("authorization", session.bearer());
    if let Some(body) = body {
        request = request.body_json(&body);
    }
    let resp = request.send().await;
    let status = resp.0.status().as_u16();
    let body = resp.0.into_body().into_json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A campaign running today (Brussels), with the two products of every year and a target.
pub async fn campaign_of_today(app: &TestApp) -> i32 {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Brussels)
        .date_naive();
    let year = chrono::Datelike::year(&today);
    let new_year = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let starts = (today - chrono::Duration::days(20)).max(new_year);
    let ends = today + chrono::Duration::days(5);
    let (status, body) = call(
        app,
        &app.staff,
        "POST",
        "/api/v1/campaigns",
        Some(json!({ "year": year, "starts_on": starts, "ends_on": ends, "target_cents": 1_000_000 })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for (code, name, price) in [("cards", "Wenskaarten", 1200), ("chocolate", "Chocolade", 500)] {
        let (status, body) = call(
            app,
            &app.staff,
            "POST",
            &format!("/api/v1/campaigns/{year}/products"),
            Some(json!({ "code": code, "name": name, "unit_price_cents": price })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    year
}
