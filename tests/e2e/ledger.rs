//! The money ledger: pricing, rules, scoping, corrections, idempotency, batches, and a property
//! test of the whole against a simple model.

use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use campaign_persistence::ledger::LedgerRepo;
use chrono::{Duration, Utc};
use poem::http::StatusCode;
use proptest::prelude::*;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    entries_are_priced_by_the_server_and_checked,
    only_the_group_and_staff_touch_its_money,
    a_correction_reverses_an_entry_once,
    the_ledger_is_append_only_in_the_database,
    a_retried_request_is_applied_once,
    twenty_concurrent_retries_make_one_entry,
    offline_batches_count_each_client_id_once,
    concurrent_batches_never_count_twice,
    the_ledger_sum_follows_a_simple_model,
    a_retry_is_answered_before_the_entry_is_checked_again,
    keys_that_are_not_visible_ascii_are_refused,
    single_entries_and_batches_share_client_ids,
    a_database_failure_while_checking_is_a_5xx_without_its_text,
    a_deactivated_group_cannot_log_or_correct_money,
    wrong_json_types_name_the_field_and_what_it_expects,
    a_groups_entries_page_oldest_or_newest_first,
    entries_racing_a_change_of_dates_never_fall_outside_them,
);

/// A campaign covering today (Belgian calendar) with two products.
async fn campaign(app: &TestApp) {
    let year = campaign_domain::ledger::local_date(Utc::now()).format("%Y").to_string();
    let body = json!({ "year": year.parse::<i64>().unwrap(), "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"), "target_cents": 0 });
    post_as(app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    for (code, price) in [("cards-6", 1200), ("chocolate-bar", 350)] {
        let uri = format!("/api/v1/campaigns/{year}/products");
        post_as(
            app,
            &app.staff,
            &uri,
            &json!({ "code": code, "name": code, "unit_price_cents": price }),
        )
        .await
        .expect(StatusCode::CREATED);
    }
}

fn now_minus(minutes: i64) -> String {
    (Utc::now() - Duration::minutes(minutes)).to_rfc3339()
}

fn sale(quantity: i64) -> Value {
    json!({ "kind": "sale", "product_code": "cards-6", "quantity": quantity, "payment_method": "cash", "occurred_at": now_minus(1) })
}

fn donation(cents: i64) -> Value {
    json!({ "kind": "donation", "amount_cents": cents, "payment_method": "payconiq", "occurred_at": now_minus(1) })
}

async fn entry(
    app: &TestApp,
    session: &Session,
    group: impl std::fmt::Display,
    body: &Value,
    key: Option<&str>,
) -> Answer {
    let mut request = app
        .client
        .post(format!("/api/v1/groups/{group}/entries"))
        .header("authorization", session.bearer())
        .body_json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    Answer::read(request.send().await).await
}

async fn sum(app: &TestApp) -> (i64, i64) {
    LedgerRepo::new(app.db.clone()).sum(None).await.unwrap()
}

