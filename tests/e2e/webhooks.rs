//! Signed webhooks against a real local receiver: each event reaches the endpoints that hear of
//! it, signed (checked with the Standard Webhooks reference library), once per change and only
//! for changes that happened; failures are tried again with the same id, given up after 24
//! hours, and an endpoint failing for 5 days is disabled; test events and replays; at most N in
//! flight per endpoint; inward URLs refused; every role against every webhook resource.
//! The worker's rounds run at a time the test chooses, so nothing waits for a clock.

use std::collections::BTreeSet;

use campaign_api::WebhookSettings;
use campaign_tests::TestOptions;
use campaign_tests::webhook_receiver::{Received, Receiver};
use chrono::{DateTime, Duration, Utc};
use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as, send_as};

on_both_databases!(
    each_event_reaches_the_endpoints_that_hear_of_it_signed,
    a_failed_delivery_is_tried_again_with_the_same_id_and_given_up_after_a_day,
    an_endpoint_failing_for_five_days_is_disabled_until_staff_enable_it,
    test_events_and_replays_reach_the_receiver,
    no_more_than_the_limit_are_in_flight_per_endpoint,
    urls_pointing_inward_are_refused,
    every_role_against_every_webhook_resource,
);

const ALL_EVENTS: [&str; 5] = [
    "entry.created",
    "entry.corrected",
    "material_request.status_changed",
    "deposit.closed",
    "fund_application.decided",
];

/// The application with webhooks to private addresses allowed (the receiver is on 127.0.0.1).
async fn start(backend: Backend, max_in_flight: u32) -> Option<TestApp> {
    let options = TestOptions {
        webhooks: WebhookSettings {
            allow_private: true,
            max_in_flight,
            ..WebhookSettings::default()
        },
        ..TestOptions::default()
    };
    let app = TestApp::start_with(backend, options).await?;
    let body = json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 1_000_000 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    Some(app)
}

/// Registers `receiver` for `events`; gives the endpoint's id and tells the receiver its secret.
async fn register(app: &TestApp, receiver: &Receiver, events: &[&str]) -> String {
    let created = post_as(
        app,
        &app.staff,
        "/api/v1/webhooks",
        &json!({ "url": receiver.url, "events": events, "description": "accounting link" }),
    )
    .await;
    assert!(
        created
            .header("location")
            .is_some_and(|l| l.starts_with("/api/v1/webhooks/"))
    );
    let created = created.expect(StatusCode::CREATED);
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.set_secret(secret);
    created["id"].as_str().unwrap().to_owned()
}

async fn donation(app: &TestApp, who: &Session, group: &str, cents: i64, day: &str) -> Value {
    let body = json!({ "kind": "donation", "amount_cents": cents, "payment_method": "cash",
                       "occurred_at": format!("{day}T11:00:00Z") });
    post_as(app, who, &format!("/api/v1/groups/{group}/entries"), &body)
        .await
        .expect(StatusCode::CREATED)
        .clone()
}

async fn deliveries(app: &TestApp, endpoint: &str) -> Vec<Value> {
    get(app, &format!("/api/v1/webhooks/{endpoint}/deliveries"))
        .await
        .expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// One round of the worker at `at`: the attempts it made.
async fn round(app: &TestApp, at: DateTime<Utc>) -> usize {
    app.webhook_worker().deliver_due(Some(at)).await.unwrap()
}

fn of_type<'a>(received: &'a [Received], event: &str) -> Vec<&'a Received> {
    received.iter().filter(|r| r.body["type"] == event).collect()
}

