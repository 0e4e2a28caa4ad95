//! Cash deposits: a group deposits the cash of some days; the deposit stands matched, short or
//! over against the ledger (kept current until staff close it, then kept); a day is covered once;
//! every role against every deposit resource; the campaign's cash per group, municipality and
//! province, as JSON and CSV.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    a_group_deposits_its_cash_and_staff_close_it,
    every_role_against_every_deposit_resource,
    bad_deposits_are_named,
);

async fn campaign(app: &TestApp) {
    let body = json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 1_000_000 });
    post_as(app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
}

/// A donation of `cents` paid `method` at noon (Brussels) on `day`.
async fn donation(app: &TestApp, who: &Session, group: &str, cents: i64, method: &str, day: &str) {
    let body = json!({ "kind": "donation", "amount_cents": cents, "payment_method": method,
                       "occurred_at": format!("{day}T11:00:00Z") });
    post_as(app, who, &format!("/api/v1/groups/{group}/entries"), &body)
        .await
        .expect(StatusCode::CREATED);
}

fn deposit(cents: i64, from: &str, to: &str) -> Value {
    json!({ "amount_cents": cents, "deposited_on": "2026-11-20", "reference": "BE68 5390 0754 7034",
            "covers_from": from, "covers_to": to })
}

async fn record(app: &TestApp, who: &Session, group: &str, body: &Value) -> Answer {
    post_as(app, who, &format!("/api/v1/groups/{group}/deposits"), body).await
}

