//! Campaigns and products: staff write, every role reads, each write is audited.

use campaign_domain::ids::UserId;
use campaign_domain::ledger::{EntryKind, PaymentMethod};
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use campaign_persistence::StoreError;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::ledger::{LedgerRepo, NewEntry};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    staff_run_campaigns_and_everyone_reads_them,
    campaign_input_is_checked,
    products_belong_to_a_campaign,
    writes_are_audited_with_actor_and_request_id,
    every_protected_operation_declares_bearer_auth,
    a_campaigns_days_keep_its_money,
    campaigns_with_overlapping_days_are_refused,
    concurrent_overlapping_campaigns_are_not_both_created,
);

fn campaign(year: i64) -> Value {
    json!({ "year": year, "starts_on": format!("{year}-10-15"), "ends_on": format!("{year}-11-30"), "target_cents": 250_000_000 })
}

async fn staff_run_campaigns_and_everyone_reads_them(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let created = post_as(&app, &staff, "/api/v1/campaigns", &campaign(2026)).await;
    assert_eq!(created.expect(StatusCode::CREATED)["target_cents"], 250_000_000);
    assert_eq!(created.header("location"), Some("/api/v1/campaigns/2026"));
    post_as(&app, &staff, "/api/v1/campaigns", &campaign(2025))
        .await
        .expect(StatusCode::CREATED);
    post_as(&app, &staff, "/api/v1/campaigns", &campaign(2026))
        .await
        .expect_problem(StatusCode::CONFLICT);

    let (_, volunteer) = app.new_volunteer().await;
    let contact = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("44021").unwrap(),
        })
        .await;
    for session in [&staff, &volunteer, &contact] {
        let list = get_as(&app, session, "/api/v1/campaigns").await;
        let years: Vec<i64> = list.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["year"].as_i64().unwrap())
            .collect();
        assert_eq!(years, [2026, 2025], "newest first");
        let one = get_as(&app, session, "/api/v1/campaigns/2026").await;
        assert_eq!(one.expect(StatusCode::OK)["ends_on"], "2026-11-30");
        get_as(&app, session, "/api/v1/campaigns/2031")
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    for session in [&volunteer, &contact] {
        post_as(&app, session, "/api/v1/campaigns", &campaign(2027))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
        patch_as(&app, session, "/api/v1/campaigns/2026", &json!({ "target_cents": 1 }))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    get(&app, "/api/v1/campaigns/2027")
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    let changed = patch_as(
        &app,
        &staff,
        "/api/v1/campaigns/2026",
        &json!({ "target_cents": 300_000_000 }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(
        (changed["target_cents"].as_i64(), changed["starts_on"].as_str()),
        (Some(300_000_000), Some("2026-10-15"))
    );
    patch_as(
        &app,
        &staff,
        "/api/v1/campaigns/2026",
        &json!({ "ends_on": "2026-10-01" }),
    )
    .await
    .expect_field_error("ends_on");
    patch_as(&app, &staff, "/api/v1/campaigns/2031", &json!({ "target_cents": 1 }))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let unchanged = get(&app, "/api/v1/campaigns/2026").await;
    assert_eq!(
        unchanged.expect(StatusCode::OK)["ends_on"],
        "2026-11-30",
        "a refused change changes nothing"
    );
}

async fn campaign_input_is_checked(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let with = |changes: Value| {
        let mut body = campaign(2026);
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (changes, field) in [
        (json!({ "ends_on": "2026-10-01" }), "ends_on"),
        (json!({ "ends_on": "2026-10-15" }), "ends_on"),
        (json!({ "target_cents": -1 }), "target_cents"),
        (json!({ "target_cents": 1e20 }), "target_cents"),
        (json!({ "target_cents": "lots" }), "target_cents"),
        (json!({ "year": 1999 }), "year"),
        (json!({ "year": 2027 }), "starts_on"),
        (json!({ "starts_on": "2026-02-30" }), "starts_on"),
        (json!({ "starts_on": "15/10/2026" }), "starts_on"),
    ] {
        let answer = post_as(&app, &staff, "/api/v1/campaigns", &with(changes.clone())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{changes}: {}", answer.body);
        answer.expect_field_error(field);
    }
    get(&app, "/api/v1/campaigns/abc")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/v1/campaigns/99999999999999999999")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/v1/campaigns/1999").await.expect_field_error("year");
    let answer = get(&app, "/api/v1/campaigns").await;
    assert!(answer.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());
}

async fn products_belong_to_a_campaign(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    post_as(&app, &staff, "/api/v1/campaigns", &campaign(2026))
        .await
        .expect(StatusCode::CREATED);
    let cards = json!({ "code": "cards-6", "name": "Wenskaarten (6 stuks)", "unit_price_cents": 1200 });
    let created = post_as(&app, &staff, "/api/v1/campaigns/2026/products", &cards).await;
    assert_eq!(created.expect(StatusCode::CREATED)["unit_price_cents"], 1200);
    post_as(
        &app,
        &staff,
        "/api/v1/campaigns/2026/products",
        &json!({ "code": "chocolate-bar", "name": "Chocolade", "unit_price_cents": 350 }),
    )
    .await
    .expect(StatusCode::CREATED);
    post_as(&app, &staff, "/api/v1/campaigns/2026/products", &cards)
        .await
        .expect_problem(StatusCode::CONFLICT);
    post_as(&app, &staff, "/api/v1/campaigns/2031/products", &cards)
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    for (body, field) in [
        (
            json!({ "code": "Cards 6", "name": "x", "unit_price_cents": 100 }),
            "code",
        ),
        (
            json!({ "code": "cards-6b", "name": "", "unit_price_cents": 100 }),
            "name",
        ),
        (
            json!({ "code": "cards-6b", "name": "x", "unit_price_cents": 0 }),
            "unit_price_cents",
        ),
        (
            json!({ "code": "cards-6b", "name": "x", "unit_price_cents": 100_000_000 }),
            "unit_price_cents",
        ),
        (
            json!({ "code": "cards-6b", "name": "x", "unit_price_cents": 1.5 }),
            "unit_price_cents",
        ),
    ] {
        let answer = post_as(&app, &staff, "/api/v1/campaigns/2026/products", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.body);
        answer.expect_field_error(field);
    }

    let (_, volunteer) = app.new_volunteer().await;
    let list = get_as(&app, &volunteer, "/api/v1/campaigns/2026/products").await;
    let codes: Vec<&str> = list.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["cards-6", "chocolate-bar"]);
    post_as(
        &app,
        &volunteer,
        "/api/v1/campaigns/2026/products",
        &json!({ "code": "free-stuff", "name": "x", "unit_price_cents": 1 }),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    get(&app, "/api/v1/campaigns/2031/products")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}

async fn writes_are_audited_with_actor_and_request_id(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let created = app
        .client
        .post("/api/v1/campaigns")
        .header("authorization", staff.bearer())
        .header("x-request-id", "dashboard-req-42")
        .body_json(&campaign(2026))
        .send()
        .await;
    Answer::read(created).await.expect(StatusCode::CREATED);
    // A refused write leaves no record.
    post_as(&app, &staff, "/api/v1/campaigns", &campaign(2026))
        .await
        .expect_problem(StatusCode::CONFLICT);

    let answer = get(&app, "/api/v1/audit?entity=campaign").await;
    let records = answer.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["action"], "campaign.create");
    assert_eq!(record["entity_id"], "2026");
    assert_eq!(record["actor_id"], staff.user_id.to_string());
    assert_eq!(record["request_id"], "dashboard-req-42");
    assert_eq!(record["detail"]["target_cents"], 250_000_000);

    // Filters: by actor, by time, and paging.
    let mine = get(&app, &format!("/api/v1/audit?actor={}", staff.user_id)).await;
    let mine = mine.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert!(mine.iter().all(|r| r["actor_id"] == staff.user_id.to_string()));
    assert!(mine.iter().any(|r| r["action"] == "auth.login"));
    let future = get(&app, "/api/v1/audit?from=2100-01-01T00:00:00Z").await;
    assert!(future.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());
    let page = get(&app, "/api/v1/audit?limit=1").await;
    let cursor = page.expect(StatusCode::OK)["next_cursor"].as_str().unwrap().to_owned();
    let next = get(&app, &format!("/api/v1/audit?limit=1&cursor={cursor}")).await;
    assert!(next.expect(StatusCode::OK)["items"][0]["id"].as_i64() < page.body["items"][0]["id"].as_i64());
    get(&app, "/api/v1/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
        .await
        .expect_field_error("to");
    get(&app, "/api/v1/audit?from=yesterday")
        .await
        .expect_field_error("from");
    get(&app, "/api/v1/audit?actor=me").await.expect_field_error("actor");
}

async fn every_protected_operation_declares_bearer_auth(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let spec = get(&app, "/api/v1/openapi.json").await.body;
    assert_eq!(spec["components"]["securitySchemes"]["BearerAuth"]["scheme"], "bearer");
    let public = [
        "login",
        "refresh_tokens",
        "logout",
        "list_public_activities",
        "get_thermometer",
        "search_public_municipalities",
        "get_municipality_outlines",
        "list_programmes",
        "get_programme",
        "list_programme_municipalities",
        "list_member_organisations",
        "get_member_organisation",
        "list_offer_themes",
        "list_offers",
        "get_offer",
    ];
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("BearerAuth").is_some()));
            assert_eq!(secured, !public.contains(&id), "{method} {path} ({id})");
            if secured {
                assert!(op["responses"]["401"].is_object(), "{id} documents 401");
            }
        }
    }
}