async fn entries_are_priced_by_the_server_and_checked(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let created = entry(&app, &volunteer, group, &sale(3), None).await;
    let body = created.expect(StatusCode::CREATED);
    assert_eq!(
        (
            body["amount_cents"].as_i64(),
            body["unit_price_cents"].as_i64(),
            body["quantity"].as_i64()
        ),
        (Some(3600), Some(1200), Some(3))
    );
    assert_eq!(body["municipality_nis"], "44021");
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/entries/{}", body["id"].as_str().unwrap())
    );
    let chocolate = json!({ "kind": "sale", "product_code": "chocolate-bar", "quantity": 2, "payment_method": "card", "occurred_at": now_minus(1) });
    assert_eq!(
        entry(&app, &volunteer, group, &chocolate, None)
            .await
            .expect(StatusCode::CREATED)["amount_cents"],
        700
    );
    assert_eq!(
        entry(&app, &volunteer, group, &donation(2500), None)
            .await
            .expect(StatusCode::CREATED)["amount_cents"],
        2500
    );
    assert_eq!(sum(&app).await, (3, 6800));

    let other_group = app.new_group("24062").await;
    let foreign_activity = post_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{other_group}/activities"),
        &json!({
        "kind": "quiz", "title": "Quiz", "starts_at": now_minus(60), "ends_at": now_minus(30), "public": true }),
    )
    .await;
    let foreign_activity = foreign_activity.expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let with = |base: Value, field: &str, value: Value| {
        let mut body = base;
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        body
    };
    let year = campaign_domain::ledger::local_date(Utc::now()).format("%Y").to_string();
    for (body, status, field) in [
        (
            with(sale(3), "amount_cents", json!(1)),
            StatusCode::BAD_REQUEST,
            "amount_cents",
        ),
        (
            with(sale(3), "quantity", Value::Null),
            StatusCode::BAD_REQUEST,
            "quantity",
        ),
        (with(sale(0), "x", Value::Null), StatusCode::BAD_REQUEST, "quantity"),
        (with(sale(1001), "x", Value::Null), StatusCode::BAD_REQUEST, "quantity"),
        (
            with(sale(3), "quantity", json!(1.5)),
            StatusCode::BAD_REQUEST,
            "quantity",
        ),
        (
            with(sale(3), "product_code", json!("t-shirt")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "product_code",
        ),
        (
            with(donation(0), "x", Value::Null),
            StatusCode::BAD_REQUEST,
            "amount_cents",
        ),
        (
            with(donation(-500), "x", Value::Null),
            StatusCode::BAD_REQUEST,
            "amount_cents",
        ),
        (
            with(donation(i64::MAX), "x", Value::Null),
            StatusCode::BAD_REQUEST,
            "amount_cents",
        ),
        (
            with(donation(100), "amount_cents", json!("100")),
            StatusCode::BAD_REQUEST,
            "amount_cents",
        ),
        (
            with(donation(100), "product_code", json!("cards-6")),
            StatusCode::BAD_REQUEST,
            "product_code",
        ),
        (
            with(
                donation(100),
                "occurred_at",
                json!((Utc::now() + Duration::hours(1)).to_rfc3339()),
            ),
            StatusCode::BAD_REQUEST,
            "occurred_at",
        ),
        (
            with(donation(100), "occurred_at", json!("2019-11-11T12:00:00Z")),
            StatusCode::BAD_REQUEST,
            "occurred_at",
        ),
        (
            with(donation(100), "occurred_at", json!("yesterday")),
            StatusCode::BAD_REQUEST,
            "occurred_at",
        ),
        (
            with(donation(100), "payment_method", json!("bitcoin")),
            StatusCode::BAD_REQUEST,
            "payment_method",
        ),
        (
            with(donation(100), "kind", json!("correction")),
            StatusCode::BAD_REQUEST,
            "kind",
        ),
        (
            with(donation(100), "note", json!("n".repeat(501))),
            StatusCode::BAD_REQUEST,
            "note",
        ),
        (
            with(donation(100), "activity_id", json!(foreign_activity)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "activity_id",
        ),
        (
            with(donation(100), "campaign_year", json!(year)),
            StatusCode::BAD_REQUEST,
            "campaign_year",
        ),
    ] {
        let answer = entry(&app, &volunteer, group, &body, None).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        if status == StatusCode::BAD_REQUEST {
            answer.expect_field_error(field);
        } else {
            assert!(
                answer.expect_problem(status)["detail"]
                    .as_str()
                    .unwrap()
                    .contains(field),
                "{}",
                answer.body
            );
        }
    }
    assert_eq!(sum(&app).await, (3, 6800), "no refused entry changed the ledger");
}

async fn only_the_group_and_staff_touch_its_money(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group_a, volunteer_a) = app.new_volunteer().await;
    let (group_b, volunteer_b) = app.new_volunteer().await;
    let gent = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("44021").unwrap(),
        })
        .await;
    let leuven = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("24062").unwrap(),
        })
        .await;
    entry(&app, &volunteer_a, group_a, &donation(100), None)
        .await
        .expect(StatusCode::CREATED);
    entry(&app, &app.staff, group_a, &donation(200), None)
        .await
        .expect(StatusCode::CREATED);
    entry(&app, &volunteer_b, group_a, &donation(300), None)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    entry(&app, &gent, group_a, &donation(300), None)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    entry(&app, &leuven, group_a, &donation(300), None)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let batch = json!({ "entries": [with_client(donation(300), "c1")] });
    post_as(
        &app,
        &volunteer_b,
        &format!("/api/v1/groups/{group_a}/entries/batch"),
        &batch,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);

    let uri = format!("/api/v1/groups/{group_a}/entries");
    for (session, status) in [
        (&volunteer_a, StatusCode::OK),
        (&app.staff, StatusCode::OK),
        (&gent, StatusCode::OK),
        (&volunteer_b, StatusCode::NOT_FOUND),
        (&leuven, StatusCode::NOT_FOUND),
    ] {
        let answer = get_as(&app, session, &uri).await;
        assert_eq!(answer.status, status, "{}", answer.body);
        if status == StatusCode::OK {
            assert_eq!(answer.body["items"].as_array().unwrap().len(), 2);
        }
    }
    let answer = get_as(&app, &volunteer_b, &format!("/api/v1/groups/{group_b}/entries")).await;
    assert!(answer.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());
    let answer = get_as(&app, &volunteer_a, &format!("{uri}?kind=donation&limit=1")).await;
    let cursor = answer.expect(StatusCode::OK)["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = get_as(
        &app,
        &volunteer_a,
        &format!("{uri}?kind=donation&limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(next.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    assert_eq!(sum(&app).await, (2, 300));
}

async fn a_correction_reverses_an_entry_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let (_, stranger) = app.new_volunteer().await;
    let original = entry(&app, &volunteer, group, &sale(2), None)
        .await
        .expect(StatusCode::CREATED)
        .clone();
    let uri = format!("/api/v1/entries/{}/corrections", original["id"].as_str().unwrap());
    post_as(&app, &stranger, &uri, &json!({ "reason": "not mine" }))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(&app, &volunteer, &uri, &json!({ "reason": " " }))
        .await
        .expect_field_error("reason");
    let correction = post_as(&app, &volunteer, &uri, &json!({ "reason": "typed 2 instead of 1" })).await;
    let correction = correction.expect(StatusCode::CREATED).clone();
    assert_eq!(
        (correction["kind"].as_str(), correction["amount_cents"].as_i64()),
        (Some("correction"), Some(-2400))
    );
    assert_eq!(correction["corrects_id"], original["id"]);
    assert_eq!(
        correction["occurred_at"], original["occurred_at"],
        "on the day of the original"
    );
    assert_eq!(sum(&app).await, (2, 0));

    let again = post_as(&app, &volunteer, &uri, &json!({ "reason": "again" })).await;
    assert!(
        again.expect_problem(StatusCode::CONFLICT)["detail"]
            .as_str()
            .unwrap()
            .contains("corrected already")
    );
    let of_correction = format!("/api/v1/entries/{}/corrections", correction["id"].as_str().unwrap());
    post_as(&app, &volunteer, &of_correction, &json!({ "reason": "undo the undo" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/entries/{}/corrections", uuid::Uuid::new_v4()),
        &json!({ "reason": "x" }),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    assert_eq!(sum(&app).await, (2, 0));
}

async fn the_ledger_is_append_only_in_the_database(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    entry(&app, &volunteer, group, &donation(1000), None)
        .await
        .expect(StatusCode::CREATED);
    let update = app
        .db
        .execute_unprepared("UPDATE ledger_entry SET amount_cents = 1")
        .await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = app.db.execute_unprepared("DELETE FROM ledger_entry").await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
    assert_eq!(sum(&app).await, (1, 1000));
}

async fn a_retried_request_is_applied_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let body = sale(1);
    let first = entry(&app, &volunteer, group, &body, Some("phone-42-entry-1")).await;
    let retry = entry(&app, &volunteer, group, &body, Some("phone-42-entry-1")).await;
    assert_eq!((first.status, retry.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first.body, retry.body, "the retry answers exactly as the first time");
    assert_eq!(
        (first.header("idempotent-replayed"), retry.header("idempotent-replayed")),
        (Some("false"), Some("true"))
    );
    assert_eq!(sum(&app).await, (1, 1200));

    let other = entry(&app, &volunteer, group, &sale(2), Some("phone-42-entry-1")).await;
    assert!(
        other.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    // Keys belong to a user: another person's same key is another request.
    entry(&app, &app.staff, group, &body, Some("phone-42-entry-1"))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(sum(&app).await, (2, 2400));
    // A refused request does not use up its key.
    entry(&app, &volunteer, group, &sale(0), Some("phone-42-entry-2"))
        .await
        .expect_field_error("quantity");
    entry(&app, &volunteer, group, &sale(1), Some("phone-42-entry-2"))
        .await
        .expect(StatusCode::CREATED);
    for bad in ["", &"k".repeat(201), "with space"] {
        entry(&app, &volunteer, group, &body, Some(bad))
            .await
            .expect_problem(StatusCode::BAD_REQUEST);
    }
    assert_eq!(sum(&app).await, (3, 3600));
}

async fn twenty_concurrent_retries_make_one_entry(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let body = donation(777);
    let answers =
        futures_util::future::join_all((0..20).map(|_| entry(&app, &volunteer, group, &body, Some("flaky-network"))))
            .await;
    let ids: Vec<&Value> = answers.iter().map(|a| &a.expect(StatusCode::CREATED)["id"]).collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "all twenty answers name the same entry"
    );
    assert_eq!(
        answers
            .iter()
            .filter(|a| a.header("idempotent-replayed") == Some("false"))
            .count(),
        1
    );
    assert_eq!(sum(&app).await, (1, 777));
}

fn with_client(mut body: Value, client_id: &str) -> Value {
    body["client_id"] = json!(client_id);
    body
}

async fn offline_batches_count_each_client_id_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let uri = format!("/api/v1/groups/{group}/entries/batch");
    let batch = json!({ "entries": [
        with_client(sale(1), "a"),
        with_client(sale(0), "b"),
        with_client(donation(500), "c"),
        donation(100),
        with_client(json!({ "kind": "donation", "amount_cents": "lots" }), "d"),
        with_client(donation(50), "a"),
        "not an object",
    ]});
    let answer = post_as(&app, &volunteer, &uri, &batch).await;
    let results = answer.expect(StatusCode::OK)["results"].as_array().unwrap().clone();
    let statuses: Vec<&str> = results.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "created",
            "rejected",
            "created",
            "rejected",
            "rejected",
            "duplicate",
            "rejected"
        ]
    );
    assert!(results[1]["error"].as_str().unwrap().contains("quantity"));
    assert!(results[3]["error"].as_str().unwrap().contains("client_id"));
    assert_eq!(
        results[5]["entry_id"], results[0]["entry_id"],
        "a duplicate names the entry that counts"
    );
    assert_eq!(sum(&app).await, (2, 1700));

    // The same upload again, after a lost answer: nothing is counted twice.
    let again = post_as(&app, &volunteer, &uri, &batch).await;
    let statuses: Vec<String> = again.expect(StatusCode::OK)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        [
            "duplicate",
            "rejected",
            "duplicate",
            "rejected",
            "rejected",
            "duplicate",
            "rejected"
        ]
    );
    assert_eq!(sum(&app).await, (2, 1700));

    let too_many: Vec<Value> = (0..501).map(|i| with_client(donation(1), &format!("x{i}"))).collect();
    post_as(&app, &volunteer, &uri, &json!({ "entries": too_many }))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    let full: Vec<Value> = (0..500).map(|i| with_client(donation(1), &format!("x{i}"))).collect();
    let answer = post_as(&app, &volunteer, &uri, &json!({ "entries": full })).await;
    assert_eq!(answer.expect(StatusCode::OK)["results"].as_array().unwrap().len(), 500);
    assert_eq!(sum(&app).await, (502, 2200));
}

