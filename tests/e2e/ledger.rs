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

use crate::{Answer, Backend, Session, TestApp, get_as, on_both_databases, post_as};

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
