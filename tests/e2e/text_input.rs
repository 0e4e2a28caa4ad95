//! Control characters in text: refused with a 400 naming the field, the same on SQLite (which
//! would store a NUL) and PostgreSQL (which would fail on it), and nothing is stored.

use chrono::{Duration, Utc};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(control_characters_are_refused_in_every_text);

async fn control_characters_are_refused_in_every_text(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let year = campaign_domain::ledger::local_date(Utc::now()).format("%Y").to_string();
    let campaign = json!({ "year": year.parse::<i64>().unwrap(), "starts_on": format!("{year}-01-01"),
                           "ends_on": format!("{year}-12-31"), "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &campaign)
        .await
        .expect(StatusCode::CREATED);
    let product = json!({ "code": "cards-6", "name": "Cards", "unit_price_cents": 1200 });
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/campaigns/{year}/products"),
        &product,
    )
    .await
    .expect(StatusCode::CREATED);
    let (group, volunteer) = app.new_volunteer().await;
    let entries = format!("/api/v1/groups/{group}/entries");
    let sale = |note: &str| {
        json!({ "kind": "sale", "product_code": "cards-6", "quantity": 1, "payment_method": "cash",
                "occurred_at": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "note": note })
    };

    // A NUL, an escape and a C1 control in a note; each named, nothing stored.
    for note in ["cash\u{0}box", "\u{1b}[31mred", "next\u{85}line"] {
        post_as(&app, &volunteer, &entries, &sale(note))
            .await
            .expect_field_error("note");
    }
    let batch = json!({ "entries": [
        { "client_id": "a", "kind": "donation", "amount_cents": 500, "payment_method": "cash",
          "occurred_at": (Utc::now() - Duration::minutes(1)).to_rfc3339() },
        { "client_id": "b", "kind": "donation", "amount_cents": 500, "payment_method": "cash",
          "occurred_at": (Utc::now() - Duration::minutes(1)).to_rfc3339(), "note": "bell\u{7}" },
    ]});
    post_as(&app, &volunteer, &format!("{entries}/batch"), &batch)
        .await
        .expect_field_error("entries[1].note");
    let stored = get_as(&app, &volunteer, &entries).await;
    assert_eq!(stored.expect(StatusCode::OK)["items"], json!([]), "nothing was stored");

    // Line breaks and tabs are text: a multi-line note is kept as written.
    let note = "two lines:\n\tcash box\r\nsecond";
    let created = post_as(&app, &volunteer, &entries, &sale(note)).await;
    assert_eq!(created.expect(StatusCode::CREATED)["note"], note);

    // Activities, groups, materials, material requests, search.
    let activity = |title: &str, description: &str| {
        json!({ "kind": "quiz", "title": title, "description": description, "public": true,
                "starts_at": format!("{year}-11-07T19:00:00+01:00"), "ends_at": format!("{year}-11-07T23:00:00+01:00") })
    };
    let activities = format!("/api/v1/groups/{group}/activities");
    post_as(&app, &volunteer, &activities, &activity("Quiz", "a\u{0}b"))
        .await
        .expect_field_error("description");
    post_as(&app, &volunteer, &activities, &activity("Quiz\u{0}", "fine"))
        .await
        .expect_field_error("title");
    post_as(
        &app,
        &app.staff,
        "/api/v1/groups",
        &json!({ "name": "Comité\u{0}", "municipality_nis": "44021" }),
    )
    .await
    .expect_field_error("name");
    let material = json!({ "code": "flag", "name": "Flag", "lent": false, "stock_on_hand": 10 });
    post_as(&app, &app.staff, "/api/v1/materials", &material)
        .await
        .expect(StatusCode::CREATED);
    let adjustment = json!({ "delta": 1, "reason": "counted" });
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials/flag%00/stock-adjustments",
        &adjustment,
    )
    .await
    .expect_field_error("path");
    let request: Value = json!({ "lines": [{ "material_code": "flag", "quantity": 1 }],
        "needed_by": (Utc::now() + Duration::days(7)).format("%Y-%m-%d").to_string(),
        "delivery_address": "Stadhuis\u{0}, Botermarkt 1" });
    post_as(
        &app,
        &app.staff,
        "/api/v1/municipalities/44021/material-requests",
        &request,
    )
    .await
    .expect_field_error("delivery_address");
    get(&app, "/api/v1/municipalities?q=gent%00")
        .await
        .expect_field_error("q");
    let requests = get(&app, "/api/v1/material-requests").await;
    assert_eq!(
        requests.expect(StatusCode::OK)["items"],
        json!([]),
        "nothing was stored"
    );
    let listed = get(&app, &format!("/api/v1/activities?group_id={group}")).await;
    assert_eq!(listed.expect(StatusCode::OK)["items"], json!([]), "nothing was stored");
}