async fn concurrent_batches_never_count_twice(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let uri = format!("/api/v1/groups/{group}/entries/batch");
    // Four devices upload overlapping sets of the same 40 client ids at once.
    let batches: Vec<Value> = (0..4)
        .map(|d| json!({ "entries": (0..40).filter(|i| (i + d) % 4 != 0).map(|i| with_client(donation(100 + i), &format!("e{i}"))).collect::<Vec<_>>() }))
        .collect();
    let answers = futures_util::future::join_all(batches.iter().map(|b| post_as(&app, &volunteer, &uri, b))).await;
    let created: usize = answers
        .iter()
        .map(|a| {
            a.expect(StatusCode::OK)["results"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["status"] == "created")
                .count()
        })
        .sum();
    assert_eq!(created, 40, "each client id created exactly once");
    let expected: i64 = (0..40).map(|i| 100 + i).sum();
    assert_eq!(sum(&app).await, (40, expected));
}

#[derive(Debug, Clone)]
enum Op {
    Sale(i64),
    Donation(i64),
    /// Send the n-th earlier keyed request again.
    Retry(usize),
    /// Upload a batch of client ids (some possibly seen before).
    Batch(Vec<u8>),
    /// Correct the n-th entry created so far.
    Correct(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i64..5).prop_map(Op::Sale),
        (1i64..100_000).prop_map(Op::Donation),
        (0usize..20).prop_map(Op::Retry),
        proptest::collection::vec(0u8..12, 1..6).prop_map(Op::Batch),
        (0usize..20).prop_map(Op::Correct),
    ]
}

