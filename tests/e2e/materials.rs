//! Materials and requests: catalogue and stock, the state machine with its stock effects,
//! roles, bad input, idempotency, and no oversell under concurrency.

use chrono::{Duration, Utc};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, post_as};
use sea_orm::ConnectionTrait;

on_both_databases!(
    staff_keep_the_catalogue_and_everyone_reads_it,
    a_request_goes_from_submitted_to_returned,
    approval_reserves_every_line_or_none,
    requests_stay_within_their_municipality,
    bad_requests_name_the_field,
    a_retried_request_is_submitted_once,
    fifty_approvals_compete_for_the_last_ten_flags,
    approvals_and_adjustments_never_oversell,
    a_retry_is_answered_before_its_request_is_checked_again,
);

fn tomorrow() -> String {
    (campaign_domain::ledger::local_date(Utc::now()) + Duration::days(1)).to_string()
}

fn request(lines: &[(&str, i64)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(c, q)| json!({ "material_code": c, "quantity": q }))
        .collect();
    json!({ "lines": lines, "needed_by": tomorrow(), "delivery_address": "Stadhuis, Botermarkt 1, 9000 Gent" })
}

async fn catalogue(app: &TestApp) {
    for (code, lent, stock) in [("flag", false, 10), ("expo-kit", true, 1), ("poster-pack", false, 100)] {
        let body = json!({ "code": code, "name": code, "lent": lent, "stock_on_hand": stock });
        post_as(app, &app.staff, "/api/v1/materials", &body)
            .await
            .expect(StatusCode::CREATED);
    }
}

async fn stock(app: &TestApp, code: &str) -> (i64, i64, i64) {
    let answer = get(app, "/api/v1/materials").await;
    let items = answer.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let m = items.iter().find(|m| m["code"] == code).unwrap();
    (
        m["stock_on_hand"].as_i64().unwrap(),
        m["reserved"].as_i64().unwrap(),
        m["available"].as_i64().unwrap(),
    )
}

async fn submit(app: &TestApp, session: &Session, nis: &str, body: &Value) -> Value {
    let answer = post_as(
        app,
        session,
        &format!("/api/v1/municipalities/{nis}/material-requests"),
        body,
    )
    .await;
    answer.expect(StatusCode::CREATED).clone()
}

async fn act(app: &TestApp, session: &Session, id: &Value, action: &str) -> Answer {
    let body = if action == "reject" {
        json!({ "reason": "not this year" })
    } else {
        json!({})
    };
    let request = app
        .client
        .post(format!("/api/v1/material-requests/{}/{action}", id.as_str().unwrap()))
        .header("authorization", session.bearer());
    let request = if action == "reject" {
        request.body_json(&body)
    } else {
        request
    };
    Answer::read(request.send().await).await
}