async fn each_event_reaches_the_endpoints_that_hear_of_it_signed(backend: Backend) {
    let Some(app) = start(backend, 10).await else {
        return;
    };
    let (everything, entries_only) = (Receiver::start().await, Receiver::start().await);
    let all = register(&app, &everything, &ALL_EVENTS).await;
    register(&app, &entries_only, &["entry.created"]).await;
    let listed = get(&app, "/api/v1/webhooks").await;
    let listed = listed.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|e| e.get("secret").is_none()),
        "the secret is shown once"
    );

    // A sale, a batch of two (one sent twice), a correction, a deposit closed, a request moved.
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    let entry = donation(&app, &volunteer, &group, 2_000, "2026-11-10").await;
    let batch = json!({ "entries": [
        { "kind": "donation", "amount_cents": 300, "payment_method": "cash", "occurred_at": "2026-11-11T10:00:00Z", "client_id": "b1" },
        { "kind": "donation", "amount_cents": 400, "payment_method": "card", "occurred_at": "2026-11-11T10:05:00Z", "client_id": "b2" },
    ]});
    let uri = format!("/api/v1/groups/{group}/entries/batch");
    post_as(&app, &volunteer, &uri, &batch).await.expect(StatusCode::OK);
    post_as(&app, &volunteer, &uri, &batch).await.expect(StatusCode::OK);
    let correction = post_as(
        &app,
        &volunteer,
        &format!("/api/v1/entries/{}/corrections", entry["id"].as_str().unwrap()),
        &json!({ "reason": "counted twice" }),
    )
    .await
    .expect(StatusCode::CREATED)
    .clone();
    let deposit = post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/deposits"),
        &json!({ "amount_cents": 300, "deposited_on": "2026-11-20", "reference": "handed to staff",
                 "covers_from": "2026-11-10", "covers_to": "2026-11-11" }),
    )
    .await
    .expect(StatusCode::CREATED)
    .clone();
    let deposit_id = deposit["id"].as_str().unwrap();
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/deposits/{deposit_id}/close"),
        &json!({}),
    )
    .await
    .expect(StatusCode::OK);
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials",
        &json!({ "code": "flag", "name": "Vlag", "lent": false, "stock_on_hand": 10 }),
    )
    .await
    .expect(StatusCode::CREATED);
    let contact = app.new_contact("44021").await;
    let needed_by = (campaign_domain::ledger::local_date(Utc::now()) + Duration::days(3)).to_string();
    let request = post_as(
        &app,
        &contact,
        "/api/v1/municipalities/44021/material-requests",
        &json!({ "lines": [{ "material_code": "flag", "quantity": 2 }], "needed_by": needed_by,
                 "delivery_address": "Stadhuis, Botermarkt 1, 9000 Gent" }),
    )
    .await
    .expect(StatusCode::CREATED)
    .clone();
    let request_id = request["id"].as_str().unwrap();
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/material-requests/{request_id}/approve"),
        &json!({}),
    )
    .await
    .expect(StatusCode::OK);
    // A refused entry (outside the campaign) announces nothing.
    let refused = json!({ "kind": "donation", "amount_cents": 100, "payment_method": "cash",
                          "occurred_at": "2026-12-24T11:00:00Z" });
    let refused = post_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries"), &refused).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);

    assert_eq!(round(&app, Utc::now()).await, 6 + 3);
    let got = everything.received();
    assert!(
        got.iter().all(|r| r.verified && r.answered == 204),
        "every delivery is signed with the endpoint's secret: {got:?}"
    );
    let created: Vec<&Value> = of_type(&got, "entry.created").iter().map(|r| &r.body["data"]).collect();
    assert_eq!(created.len(), 3, "one event per new entry, none for a batch sent twice");
    let single = created.iter().find(|d| d["id"] == entry["id"]).unwrap();
    assert_eq!(single["amount_cents"], 2_000);
    assert_eq!(single["group_id"].as_str(), Some(group.as_str()));
    let instant = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(instant(&single["occurred_at"]), instant(&entry["occurred_at"]));
    let amounts: BTreeSet<i64> = created.iter().map(|d| d["amount_cents"].as_i64().unwrap()).collect();
    assert_eq!(amounts, BTreeSet::from([300, 400, 2_000]));
    let corrected = of_type(&got, "entry.corrected");
    assert_eq!(corrected.len(), 1);
    assert_eq!(corrected[0].body["data"]["id"], correction["id"]);
    assert_eq!(corrected[0].body["data"]["corrects_id"], entry["id"]);
    let closed = of_type(&got, "deposit.closed");
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].body["data"]["id"].as_str(), Some(deposit_id));
    assert_eq!(closed[0].body["data"]["standing"], "matched");
    let moved = of_type(&got, "material_request.status_changed");
    assert_eq!(moved.len(), 1);
    assert_eq!(
        (&moved[0].body["data"]["from"], &moved[0].body["data"]["status"]),
        (&json!("submitted"), &json!("approved"))
    );
    assert!(got.iter().all(|r| r.body["timestamp"].is_string()));
    let ids: BTreeSet<&str> = got.iter().map(|r| r.webhook_id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "each event has an id of its own");

    // The endpoint that hears of new entries only got those, with the same event ids.
    let other = entries_only.received();
    assert_eq!(other.len(), 3);
    assert!(other.iter().all(|r| r.body["type"] == "entry.created" && r.verified));
    let created_ids: BTreeSet<&str> = of_type(&got, "entry.created")
        .iter()
        .map(|r| r.webhook_id.as_str())
        .collect();
    assert_eq!(
        other.iter().map(|r| r.webhook_id.as_str()).collect::<BTreeSet<_>>(),
        created_ids,
        "one event, one id, whoever receives it"
    );

    // The delivery log says what happened.
    let log = deliveries(&app, &all).await;
    assert_eq!(log.len(), 6);
    assert!(log.iter().all(|d| d["status"] == "succeeded"
        && d["attempts"] == 1
        && d["last_status_code"] == 204
        && d["next_attempt_at"].is_null()));
    assert_eq!(log[0]["event_type"], "material_request.status_changed", "newest first");
    assert_eq!(
        round(&app, Utc::now() + Duration::days(2)).await,
        0,
        "nothing is sent twice"
    );
}