async fn the_ledger_sum_follows_a_simple_model(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let cases = std::sync::atomic::AtomicU32::new(0);
    let result = runner.run(&proptest::collection::vec(op(), 1..25), |ops| {
        let case = cases.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                // The model: what each key and client id stands for, and which entries exist.
                let (start_count, start_sum) = sum(&app).await;
                let (mut count, mut total) = (start_count, start_sum);
                let mut keyed: Vec<(String, Value, i64)> = Vec::new();
                let mut clients: std::collections::HashSet<u8> = std::collections::HashSet::new();
                let mut entries: Vec<(String, i64, bool)> = Vec::new();
                for op in ops {
                    match op.clone() {
                        Op::Sale(q) | Op::Donation(q) => {
                            let (body, amount) = if matches!(op, Op::Sale(_)) {
                                (sale(q), q * 1200)
                            } else {
                                (donation(q), q)
                            };
                            let key = format!("case{case}-key{}", keyed.len());
                            let answer = entry(&app, &volunteer, group, &body, Some(&key)).await;
                            let id = answer.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
                            keyed.push((key, body, amount));
                            entries.push((id, amount, false));
                            count += 1;
                            total += amount;
                        }
                        Op::Retry(n) if !keyed.is_empty() => {
                            let (key, body, _) = &keyed[n % keyed.len()];
                            entry(&app, &volunteer, group, body, Some(key))
                                .await
                                .expect(StatusCode::CREATED);
                        }
                        Op::Batch(ids) => {
                            let items: Vec<Value> = ids
                                .iter()
                                .map(|i| with_client(donation(1000 + i64::from(*i)), &format!("case{case}-c{i}")))
                                .collect();
                            let answer = post_as(
                                &app,
                                &volunteer,
                                &format!("/api/v1/groups/{group}/entries/batch"),
                                &json!({ "entries": items }),
                            )
                            .await;
                            let results = answer.expect(StatusCode::OK)["results"].as_array().unwrap().clone();
                            for (i, result) in ids.iter().zip(results) {
                                if clients.insert(*i) {
                                    assert_eq!(result["status"], "created");
                                    let amount = 1000 + i64::from(*i);
                                    entries.push((result["entry_id"].as_str().unwrap().to_owned(), amount, false));
                                    count += 1;
                                    total += amount;
                                } else {
                                    assert_eq!(result["status"], "duplicate");
                                }
                            }
                        }
                        Op::Correct(n) if !entries.is_empty() => {
                            let index = n % entries.len();
                            let (id, amount, corrected) = entries[index].clone();
                            let answer = post_as(
                                &app,
                                &volunteer,
                                &format!("/api/v1/entries/{id}/corrections"),
                                &json!({ "reason": "model" }),
                            )
                            .await;
                            if corrected {
                                answer.expect_problem(StatusCode::CONFLICT);
                            } else {
                                answer.expect(StatusCode::CREATED);
                                entries[index].2 = true;
                                count += 1;
                                total -= amount;
                            }
                        }
                        _ => {}
                    }
                    assert_eq!(sum(&app).await, (count, total), "after {op:?}");
                }
                let kept = campaign_persistence::totals::TotalsRepo::new(app.db.clone());
                let year = campaign_domain::ledger::local_date(Utc::now())
                    .format("%Y")
                    .to_string()
                    .parse()
                    .unwrap();
                let summary = kept.summary(year, Default::default()).await.unwrap();
                assert_eq!(
                    (summary.entries, summary.raised_cents),
                    (count, total),
                    "the kept totals equal the model"
                );
                assert!(
                    kept.verify().await.unwrap().is_empty(),
                    "the kept totals equal the ledger"
                );
            })
        });
        Ok(())
    });
    result.unwrap();
}