async fn staff_keep_the_catalogue_and_everyone_reads_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let (_, volunteer) = app.new_volunteer().await;
    let gent = app.new_contact("44021").await;
    for session in [&volunteer, &gent] {
        let answer = get_as(&app, session, "/api/v1/materials").await;
        let list = answer.expect(StatusCode::OK);
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            3,
            "{{items}} like every list: {list}"
        );
        post_as(
            &app,
            session,
            "/api/v1/materials",
            &json!({ "code": "mine", "name": "x", "lent": false, "stock_on_hand": 1 }),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN);
        post_as(
            &app,
            session,
            "/api/v1/materials/flag/stock-adjustments",
            &json!({ "delta": 100, "reason": "x" }),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    }
    assert_eq!(stock(&app, "flag").await, (10, 0, 10));
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials",
        &json!({ "code": "flag", "name": "x", "lent": false, "stock_on_hand": 1 }),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    for (body, field) in [
        (
            json!({ "code": "Flag!", "name": "x", "lent": false, "stock_on_hand": 1 }),
            "code",
        ),
        (
            json!({ "code": "banner", "name": "", "lent": false, "stock_on_hand": 1 }),
            "name",
        ),
        (
            json!({ "code": "banner", "name": "x", "lent": false, "stock_on_hand": -1 }),
            "stock_on_hand",
        ),
        (
            json!({ "code": "banner", "name": "x", "lent": "no", "stock_on_hand": 1 }),
            "lent",
        ),
    ] {
        post_as(&app, &app.staff, "/api/v1/materials", &body)
            .await
            .expect_field_error(field);
    }
    let adjust = |delta: i64, reason: &str| json!({ "delta": delta, "reason": reason });
    let answer = post_as(
        &app,
        &app.staff,
        "/api/v1/materials/flag/stock-adjustments",
        &adjust(5, "delivery from the printer"),
    )
    .await;
    assert_eq!(answer.expect(StatusCode::CREATED)["stock_on_hand"], 15);
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials/flag/stock-adjustments",
        &adjust(-16, "lost"),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials/flag/stock-adjustments",
        &adjust(-1, ""),
    )
    .await
    .expect_field_error("reason");
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials/flag/stock-adjustments",
        &adjust(0, "nothing"),
    )
    .await
    .expect_field_error("delta");
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials/nothing/stock-adjustments",
        &adjust(1, "x"),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    let audit = get(&app, "/api/v1/audit?entity=material").await;
    let adjusted = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "material.adjust" && r["detail"]["reason"] == "delivery from the printer");
    assert!(adjusted, "adjustments are audited with their reason");
}

async fn a_request_goes_from_submitted_to_returned(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let staff = app.staff.clone();
    let created = submit(&app, &gent, "44021", &request(&[("flag", 2), ("expo-kit", 1)])).await;
    assert_eq!(created["status"], "submitted");
    let id = created["id"].clone();
    act(&app, &gent, &id, "approve")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    act(&app, &staff, &id, "ship")
        .await
        .expect_problem(StatusCode::CONFLICT);
    assert_eq!(
        act(&app, &staff, &id, "approve").await.expect(StatusCode::OK)["status"],
        "approved"
    );
    assert_eq!(
        (stock(&app, "flag").await, stock(&app, "expo-kit").await),
        ((10, 2, 8), (1, 1, 0))
    );
    assert_eq!(
        act(&app, &staff, &id, "ship").await.expect(StatusCode::OK)["status"],
        "shipped"
    );
    assert_eq!(
        (stock(&app, "flag").await, stock(&app, "expo-kit").await),
        ((8, 0, 8), (0, 0, 0))
    );
    let late = act(&app, &gent, &id, "cancel").await;
    assert!(
        late.expect_problem(StatusCode::CONFLICT)["detail"]
            .as_str()
            .unwrap()
            .contains("is shipped")
    );
    assert_eq!(
        act(&app, &staff, &id, "deliver").await.expect(StatusCode::OK)["status"],
        "delivered"
    );
    assert_eq!(
        act(&app, &staff, &id, "return").await.expect(StatusCode::OK)["status"],
        "returned"
    );
    // The exhibition came back; the flags were given.
    assert_eq!(
        (stock(&app, "flag").await, stock(&app, "expo-kit").await),
        ((8, 0, 8), (1, 0, 1))
    );
    for action in ["approve", "reject", "ship", "deliver", "return", "cancel"] {
        let answer = act(&app, &staff, &id, action).await;
        assert!(
            answer.expect_problem(StatusCode::CONFLICT)["detail"]
                .as_str()
                .unwrap()
                .contains("is returned"),
            "{action}"
        );
    }

    // Given materials only: a delivered request has nothing to return.
    let posters = submit(&app, &gent, "44021", &request(&[("poster-pack", 5)])).await["id"].clone();
    for action in ["approve", "ship", "deliver"] {
        act(&app, &staff, &posters, action).await.expect(StatusCode::OK);
    }
    act(&app, &staff, &posters, "return")
        .await
        .expect_problem(StatusCode::CONFLICT);
    assert_eq!(stock(&app, "poster-pack").await, (95, 0, 95));

    // Cancelling an approved request releases its reservation; rejecting needs a reason.
    let cancelled = submit(&app, &gent, "44021", &request(&[("flag", 3)])).await["id"].clone();
    act(&app, &staff, &cancelled, "approve").await.expect(StatusCode::OK);
    assert_eq!(stock(&app, "flag").await, (8, 3, 5));
    assert_eq!(
        act(&app, &gent, &cancelled, "cancel").await.expect(StatusCode::OK)["status"],
        "cancelled"
    );
    assert_eq!(stock(&app, "flag").await, (8, 0, 8));
    let rejected = submit(&app, &gent, "44021", &request(&[("flag", 1)])).await["id"].clone();
    let no_reason = post_as(
        &app,
        &staff,
        &format!("/api/v1/material-requests/{}/reject", rejected.as_str().unwrap()),
        &json!({ "reason": "" }),
    )
    .await;
    no_reason.expect_field_error("reason");
    let answer = act(&app, &staff, &rejected, "reject").await;
    assert_eq!(
        (answer.body["status"].as_str(), answer.body["rejection_reason"].as_str()),
        (Some("rejected"), Some("not this year"))
    );
}