async fn a_campaigns_days_keep_its_money(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    post_as(&app, &staff, "/api/v1/campaigns", &campaign(2025))
        .await
        .expect(StatusCode::CREATED);
    let group = app.new_group("44021").await;
    // 23:30 UTC on 31 October is 00:30 on 1 November in Brussels (winter time).
    for at in ["2025-10-20T10:00:00Z", "2025-10-31T23:30:00Z"] {
        let donation = json!({ "kind": "donation", "amount_cents": 500, "payment_method": "cash", "occurred_at": at });
        post_as(&app, &staff, &format!("/api/v1/groups/{group}/entries"), &donation)
            .await
            .expect(StatusCode::CREATED);
    }
    let uri = "/api/v1/campaigns/2025";
    let late_start = patch_as(&app, &staff, uri, &json!({ "starts_on": "2025-10-21" })).await;
    let detail = late_start.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("2025-10-20 to 2025-11-01"), "{detail}");
    let early_end = patch_as(&app, &staff, uri, &json!({ "ends_on": "2025-10-31" })).await;
    early_end.expect_problem(StatusCode::CONFLICT);
    let unchanged = get(&app, uri).await;
    assert_eq!(unchanged.expect(StatusCode::OK)["starts_on"], "2025-10-15");
    let fits = patch_as(
        &app,
        &staff,
        uri,
        &json!({ "starts_on": "2025-10-20", "ends_on": "2025-11-01" }),
    )
    .await;
    assert_eq!(fits.expect(StatusCode::OK)["ends_on"], "2025-11-01");

    // An entry checked against the old dates before they changed is checked again when written.
    let checked_before = NewEntry {
        group,
        campaign_year: 2025,
        municipality: NisCode::parse("44021").unwrap(),
        kind: EntryKind::Donation,
        sale: None,
        amount_cents: 500,
        payment_method: PaymentMethod::Cash,
        occurred_at: "2025-11-10T10:00:00Z".parse().unwrap(),
        activity: None,
        note: None,
        client_id: None,
        created_by: UserId::from_uuid(staff.user_id),
    };
    let ledger = LedgerRepo::new(app.db.clone());
    let refused = ledger
        .create(checked_before, &AuditContext::default(), None, |_, _| {
            (201, String::new())
        })
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(why)) if why.contains("2025-11-10 is not a day")),
        "{:?}",
        refused.err()
    );
}