async fn batch(app: &TestApp, session: &Session, group: impl std::fmt::Display, items: Vec<Value>) -> Answer {
    post_as(
        app,
        session,
        &format!("/api/v1/groups/{group}/entries/batch"),
        &json!({ "entries": items }),
    )
    .await
}

fn statuses(answer: &Answer) -> Vec<(String, Value)> {
    answer.expect(StatusCode::OK)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["entry_id"].clone()))
        .collect()
}

async fn new_activity(app: &TestApp, session: &Session, group: impl std::fmt::Display) -> String {
    let body = json!({ "kind": "quiz", "title": "Quiz", "starts_at": now_minus(60), "ends_at": now_minus(30), "public": true });
    post_as(app, session, &format!("/api/v1/groups/{group}/activities"), &body)
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_retry_is_answered_before_the_entry_is_checked_again(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let quiz = new_activity(&app, &volunteer, group).await;
    let mut body = sale(2);
    body["activity_id"] = json!(quiz);
    let first = entry(&app, &volunteer, group, &body, Some("quiz-sale-1")).await;
    let first = first.expect(StatusCode::CREATED).clone();
    let offline = batch(
        &app,
        &volunteer,
        group,
        vec![with_client(body.clone(), "quiz-offline-1")],
    )
    .await;
    let offline_id = statuses(&offline)[0].1.clone();

    // The activity is cancelled while the phone waits for its answers.
    patch_as(
        &app,
        &volunteer,
        &format!("/api/v1/activities/{quiz}"),
        &json!({ "status": "cancelled" }),
    )
    .await
    .expect(StatusCode::OK);
    entry(&app, &volunteer, group, &sale(1).tap_activity(&quiz), None)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);

    let retry = entry(&app, &volunteer, group, &body, Some("quiz-sale-1")).await;
    assert_eq!(
        retry.expect(StatusCode::CREATED),
        &first,
        "the stored sale is the answer"
    );
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let again = batch(
        &app,
        &volunteer,
        group,
        vec![with_client(body.clone(), "quiz-offline-1")],
    )
    .await;
    assert_eq!(statuses(&again), [("duplicate".to_owned(), offline_id)]);
    // A duplicate is recognised whatever else its item says now.
    let garbled = batch(
        &app,
        &volunteer,
        group,
        vec![with_client(
            json!({ "kind": "sale", "quantity": "many" }),
            "quiz-offline-1",
        )],
    )
    .await;
    assert_eq!(statuses(&garbled)[0].0, "duplicate");
    assert_eq!(sum(&app).await, (2, 4800));
}

trait WithActivity {
    fn tap_activity(self, id: &str) -> Value;
}

impl WithActivity for Value {
    fn tap_activity(mut self, id: &str) -> Value {
        self["activity_id"] = json!(id);
        self
    }
}

async fn keys_that_are_not_visible_ascii_are_refused(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let body = donation(500);
    for raw in ["clé-42".as_bytes(), b"tab\there", &[0x6b, 0xff, 0x31]] {
        let answer = Answer::read(
            app.client
                .post(format!("/api/v1/groups/{group}/entries"))
                .header("authorization", volunteer.bearer())
                .header("idempotency-key", poem::http::HeaderValue::from_bytes(raw).unwrap())
                .body_json(&body)
                .send()
                .await,
        )
        .await;
        answer.expect_field_error("Idempotency-Key");
    }
    let both = Answer::read(
        app.client
            .post(format!("/api/v1/groups/{group}/entries"))
            .header("authorization", volunteer.bearer())
            .header("idempotency-key", "one")
            .header("idempotency-key", "two")
            .body_json(&body)
            .send()
            .await,
    )
    .await;
    both.expect_field_error("Idempotency-Key");
    assert_eq!(
        sum(&app).await,
        (0, 0),
        "nothing stored under a key it could not honour"
    );
}