async fn approval_reserves_every_line_or_none(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let id = submit(
        &app,
        &gent,
        "44021",
        &request(&[("poster-pack", 1), ("flag", 20), ("expo-kit", 2)]),
    )
    .await["id"]
        .clone();
    let answer = act(&app, &app.staff, &id, "approve").await;
    let detail = answer.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("flag: 20 requested, 10 available") && detail.contains("expo-kit: 2 requested, 1 available"),
        "{detail}"
    );
    assert!(!detail.contains("poster-pack"), "{detail}");
    assert_eq!(stock(&app, "poster-pack").await, (100, 0, 100), "nothing was reserved");
    assert_eq!(
        get(&app, &format!("/api/v1/material-requests/{}", id.as_str().unwrap()))
            .await
            .expect(StatusCode::OK)["status"],
        "submitted"
    );
}

async fn requests_stay_within_their_municipality(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let (_, volunteer) = app.new_volunteer().await;
    let mut later = request(&[("flag", 1)]);
    later["needed_by"] = json!((campaign_domain::ledger::local_date(Utc::now()) + Duration::days(9)).to_string());
    let gent_later = submit(&app, &gent, "44021", &later).await;
    let gent_soon = submit(&app, &gent, "44021", &request(&[("poster-pack", 2)])).await;
    let by_staff = submit(&app, &app.staff, "24062", &request(&[("flag", 1)])).await;
    let uri = |r: &Value| format!("/api/v1/material-requests/{}", r["id"].as_str().unwrap());

    post_as(
        &app,
        &leuven,
        "/api/v1/municipalities/44021/material-requests",
        &request(&[("flag", 1)]),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &volunteer,
        "/api/v1/municipalities/44021/material-requests",
        &request(&[("flag", 1)]),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    get_as(&app, &leuven, &uri(&gent_soon))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get_as(&app, &volunteer, &uri(&gent_soon))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    // A member organisation's account has no business with material requests.
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    get_as(&app, &organisation, &uri(&gent_soon))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &organisation,
        "/api/v1/municipalities/44021/material-requests",
        &request(&[("flag", 1)]),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    act(&app, &organisation, &gent_soon["id"], "cancel")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get_as(&app, &gent, &uri(&gent_soon)).await.expect(StatusCode::OK);
    act(&app, &leuven, &gent_soon["id"], "cancel")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get_as(&app, &volunteer, "/api/v1/material-requests")
        .await
        .expect_problem(StatusCode::FORBIDDEN);

    let ids = |a: &Answer| {
        a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect::<Vec<_>>()
    };
    let queue = get(&app, "/api/v1/material-requests?status=submitted").await;
    queue.expect(StatusCode::OK);
    assert_eq!(ids(&queue).len(), 3);
    assert_eq!(
        ids(&queue)[2],
        gent_later["id"],
        "oldest needed-by first, the later one last"
    );
    let mine = get_as(&app, &gent, "/api/v1/material-requests").await;
    assert_eq!(ids(&mine), [gent_soon["id"].clone(), gent_later["id"].clone()]);
    let theirs = get_as(&app, &gent, "/api/v1/material-requests?municipality_nis=24062").await;
    assert!(ids(&theirs).is_empty(), "a filter never widens the scope");
    let leuven_queue = get(&app, "/api/v1/material-requests?municipality_nis=24062").await;
    assert_eq!(ids(&leuven_queue), [by_staff["id"].clone()]);
    let page = get(&app, "/api/v1/material-requests?limit=2").await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = get(&app, &format!("/api/v1/material-requests?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&rest), [gent_later["id"].clone()]);
}

async fn bad_requests_name_the_field(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let post = |body: Value| {
        let (app, gent) = (&app, gent.clone());
        async move { post_as(app, &gent, "/api/v1/municipalities/44021/material-requests", &body).await }
    };
    let many: Vec<(String, i64)> = (0..21).map(|i| (format!("m{i}"), 1)).collect();
    let many: Vec<(&str, i64)> = many.iter().map(|(c, q)| (c.as_str(), *q)).collect();
    for (body, field) in [
        (request(&[]), "lines"),
        (request(&many), "lines"),
        (request(&[("flag", 1), ("flag", 2)]), "lines[1].material_code"),
        (request(&[("flag", 0)]), "lines[0].quantity"),
        (request(&[("flag", 1001)]), "lines[0].quantity"),
        (
            {
                let mut b = request(&[("flag", 1)]);
                b["needed_by"] = json!(campaign_domain::ledger::local_date(Utc::now()).to_string());
                b
            },
            "needed_by",
        ),
        (
            {
                let mut b = request(&[("flag", 1)]);
                b["needed_by"] = json!("next week");
                b
            },
            "needed_by",
        ),
        (
            {
                let mut b = request(&[("flag", 1)]);
                b["delivery_address"] = json!(" ");
                b
            },
            "delivery_address",
        ),
    ] {
        let answer = post(body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.body);
        answer.expect_field_error(field);
    }
    let unknown = post(request(&[("flag", 1), ("t-shirt", 3)])).await;
    assert!(
        unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("t-shirt")
    );
    post_as(
        &app,
        &app.staff,
        "/api/v1/municipalities/99999/material-requests",
        &request(&[("flag", 1)]),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &app.staff,
        "/api/v1/municipalities/gent/material-requests",
        &request(&[("flag", 1)]),
    )
    .await
    .expect_field_error("nis");
    get(&app, "/api/v1/material-requests?status=lost")
        .await
        .expect_field_error("status");
    let queue = get(&app, "/api/v1/material-requests").await;
    assert!(
        queue.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty(),
        "nothing was created"
    );
}

async fn a_retried_request_is_submitted_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let send = |body: Value| {
        let (client, bearer) = (&app.client, gent.bearer());
        async move {
            Answer::read(
                client
                    .post("/api/v1/municipalities/44021/material-requests")
                    .header("authorization", bearer)
                    .header("idempotency-key", "gent-flags-2026")
                    .body_json(&body)
                    .send()
                    .await,
            )
            .await
        }
    };
    let body = request(&[("flag", 2)]);
    let first = send(body.clone()).await;
    let again = send(body.clone()).await;
    assert_eq!(
        first.expect(StatusCode::CREATED)["id"],
        again.expect(StatusCode::CREATED)["id"]
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    send(request(&[("flag", 3)]))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let queue = get(&app, "/api/v1/material-requests").await;
    assert_eq!(queue.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
}

async fn fifty_approvals_compete_for_the_last_ten_flags(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(submit(&app, &gent, "44021", &request(&[("flag", 1)])).await["id"].clone());
    }
    let answers = futures_util::future::join_all(ids.iter().map(|id| act(&app, &app.staff, id, "approve"))).await;
    let approved = answers.iter().filter(|a| a.status == StatusCode::OK).count();
    let refused = answers.iter().filter(|a| a.status == StatusCode::CONFLICT).count();
    assert_eq!(
        (approved, refused),
        (10, 40),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert_eq!(stock(&app, "flag").await, (10, 10, 0));
}

async fn approvals_and_adjustments_never_oversell(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(submit(&app, &gent, "44021", &request(&[("flag", 1)])).await["id"].clone());
    }
    let approvals = futures_util::future::join_all(ids.iter().map(|id| act(&app, &app.staff, id, "approve")));
    let removal = json!({ "delta": -1, "reason": "damaged" });
    let removals = futures_util::future::join_all(
        (0..10).map(|_| post_as(&app, &app.staff, "/api/v1/materials/flag/stock-adjustments", &removal)),
    );
    let (approvals, removals) = futures_util::future::join(approvals, removals).await;
    let approved = approvals.iter().filter(|a| a.status == StatusCode::OK).count() as i64;
    let removed = removals.iter().filter(|a| a.status == StatusCode::CREATED).count() as i64;
    assert!(
        approvals
            .iter()
            .chain(removals.iter())
            .all(|a| matches!(a.status, StatusCode::OK | StatusCode::CREATED | StatusCode::CONFLICT))
    );
    let (on_hand, reserved, available) = stock(&app, "flag").await;
    assert_eq!(on_hand, 10 - removed);
    assert_eq!(reserved, approved);
    assert!(
        reserved <= on_hand && available >= 0,
        "stock {on_hand}, reserved {reserved}"
    );
    assert_eq!(approved + removed, 10, "every flag went to exactly one of them");
}

async fn a_retry_is_answered_before_its_request_is_checked_again(backend: Backend) {
    use poem_openapi::types::{ParseFromJSON, ToJSON};
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    catalogue(&app).await;
    let gent = app.new_contact("44021").await;
    let uri = "/api/v1/municipalities/44021/material-requests";
    let send = |body: Value, key: &'static [u8]| {
        let (client, bearer) = (&app.client, gent.bearer());
        async move {
            Answer::read(
                client
                    .post(uri)
                    .header("authorization", bearer)
                    .header("idempotency-key", poem::http::HeaderValue::from_bytes(key).unwrap())
                    .body_json(&body)
                    .send()
                    .await,
            )
            .await
        }
    };
    let sent = send(request(&[("flag", 2)]), b"gent-late").await;
    let first = sent.expect(StatusCode::CREATED).clone();

    // The phone sent it late in the evening with tomorrow as needed_by and retries after
    // midnight, when that day is today: the request stored under the key is the answer. (The
    // stored key is made to stand for that body, as the evening's request would have.)
    let mut late = request(&[("flag", 2)]);
    late["needed_by"] = json!(campaign_domain::ledger::local_date(Utc::now()).to_string());
    let parsed = campaign_api::routes::materials::MaterialRequestIn::parse_from_json(Some(late.clone())).unwrap();
    // Fingerprints take the path inside /api/v1, as the operation sees it.
    let fingerprint = campaign_api::routes::idempotency::fingerprint(
        "POST",
        "/municipalities/44021/material-requests",
        &parsed.to_json().map(|v| v.to_string()).unwrap_or_default(),
    );
    app.db
        .execute_unprepared(&format!(
            "UPDATE idempotency_key SET fingerprint = '{fingerprint}' WHERE key = 'gent-late'"
        ))
        .await
        .unwrap();
    post_as(&app, &gent, uri, &late).await.expect_field_error("needed_by");
    let retry = send(late, b"gent-late").await;
    assert_eq!(retry.expect(StatusCode::CREATED), &first);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));

    // A key with other bytes than visible ASCII is refused, never ignored.
    send(request(&[("flag", 1)]), "clé-42".as_bytes())
        .await
        .expect_field_error("Idempotency-Key");
    let queue = get(&app, "/api/v1/material-requests").await;
    assert_eq!(queue.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
}