async fn a_group_deposits_its_cash_and_staff_close_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    donation(&app, &volunteer, &group, 2_000, "cash", "2026-11-10").await;
    donation(&app, &volunteer, &group, 3_000, "cash", "2026-11-11").await;
    donation(&app, &volunteer, &group, 1_000, "card", "2026-11-11").await;

    // Matched at once; a covered day cannot be covered again.
    let matched = record(&app, &volunteer, &group, &deposit(5_000, "2026-11-10", "2026-11-11")).await;
    let location = matched.header("location").unwrap().to_owned();
    let matched = matched.expect(StatusCode::CREATED).clone();
    assert_eq!(
        (matched["status"].as_str(), matched["expected_cents"].as_i64()),
        (Some("matched"), Some(5_000))
    );
    let twice = record(&app, &volunteer, &group, &deposit(1_000, "2026-11-11", "2026-11-12")).await;
    assert!(
        twice.expect_problem(StatusCode::CONFLICT)["detail"]
            .as_str()
            .unwrap()
            .contains("once")
    );

    // Over while nothing is logged for its days; matched once the cash is logged (kept current).
    let over = record(&app, &volunteer, &group, &deposit(1_000, "2026-11-12", "2026-11-12")).await;
    let over = over.expect(StatusCode::CREATED).clone();
    assert_eq!(
        (over["status"].as_str(), over["difference_cents"].as_i64()),
        (Some("over"), Some(1_000))
    );
    donation(&app, &volunteer, &group, 1_000, "cash", "2026-11-12").await;
    let now = get_as(
        &app,
        &volunteer,
        &format!("/api/v1/deposits/{}", over["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(now.expect(StatusCode::OK)["status"], "matched");

    // Staff close: a matched one without a reason; a short one only with a reason; then it stays.
    let closed = post_as(&app, &app.staff, &format!("{location}/close"), &json!({})).await;
    assert_eq!(closed.expect(StatusCode::OK)["status"], "closed");
    post_as(&app, &app.staff, &format!("{location}/close"), &json!({}))
        .await
        .expect_problem(StatusCode::CONFLICT);
    donation(&app, &volunteer, &group, 800, "cash", "2026-11-13").await;
    let short = record(&app, &volunteer, &group, &deposit(500, "2026-11-13", "2026-11-13")).await;
    let short = short.expect(StatusCode::CREATED).clone();
    assert_eq!(short["status"], "short");
    let short_uri = format!("/api/v1/deposits/{}", short["id"].as_str().unwrap());
    let refused = post_as(
        &app,
        &app.staff,
        &format!("{short_uri}/close"),
        &json!({ "reason": " " }),
    )
    .await;
    assert!(
        refused.expect_problem(StatusCode::CONFLICT)["detail"]
            .as_str()
            .unwrap()
            .contains("short by 300 cents"),
        "{}",
        refused.body
    );
    let closed = post_as(
        &app,
        &app.staff,
        &format!("{short_uri}/close"),
        &json!({ "reason": "Muntgeld verloren op de markt" }),
    )
    .await;
    let closed = closed.expect(StatusCode::OK).clone();
    assert_eq!(
        (closed["status"].as_str(), closed["close_reason"].as_str()),
        (Some("closed"), Some("Muntgeld verloren op de markt"))
    );
    assert_eq!(closed["closed_by"], app.staff.user_id.to_string());
    // Cash logged later for a closed deposit's day changes nothing of it.
    donation(&app, &volunteer, &group, 200, "cash", "2026-11-13").await;
    let kept = get(&app, &short_uri).await;
    assert_eq!(
        (
            kept.expect(StatusCode::OK)["expected_cents"].as_i64(),
            kept.body["status"].as_str()
        ),
        (Some(800), Some("closed"))
    );

    // The campaign's cash: logged 7,000 in cash, deposited 6,500.
    let cash = get(&app, "/api/v1/campaigns/2026/cash?by=group").await;
    let row = &cash.expect(StatusCode::OK)["items"][0];
    assert_eq!(
        (
            row["logged_cents"].as_i64(),
            row["deposited_cents"].as_i64(),
            row["outstanding_cents"].as_i64()
        ),
        (Some(7_000), Some(6_500), Some(500))
    );
    let by_province = get(&app, "/api/v1/campaigns/2026/cash?by=province").await;
    assert_eq!(by_province.expect(StatusCode::OK)["items"][0]["key"], "Oost-Vlaanderen");
    let csv = app
        .client
        .get("/api/v1/campaigns/2026/cash?by=municipality")
        .header("authorization", app.staff.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status_is_ok();
    let text = csv.0.into_body().into_string().await.unwrap();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "key,label,logged_cents,deposited_cents,outstanding_cents",
            "44021,Gent,7000,6500,500"
        ]
    );
    let audit = get(&app, "/api/v1/audit?entity=deposit").await;
    assert_eq!(
        audit.expect(StatusCode::OK)["items"].as_array().unwrap().len(),
        5,
        "3 recorded, 2 closed"
    );
}

async fn every_role_against_every_deposit_resource(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await; // Gent
    let group = group.to_string();
    let (_, other_volunteer) = app.new_volunteer().await;
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    donation(&app, &volunteer, &group, 2_000, "cash", "2026-11-10").await;

    // Recording: staff and the group's own volunteers; its municipality's contact may only look.
    for who in [&other_volunteer, &leuven, &organisation, &initiative] {
        record(&app, who, &group, &deposit(100, "2026-11-01", "2026-11-01"))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    record(&app, &gent, &group, &deposit(100, "2026-11-01", "2026-11-01"))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    record(&app, &app.staff, &group, &deposit(100, "2026-11-01", "2026-11-01"))
        .await
        .expect(StatusCode::CREATED);
    let own = record(&app, &volunteer, &group, &deposit(2_000, "2026-11-10", "2026-11-10")).await;
    let uri = format!(
        "/api/v1/deposits/{}",
        own.expect(StatusCode::CREATED)["id"].as_str().unwrap()
    );

    // Reading: staff, the group's volunteers, its municipality's contacts.
    for who in [&app.staff, &volunteer, &gent] {
        get_as(&app, who, &uri).await.expect(StatusCode::OK);
        let listed = get_as(&app, who, "/api/v1/deposits").await;
        assert_eq!(listed.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 2);
    }
    for who in [&other_volunteer, &leuven, &organisation, &initiative] {
        get_as(&app, who, &uri).await.expect_problem(StatusCode::NOT_FOUND);
        post_as(&app, who, &format!("{uri}/close"), &json!({}))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    for who in [&other_volunteer, &leuven] {
        let listed = get_as(&app, who, "/api/v1/deposits").await;
        assert!(listed.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());
    }
    for who in [&organisation, &initiative] {
        get_as(&app, who, "/api/v1/deposits")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    // Closing is staff's; the cash view too.
    for who in [&volunteer, &gent] {
        post_as(&app, who, &format!("{uri}/close"), &json!({}))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
        get_as(&app, who, "/api/v1/campaigns/2026/cash")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let filtered = get(&app, &format!("/api/v1/deposits?status=over&group_id={group}")).await;
    assert_eq!(filtered.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    get(&app, "/api/v1/campaigns/2031/cash")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}

async fn bad_deposits_are_named(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    let mut backwards = deposit(100, "2026-11-12", "2026-11-10");
    backwards["reference"] = json!(" ");
    let refused = record(&app, &volunteer, &group, &backwards).await;
    refused.expect_field_error("covers_to");
    refused.expect_field_error("reference");
    let mut future = deposit(100, "2026-11-10", "2026-11-12");
    future["deposited_on"] = json!("2099-01-01");
    record(&app, &volunteer, &group, &future)
        .await
        .expect_field_error("deposited_on");
    record(&app, &volunteer, &group, &deposit(0, "2026-11-10", "2026-11-12"))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    record(
        &app,
        &app.staff,
        &uuid::Uuid::new_v4().to_string(),
        &deposit(100, "2026-11-10", "2026-11-12"),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
}