async fn single_entries_and_batches_share_client_ids(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let (other_group, other) = app.new_volunteer().await;

    // The POST timed out on the phone; days later the same sale comes in an offline batch.
    let posted = entry(
        &app,
        &volunteer,
        group,
        &with_client(sale(2), "sale-7"),
        Some("k-sale-7"),
    )
    .await;
    let posted_id = posted.expect(StatusCode::CREATED)["id"].clone();
    assert_eq!(posted.body["client_id"], "sale-7");
    app.db
        .execute_unprepared("UPDATE idempotency_key SET expires_at = created_at")
        .await
        .unwrap();
    let uploaded = batch(&app, &volunteer, group, vec![with_client(sale(2), "sale-7")]).await;
    assert_eq!(statuses(&uploaded), [("duplicate".to_owned(), posted_id.clone())]);

    // The other way round: a batch first, then the same client id posted alone (its key long gone).
    let gift = with_client(donation(900), "gift-3");
    let uploaded = batch(&app, &volunteer, group, vec![gift.clone()]).await;
    let gift_id = statuses(&uploaded)[0].1.clone();
    for key in [None, Some("k-gift-3"), Some("k-gift-3")] {
        let single = entry(&app, &volunteer, group, &gift, key).await;
        assert_eq!(
            single.expect(StatusCode::OK)["id"],
            gift_id,
            "the stored entry is the answer"
        );
        assert_eq!(single.header("idempotent-replayed"), Some("true"));
        assert_eq!(
            single.header("location"),
            Some(format!("/api/v1/entries/{}", gift_id.as_str().unwrap()).as_str())
        );
    }
    // Client ids are per group.
    entry(&app, &other, other_group, &with_client(donation(900), "gift-3"), None)
        .await
        .expect(StatusCode::CREATED);
    entry(&app, &volunteer, group, &with_client(donation(1), "with space"), None)
        .await
        .expect_field_error("client_id");

    // Ten devices (or retries) post the same client id at once: one entry.
    let body = with_client(donation(333), "burst-1");
    let answers = futures_util::future::join_all((0..10).map(|_| entry(&app, &volunteer, group, &body, None))).await;
    let created = answers.iter().filter(|a| a.status == StatusCode::CREATED).count();
    let replayed = answers.iter().filter(|a| a.status == StatusCode::OK).count();
    assert_eq!(
        (created, replayed),
        (1, 9),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.windows(2).all(|w| w[0].body["id"] == w[1].body["id"]));
    assert_eq!(sum(&app).await, (4, 2400 + 900 + 900 + 333));
}

async fn a_database_failure_while_checking_is_a_5xx_without_its_text(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let quiz = new_activity(&app, &volunteer, group).await;
    // The activity lookup fails from now on, as it would with the database gone.
    app.db
        .execute_unprepared("ALTER TABLE activity RENAME TO activity_away")
        .await
        .unwrap();
    let single = entry(&app, &volunteer, group, &donation(100).tap_activity(&quiz), None).await;
    let uploaded = batch(
        &app,
        &volunteer,
        group,
        vec![with_client(donation(100).tap_activity(&quiz), "offline-1")],
    )
    .await;
    for answer in [single, uploaded] {
        assert!(answer.status.is_server_error(), "{}: {}", answer.status, answer.body);
        let detail = answer.expect_problem(answer.status)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains("x-request-id"), "{detail}");
        for internal in ["database", "activity", "relation", "table"] {
            assert!(!detail.contains(internal), "{detail}");
        }
    }
    assert_eq!(sum(&app).await, (0, 0));
}