async fn a_failed_delivery_is_tried_again_with_the_same_id_and_given_up_after_a_day(backend: Backend) {
    let Some(app) = start(backend, 4).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &receiver, &["entry.created"]).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();

    receiver.fail_next(1);
    donation(&app, &volunteer, &group, 500, "2026-11-10").await;
    let t0 = Utc::now();
    assert_eq!(round(&app, t0).await, 1);
    let log = deliveries(&app, &endpoint).await;
    let first = &log[0];
    assert_eq!(
        (&first["status"], &first["attempts"], &first["last_status_code"]),
        (&json!("pending"), &json!(1), &json!(500))
    );
    assert!(first["last_error"].as_str().unwrap().contains("500"));
    let next: DateTime<Utc> = first["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(
        next > t0 && next <= t0 + Duration::seconds(30),
        "the first retry within 30 s: {next}"
    );
    assert_eq!(round(&app, t0).await, 0, "not before its time");
    assert_eq!(round(&app, next).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].webhook_id, got[1].webhook_id,
        "a retry carries the same webhook-id"
    );
    assert_eq!((got[0].answered, got[1].answered), (500, 204));
    let metrics = app
        .client
        .get("/metrics")
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    assert!(
        metrics.contains("campaign_webhook_deliveries{status=\"succeeded\"} 1")
            && metrics.contains("campaign_webhook_deliveries{status=\"pending\"} 0"),
        "{metrics}"
    );
    let endpoint_now = get(&app, &format!("/api/v1/webhooks/{endpoint}")).await;
    assert!(
        endpoint_now.expect(StatusCode::OK)["failing_since"].is_null(),
        "a success ends the streak"
    );

    // A receiver that keeps failing: backing off, then given up after 24 hours.
    receiver.fail_next(usize::MAX);
    donation(&app, &volunteer, &group, 700, "2026-11-12").await;
    let mut at = Utc::now();
    let mut waits = Vec::new();
    loop {
        assert_eq!(round(&app, at).await, 1);
        let log = deliveries(&app, &endpoint).await;
        let latest = &log[0];
        match latest["next_attempt_at"].as_str() {
            Some(next) => {
                let next: DateTime<Utc> = next.parse().unwrap();
                waits.push(next - at);
                at = next;
            }
            None => {
                assert_eq!(latest["status"], "failed");
                break;
            }
        }
        assert!(waits.len() < 40, "never given up: {waits:?}");
    }
    assert!(waits[0] <= Duration::seconds(30), "{waits:?}");
    assert!(waits.iter().all(|w| *w <= Duration::hours(2)), "{waits:?}");
    assert!((15..=25).contains(&waits.len()), "{} retries in a day", waits.len());
    let created: DateTime<Utc> = deliveries(&app, &endpoint).await[0]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        at - created >= Duration::hours(24) - Duration::seconds(1),
        "tried for 24 hours"
    );
    assert!(at - created < Duration::hours(25));
    let failing = get(&app, &format!("/api/v1/webhooks/{endpoint}")).await;
    let failing = failing.expect(StatusCode::OK);
    assert!(failing["failing_since"].is_string());
    assert_eq!(failing["enabled"], true, "one bad day does not disable an endpoint");
    assert_eq!(round(&app, at + Duration::days(3)).await, 0, "given up is given up");
    let failed = get(&app, &format!("/api/v1/webhooks/{endpoint}/deliveries?status=failed")).await;
    assert_eq!(failed.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
}