fn dated(year: i64, starts_on: &str, ends_on: &str) -> Value {
    json!({ "year": year, "starts_on": starts_on, "ends_on": ends_on, "target_cents": 0 })
}

async fn campaigns_with_overlapping_days_are_refused(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    post_as(
        &app,
        &staff,
        "/api/v1/campaigns",
        &dated(2026, "2026-10-15", "2027-01-15"),
    )
    .await
    .expect(StatusCode::CREATED);
    let overlapping = post_as(
        &app,
        &staff,
        "/api/v1/campaigns",
        &dated(2027, "2027-01-15", "2027-11-30"),
    )
    .await;
    let detail = overlapping.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("overlap the 2026 campaign (2026-10-15 to 2027-01-15)"),
        "{detail}"
    );
    get(&app, "/api/v1/campaigns/2027")
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    post_as(
        &app,
        &staff,
        "/api/v1/campaigns",
        &dated(2027, "2027-01-16", "2027-11-30"),
    )
    .await
    .expect(StatusCode::CREATED);
    // Changing dates is checked too, either way round.
    let earlier = patch_as(
        &app,
        &staff,
        "/api/v1/campaigns/2027",
        &json!({ "starts_on": "2027-01-10" }),
    )
    .await;
    let detail = earlier.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("the 2026 campaign"), "{detail}");
    let later = patch_as(
        &app,
        &staff,
        "/api/v1/campaigns/2026",
        &json!({ "ends_on": "2027-02-01" }),
    )
    .await;
    let detail = later.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("the 2027 campaign (2027-01-16 to 2027-11-30)"),
        "{detail}"
    );
    // A campaign keeps overlapping itself: changing only its target is fine.
    patch_as(&app, &staff, "/api/v1/campaigns/2026", &json!({ "target_cents": 5 }))
        .await
        .expect(StatusCode::OK);
    let unchanged = get(&app, "/api/v1/campaigns/2027").await;
    assert_eq!(unchanged.expect(StatusCode::OK)["starts_on"], "2027-01-16");
}