async fn a_deactivated_group_cannot_log_or_correct_money(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let keyed = donation(1000);
    let stored = entry(&app, &volunteer, group, &keyed, Some("before-1")).await;
    let stored_id = stored.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
    let offline = batch(&app, &volunteer, group, vec![with_client(donation(50), "before-2")]).await;
    let offline_id = statuses(&offline)[0].1.clone();
    let name = get_as(&app, &app.staff, &format!("/api/v1/groups/{group}")).await.body["name"]
        .as_str()
        .unwrap()
        .to_owned();
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{group}"),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);

    let names_the_group = |answer: &Answer| {
        let detail = answer.expect_problem(StatusCode::CONFLICT)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains(&name) && detail.contains("deactivated"), "{detail}");
    };
    names_the_group(&entry(&app, &volunteer, group, &donation(200), None).await);
    names_the_group(&entry(&app, &app.staff, group, &donation(200), Some("after-1")).await);
    names_the_group(&batch(&app, &volunteer, group, vec![with_client(donation(200), "after-2")]).await);
    names_the_group(
        &post_as(
            &app,
            &volunteer,
            &format!("/api/v1/entries/{stored_id}/corrections"),
            &json!({ "reason": "typo" }),
        )
        .await,
    );
    // What was stored before is still answered as stored.
    entry(&app, &volunteer, group, &keyed, Some("before-1"))
        .await
        .expect(StatusCode::CREATED);
    let again = batch(&app, &volunteer, group, vec![with_client(donation(50), "before-2")]).await;
    assert_eq!(statuses(&again), [("duplicate".to_owned(), offline_id)]);

    // The rule holds in the write itself, not only in the handler that checked first.
    let written = LedgerRepo::new(app.db.clone())
        .create(
            campaign_persistence::ledger::NewEntry {
                group,
                campaign_year: campaign_domain::ledger::local_date(Utc::now())
                    .format("%Y")
                    .to_string()
                    .parse()
                    .unwrap(),
                municipality: NisCode::parse("44021").unwrap(),
                kind: campaign_domain::ledger::EntryKind::Donation,
                sale: None,
                amount_cents: 10,
                payment_method: campaign_domain::ledger::PaymentMethod::Cash,
                occurred_at: Utc::now() - Duration::minutes(1),
                activity: None,
                note: None,
                client_id: None,
                created_by: campaign_domain::ids::UserId::from_uuid(volunteer.user_id),
            },
            &Default::default(),
            None,
            |_, _| (201, String::new()),
        )
        .await;
    assert!(
        matches!(&written, Err(campaign_persistence::StoreError::Conflict(why)) if why.contains(&name)),
        "{written:?}"
    );
    assert_eq!(sum(&app).await, (2, 1050));

    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{group}"),
        &json!({ "active": true }),
    )
    .await
    .expect(StatusCode::OK);
    entry(&app, &volunteer, group, &donation(200), None)
        .await
        .expect(StatusCode::CREATED);
}

async fn wrong_json_types_name_the_field_and_what_it_expects(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let mut three = sale(1);
    three["quantity"] = json!("three");
    let mut lots = donation(1);
    lots["amount_cents"] = json!(1e30);
    let mut both = sale(1);
    both["quantity"] = json!(2.5);
    both["payment_method"] = json!(true);
    for (body, expected) in [
        (three, vec!["quantity: must be a whole number from 1 to 1000"]),
        (sale(5000), vec!["quantity: must be a whole number from 1 to 1000"]),
        (lots, vec!["amount_cents: must be a whole number from 1 to 10000000"]),
        (
            both,
            vec![
                "payment_method: must be one of: cash, card, transfer, payconiq",
                "quantity: must be a whole number from 1 to 1000",
            ],
        ),
    ] {
        let answer = entry(&app, &volunteer, group, &body, None).await;
        let detail = answer.expect_problem(StatusCode::BAD_REQUEST)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        for part in &expected {
            assert!(detail.contains(part), "{detail}");
        }
        for framework in ["9223372036854775807", "failed to parse", "int64"] {
            assert!(!detail.contains(framework), "{detail}");
        }
        let fields: Vec<&str> = answer.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields.len(), expected.len(), "{}", answer.body);
    }
    let mut unknown = sale(1);
    unknown["product_code"] = json!("t-shirt");
    let answer = entry(&app, &volunteer, group, &unknown, None).await;
    let detail = answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("t-shirt") && detail.contains("cards-6, chocolate-bar"),
        "{detail}"
    );
    assert_eq!(sum(&app).await, (0, 0));
}