async fn an_endpoint_failing_for_five_days_is_disabled_until_staff_enable_it(backend: Backend) {
    let Some(app) = start(backend, 4).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &receiver, &["entry.created"]).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    receiver.fail_next(usize::MAX);
    donation(&app, &volunteer, &group, 500, "2026-11-10").await;
    let t0 = Utc::now();
    assert!(round(&app, t0).await >= 1);
    let first = deliveries(&app, &endpoint).await[0]["id"].as_i64().unwrap();
    let state = async |app: &TestApp| get(app, &format!("/api/v1/webhooks/{endpoint}")).await.body;
    // A failure five days later, with nothing in between, starts a new streak.
    donation(&app, &volunteer, &group, 510, "2026-11-10").await;
    let restart = t0 + Duration::days(5);
    assert!(round(&app, restart).await >= 1);
    let now = state(&app).await;
    assert_eq!(now["enabled"], true);
    assert_eq!(
        now["failing_since"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(),
        chrono::SubsecRound::trunc_subsecs(restart, 6)
    );
    // Failing on and on (an event every 20 hours, none succeeding): disabled after five days.
    for k in 1..=6 {
        donation(&app, &volunteer, &group, 520 + k, "2026-11-11").await;
        assert!(round(&app, restart + Duration::hours(20 * k)).await >= 1);
        let enabled = state(&app).await["enabled"].clone();
        assert_eq!(enabled, k < 6, "after {} hours of failing", 20 * k);
    }
    let disabled = state(&app).await;
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("no delivery succeeded"),
        "{disabled}"
    );
    let audit = get(&app, "/api/v1/audit?entity=webhook_endpoint").await;
    let audit = audit.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert!(audit.iter().any(|a| a["action"] == "webhook.disable"), "{audit:?}");

    // Disabled: new events do not reach it.
    let logged = deliveries(&app, &endpoint).await.len();
    donation(&app, &volunteer, &group, 600, "2026-11-11").await;
    assert_eq!(deliveries(&app, &endpoint).await.len(), logged);
    let replay = format!("/api/v1/webhooks/{endpoint}/deliveries/{first}/replay");
    // Staff repair the receiver, test it, and enable it again.
    receiver.fail_next(0);
    let test = post_as(
        &app,
        &app.staff,
        &format!("/api/v1/webhooks/{endpoint}/test"),
        &json!({}),
    )
    .await;
    test.expect(StatusCode::ACCEPTED);
    assert_eq!(
        round(&app, Utc::now()).await,
        1,
        "a test event reaches a disabled endpoint"
    );
    assert_eq!(receiver.received().last().unwrap().body["type"], "webhook.test");
    post_as(&app, &app.staff, &replay, &json!({}))
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(
        round(&app, Utc::now()).await,
        0,
        "other deliveries wait while it is disabled"
    );
    let enabled = patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/webhooks/{endpoint}"),
        &json!({ "enabled": true }),
    )
    .await;
    let enabled = enabled.expect(StatusCode::OK);
    assert_eq!(
        (
            &enabled["enabled"],
            &enabled["failing_since"],
            &enabled["disabled_reason"]
        ),
        (&json!(true), &Value::Null, &Value::Null)
    );
    assert_eq!(
        round(&app, Utc::now()).await,
        1,
        "the replayed delivery goes out once enabled"
    );
    assert_eq!(receiver.received().last().unwrap().body["data"]["amount_cents"], 500);
    donation(&app, &volunteer, &group, 700, "2026-11-12").await;
    assert_eq!(round(&app, Utc::now()).await, 1);
    assert_eq!(receiver.received().last().unwrap().body["data"]["amount_cents"], 700);
}