async fn concurrent_overlapping_campaigns_are_not_both_created(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    // Rounds of two overlapping creates sent together, and a create racing a change of dates
    // into it: each time exactly one may succeed.
    for round in 0..5 {
        let (a, b) = (2030 + 3 * round, 2031 + 3 * round);
        let first = dated(a, &format!("{a}-06-01"), &format!("{b}-03-01"));
        let second = dated(b, &format!("{b}-01-01"), &format!("{b}-12-01"));
        let (x, y) = futures_util::future::join(
            post_as(&app, &staff, "/api/v1/campaigns", &first),
            post_as(&app, &staff, "/api/v1/campaigns", &second),
        )
        .await;
        let mut statuses = [x.status, y.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "round {round}");
    }
    let listed = get(&app, "/api/v1/campaigns").await;
    let mut spans: Vec<(String, String)> = listed.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["starts_on"].as_str().unwrap().to_owned(),
                c["ends_on"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort();
    for pair in spans.windows(2) {
        assert!(pair[0].1 < pair[1].0, "no two campaigns overlap: {spans:?}");
    }

    post_as(
        &app,
        &staff,
        "/api/v1/campaigns",
        &dated(2050, "2050-06-01", "2050-12-31"),
    )
    .await
    .expect(StatusCode::CREATED);
    let (created, changed) = futures_util::future::join(
        post_as(
            &app,
            &staff,
            "/api/v1/campaigns",
            &dated(2051, "2051-01-01", "2051-06-30"),
        ),
        patch_as(
            &app,
            &staff,
            "/api/v1/campaigns/2050",
            &json!({ "ends_on": "2051-03-01" }),
        ),
    )
    .await;
    let mut statuses = [created.status, changed.status];
    statuses.sort();
    assert_eq!(statuses[1], StatusCode::CONFLICT, "one of the two is refused");
    assert!(statuses[0].is_success());
}