async fn a_groups_entries_page_oldest_or_newest_first(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    // Seven entries: five at distinct times, two sharing a time (ties go by id).
    let base = Utc::now() - chrono::Duration::hours(1);
    let mut times: Vec<chrono::DateTime<Utc>> = (0..5).map(|i| base + chrono::Duration::minutes(i)).collect();
    times.push(times[2]);
    times.push(times[2]);
    let mut made: Vec<(String, String)> = Vec::new();
    for (i, at) in times.iter().enumerate() {
        let body = json!({ "kind": "donation", "amount_cents": 100 + i, "payment_method": "cash", "occurred_at": at.to_rfc3339() });
        let entry = post_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries"), &body)
            .await
            .expect(StatusCode::CREATED)
            .clone();
        made.push((
            entry["occurred_at"].as_str().unwrap().to_owned(),
            entry["id"].as_str().unwrap().to_owned(),
        ));
    }
    let mut oldest_first = made.clone();
    oldest_first.sort();
    let newest_first: Vec<(String, String)> = oldest_first.iter().rev().cloned().collect();
    let uri = format!("/api/v1/groups/{group}/entries");
    let walk = |order: &'static str| {
        let (app, volunteer, uri) = (&app, volunteer.clone(), uri.clone());
        async move {
            let mut seen: Vec<String> = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut page_uri = format!("{uri}?limit=3{order}");
                if let Some(c) = &cursor {
                    page_uri.push_str(&format!("&cursor={c}"));
                }
                let page = get_as(app, &volunteer, &page_uri).await;
                let body = page.expect(StatusCode::OK).clone();
                pages += 1;
                seen.extend(
                    body["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["id"].as_str().unwrap().to_owned()),
                );
                match body["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            (seen, pages, cursor)
        }
    };
    let ids = |list: &[(String, String)]| list.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
    let (seen, pages, _) = walk("").await;
    assert_eq!((seen, pages), (ids(&oldest_first), 3), "oldest first by default");
    let (seen, pages, _) = walk("&order=oldest_first").await;
    assert_eq!((seen, pages), (ids(&oldest_first), 3));
    let (seen, pages, _) = walk("&order=newest_first").await;
    assert_eq!(
        (seen, pages),
        (ids(&newest_first), 3),
        "newest first, ties by id from the top"
    );

    // A cursor stays with its order; a bad order is named.
    let first = get_as(&app, &volunteer, &format!("{uri}?limit=3&order=newest_first")).await;
    let cursor = first.expect(StatusCode::OK)["next_cursor"].as_str().unwrap().to_owned();
    get_as(&app, &volunteer, &format!("{uri}?limit=3&cursor={cursor}"))
        .await
        .expect_field_error("cursor");
    get_as(&app, &volunteer, &format!("{uri}?order=latest"))
        .await
        .expect_field_error("order");
}

on_both_databases!(an_expired_key_is_taken_over_by_the_next_request_with_it);

async fn an_expired_key_is_taken_over_by_the_next_request_with_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let first = entry(&app, &volunteer, group, &sale(1), Some("k-reused")).await;
    let first_id = first.expect(StatusCode::CREATED)["id"].clone();
    let other = sale(2);
    // While the key lives, another body under it is refused and the same body replayed.
    entry(&app, &volunteer, group, &other, Some("k-reused"))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    app.db
        .execute_unprepared("UPDATE idempotency_key SET expires_at = created_at")
        .await
        .unwrap();
    // Past its 48 hours the key is new again: the request is applied, once.
    let second = entry(&app, &volunteer, group, &other, Some("k-reused")).await;
    let second_id = second.expect(StatusCode::CREATED)["id"].clone();
    assert_ne!(second_id, first_id);
    let again = entry(&app, &volunteer, group, &other, Some("k-reused")).await;
    assert_eq!(again.expect(StatusCode::CREATED)["id"], second_id, "replayed");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let stored = get_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries")).await;
    assert_eq!(stored.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 2);
}

/// Twenty sales of today race a change of the campaign's dates that leaves today out. The check
/// inside the entry's transaction (share locks on the group and the campaign) means either the
/// change waits for the sales, sees them and is refused, or the sales that come after it see the
/// new dates and are refused: never an entry outside its campaign.
async fn entries_racing_a_change_of_dates_never_fall_outside_them(backend: Backend) {
    use chrono::Datelike;
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign(&app).await;
    let today = campaign_domain::ledger::local_date(Utc::now());
    let year = today.year();
    let new_days = if today.ordinal() > 1 {
        json!({ "ends_on": (today - Duration::days(1)).to_string() })
    } else {
        json!({ "starts_on": (today + Duration::days(1)).to_string() })
    };
    let mut groups = Vec::new();
    for _ in 0..4 {
        groups.push(app.new_volunteer().await);
    }
    let app = &app;
    let groups = &groups;
    let sales = (0..20).map(|i| {
        let (group, volunteer) = &groups[i % groups.len()];
        let key = format!("race-{i}");
        async move { entry(app, volunteer, *group, &sale(1), Some(&key)).await }
    });
    let change = async {
        let uri = format!("/api/v1/campaigns/{year}");
        patch_as(app, &app.staff, &uri, &new_days).await
    };
    let (answers, changed) = futures_util::join!(futures_util::future::join_all(sales), change);
    let stored = answers.iter().filter(|a| a.status == StatusCode::CREATED).count();
    // Refused in the transaction (409), or before it once the new dates are known (400).
    let refused = answers
        .iter()
        .filter(|a| [StatusCode::CONFLICT, StatusCode::BAD_REQUEST].contains(&a.status))
        .count();
    let statuses: Vec<(StatusCode, &Value)> = answers.iter().map(|a| (a.status, &a.body)).collect();
    assert_eq!(
        stored + refused,
        20,
        "every sale is stored or refused as off the campaign's days: {statuses:?}"
    );
    assert_eq!(sum(app).await.0, i64::try_from(stored).unwrap());
    if changed.status == StatusCode::OK {
        assert_eq!(stored, 0, "the dates changed, so no entry of today may stand");
    } else {
        changed.expect_problem(StatusCode::CONFLICT);
        assert!(stored > 0, "the change was refused because entries of today stand");
    }
}