async fn test_events_and_replays_reach_the_receiver(backend: Backend) {
    let Some(app) = start(backend, 4).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &receiver, &["deposit.closed"]).await;
    let queued = post_as(
        &app,
        &app.staff,
        &format!("/api/v1/webhooks/{endpoint}/test"),
        &json!({}),
    )
    .await;
    let queued = queued.expect(StatusCode::ACCEPTED).clone();
    assert_eq!(
        (&queued["status"], &queued["event_type"]),
        (&json!("pending"), &json!("webhook.test"))
    );
    assert_eq!(round(&app, Utc::now()).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified);
    assert_eq!(got[0].webhook_id, queued["event_id"].as_str().unwrap());
    assert!(got[0].signature.starts_with("v1,"));
    let sent_at: i64 = got[0].timestamp.parse().unwrap();
    assert!((Utc::now().timestamp() - sent_at).abs() < 60);

    let uri = format!("/api/v1/webhooks/{endpoint}/deliveries/{}/replay", queued["id"]);
    let replayed = post_as(&app, &app.staff, &uri, &json!({})).await;
    assert_eq!(replayed.expect(StatusCode::ACCEPTED)["status"], "pending");
    assert_eq!(round(&app, Utc::now()).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].webhook_id, got[0].webhook_id, "a replay is the same event");
    let log = deliveries(&app, &endpoint).await;
    assert_eq!(
        (&log[0]["attempts"], &log[0]["status"]),
        (&json!(2), &json!("succeeded"))
    );

    // Not while an attempt of it is on its way.
    let claimed = campaign_persistence::webhook_outbox::claim_due(
        &app.db,
        uuid::Uuid::parse_str(&endpoint).unwrap(),
        Utc::now(),
        4,
        Duration::minutes(1),
    )
    .await
    .unwrap();
    assert!(claimed.is_empty(), "nothing due");
    post_as(&app, &app.staff, &uri, &json!({}))
        .await
        .expect(StatusCode::ACCEPTED);
    let claimed = campaign_persistence::webhook_outbox::claim_due(
        &app.db,
        uuid::Uuid::parse_str(&endpoint).unwrap(),
        Utc::now(),
        4,
        Duration::minutes(1),
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    post_as(&app, &app.staff, &uri, &json!({}))
        .await
        .expect_problem(StatusCode::CONFLICT);
    // Unknown endpoints and deliveries are 404; another endpoint's delivery too.
    let other = register(&app, &Receiver::start().await, &["entry.created"]).await;
    for uri in [
        format!("/api/v1/webhooks/{other}/deliveries/{}/replay", queued["id"]),
        format!("/api/v1/webhooks/{endpoint}/deliveries/999999/replay"),
        format!("/api/v1/webhooks/{}/test", uuid::Uuid::new_v4()),
    ] {
        post_as(&app, &app.staff, &uri, &json!({}))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    // Deleting an endpoint takes its log with it.
    send_as(
        &app,
        &app.staff,
        Method::DELETE,
        &format!("/api/v1/webhooks/{endpoint}"),
        &Value::Null,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    get(&app, &format!("/api/v1/webhooks/{endpoint}/deliveries"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}

async fn no_more_than_the_limit_are_in_flight_per_endpoint(backend: Backend) {
    let Some(app) = start(backend, 2).await else {
        return;
    };
    let (slow, other) = (Receiver::start().await, Receiver::start().await);
    let endpoint = register(&app, &slow, &["entry.created"]).await;
    register(&app, &other, &["entry.created"]).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    for cents in [100, 200, 300, 400, 500] {
        donation(&app, &volunteer, &group, cents, "2026-11-10").await;
    }
    // Each round sends at most 2 per endpoint; 5 events for each of 2 endpoints take 3 rounds.
    let now = Utc::now();
    assert_eq!(round(&app, now).await, 4);
    assert_eq!(round(&app, now).await, 4);
    assert_eq!(round(&app, now).await, 2);
    assert_eq!(round(&app, now).await, 0);
    assert_eq!((slow.received().len(), other.received().len()), (5, 5));
    // Deliveries claimed by a worker that died are taken again once their claim lapses.
    let worker = app.webhook_worker();
    donation(&app, &volunteer, &group, 600, "2026-11-11").await;
    let now = Utc::now();
    let claimed = campaign_persistence::webhook_outbox::claim_due(
        &app.db,
        uuid::Uuid::parse_str(&endpoint).unwrap(),
        now,
        2,
        Duration::seconds(40),
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1, "claimed, then the worker 'dies'");
    assert_eq!(
        worker.deliver_due(Some(now + Duration::seconds(10))).await.unwrap(),
        1,
        "the other endpoint's"
    );
    assert_eq!(worker.deliver_due(Some(now + Duration::seconds(41))).await.unwrap(), 1);
    assert_eq!(slow.received().len(), 6);
}

async fn urls_pointing_inward_are_refused(backend: Backend) {
    // As in production: private addresses refused.
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    for url in [
        "http://hooks.example.org/in",
        "https://127.0.0.1/hooks",
        "https://localhost:8443/hooks",
        "https://10.0.0.7/hooks",
        "https://192.168.1.20/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fd12::1]/hooks",
        "https://user:pass@hooks.example.org/in",
        "https://intranet/hooks",
        "not a url",
    ] {
        let answer = post_as(
            &app,
            &app.staff,
            "/api/v1/webhooks",
            &json!({ "url": url, "events": ["entry.created"] }),
        )
        .await;
        answer.expect_field_error("url");
    }
    post_as(
        &app,
        &app.staff,
        "/api/v1/webhooks",
        &json!({ "url": "https://hooks.example.org/in", "events": [] }),
    )
    .await
    .expect_problem(StatusCode::BAD_REQUEST);
    post_as(
        &app,
        &app.staff,
        "/api/v1/webhooks",
        &json!({ "url": "https://hooks.example.org/in", "events": ["entry.deleted"] }),
    )
    .await
    .expect_problem(StatusCode::BAD_REQUEST);
    assert!(
        get(&app, "/api/v1/webhooks").await.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn every_role_against_every_webhook_resource(backend: Backend) {
    let Some(app) = start(backend, 4).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let endpoint = register(&app, &receiver, &["entry.created"]).await;
    let (_, volunteer) = app.new_volunteer().await;
    let contact = app.new_contact("44021").await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    let body = json!({ "url": receiver.url, "events": ["entry.created"] });
    let requests: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/api/v1/webhooks".to_owned(), Value::Null),
        (Method::POST, "/api/v1/webhooks".to_owned(), body.clone()),
        (Method::GET, format!("/api/v1/webhooks/{endpoint}"), Value::Null),
        (
            Method::PATCH,
            format!("/api/v1/webhooks/{endpoint}"),
            json!({ "enabled": false }),
        ),
        (Method::DELETE, format!("/api/v1/webhooks/{endpoint}"), Value::Null),
        (
            Method::GET,
            format!("/api/v1/webhooks/{endpoint}/deliveries"),
            Value::Null,
        ),
        (Method::POST, format!("/api/v1/webhooks/{endpoint}/test"), json!({})),
        (
            Method::POST,
            format!("/api/v1/webhooks/{endpoint}/deliveries/1/replay"),
            json!({}),
        ),
    ];
    for who in [&volunteer, &contact, &organisation, &initiative] {
        for (method, uri, body) in &requests {
            let answer = send_as(&app, who, method.clone(), uri, body).await;
            answer.expect_problem(StatusCode::FORBIDDEN);
        }
    }
    for (method, uri, _) in &requests {
        let answer = app.client.request(method.clone(), uri).send().await;
        answer.assert_status(StatusCode::UNAUTHORIZED);
    }
    // Staff change it: events, description, paused.
    let changed = patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/webhooks/{endpoint}"),
        &json!({ "events": ["deposit.closed", "entry.corrected"], "description": null, "enabled": false }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(changed["events"], json!(["entry.corrected", "deposit.closed"]));
    assert_eq!(
        (
            &changed["description"],
            &changed["enabled"],
            &changed["disabled_reason"]
        ),
        (&Value::Null, &json!(false), &json!("disabled by staff"))
    );
    let still = get_as(&app, &app.staff, &format!("/api/v1/webhooks/{endpoint}")).await;
    assert_eq!(still.expect(StatusCode::OK)["enabled"], false);
}
