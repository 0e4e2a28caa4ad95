//! Live totals streams: shared reads, caps, and the end of a stream with its token or account.

use std::time::Duration;

use campaign_api::LiveStreamLimits;
use campaign_domain::user::Membership;
use futures_util::StreamExt;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, TestOptions, on_both_databases, patch_as, post_as};

on_both_databases!(
    many_streams_share_one_totals_read_per_change,
    streams_are_capped_per_account_and_in_all,
    a_stream_ends_when_its_account_is_deactivated,
    a_stream_ends_when_its_access_token_expires,
);

/// A bounded wait for what the server sends next (events come at most once a second).
const PATIENCE: Duration = Duration::from_secs(10);

fn year() -> i64 {
    campaign_domain::ledger::local_date(chrono::Utc::now())
        .format("%Y")
        .to_string()
        .parse()
        .unwrap()
}

async fn start(backend: Backend, limits: LiveStreamLimits) -> Option<TestApp> {
    let mut options = TestOptions::default();
    options.http.live_streams = limits;
    let app = TestApp::start_with(backend, options).await?;
    let y = year();
    let body =
        json!({ "year": y, "starts_on": format!("{y}-01-01"), "ends_on": format!("{y}-12-31"), "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    Some(app)
}

async fn open<E: poem::Endpoint>(client: &TestClient<E>, bearer: &str) -> TestResponse {
    client
        .get(format!("/api/v1/campaigns/{}/totals/stream", year()))
        .header("authorization", bearer)
        .send()
        .await
}

async fn donate(app: &TestApp, volunteer: &Session, group: campaign_domain::ids::GroupId, cents: i64) {
    let at = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let body = json!({ "kind": "donation", "amount_cents": cents, "payment_method": "cash", "occurred_at": at });
    post_as(app, volunteer, &format!("/api/v1/groups/{group}/entries"), &body)
        .await
        .expect(StatusCode::CREATED);
}

async fn many_streams_share_one_totals_read_per_change(backend: Backend) {
    let limits = LiveStreamLimits {
        per_account: 20,
        ..LiveStreamLimits::default()
    };
    let Some(app) = start(backend, limits).await else {
        return;
    };
    // A server of our own on the same database, to count its totals reads.
    let http = campaign_api::HttpSettings {
        live_streams: limits,
        ..Default::default()
    };
    let auth = campaign_api::auth::AuthState::new(campaign_tests::TEST_JWT_SECRET, Default::default()).unwrap();
    let state = campaign_api::AppState::load(app.db.clone(), http, auth).await.unwrap();
    let server = TestClient::new(poem::EndpointExt::boxed(campaign_api::app(state.clone())));
    let (group, volunteer) = app.new_volunteer().await;

    let mut streams = Vec::new();
    for _ in 0..8 {
        let resp = open(&server, &app.staff.bearer()).await;
        resp.assert_status_is_ok();
        let mut events = resp.json_sse_stream();
        let first = events.next().await.expect("a first event");
        first.value().object().get("raised_cents").assert_i64(0);
        streams.push(events);
    }
    assert_eq!(state.live.reads(), 1, "eight streams, one read at connect");

    // SQLite announces in-process: the write must go through the server that streams.
    let writer = if backend == Backend::Sqlite {
        &server
    } else {
        &app.client
    };
    let at = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let body = json!({ "kind": "donation", "amount_cents": 700, "payment_method": "cash", "occurred_at": at });
    let answer = Answer::read(
        writer
            .post(format!("/api/v1/groups/{group}/entries"))
            .header("authorization", volunteer.bearer())
            .body_json(&body)
            .send()
            .await,
    )
    .await;
    answer.expect(StatusCode::CREATED);
    for events in &mut streams {
        let next = tokio::time::timeout(PATIENCE, events.next())
            .await
            .expect("an event after the write");
        next.expect("the stream is open")
            .value()
            .object()
            .get("raised_cents")
            .assert_i64(700);
    }
    assert_eq!(
        state.live.reads(),
        2,
        "one read for the change, shared by eight streams"
    );
}

async fn streams_are_capped_per_account_and_in_all(backend: Backend) {
    let limits = LiveStreamLimits {
        per_account: 2,
        total: 3,
        ..LiveStreamLimits::default()
    };
    let Some(app) = start(backend, limits).await else {
        return;
    };
    let other = app.sign_in_new(Membership::Staff).await;
    let third = app.sign_in_new(Membership::Staff).await;
    let first = open(&app.client, &app.staff.bearer()).await;
    first.assert_status_is_ok();
    let second = open(&app.client, &app.staff.bearer()).await;
    second.assert_status_is_ok();
    let over = Answer::read(open(&app.client, &app.staff.bearer()).await).await;
    let detail = over.expect_problem(StatusCode::TOO_MANY_REQUESTS)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("2 live totals streams open"), "{detail}");
    assert!(over.header("retry-after").is_some());

    let others = open(&app.client, &other.bearer()).await;
    others.assert_status_is_ok();
    let full = Answer::read(open(&app.client, &third.bearer()).await).await;
    let detail = full.expect_problem(StatusCode::SERVICE_UNAVAILABLE)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("CAMPAIGN_LIVE_STREAMS_TOTAL"), "{detail}");

    // A closed stream gives its place back.
    drop(first);
    open(&app.client, &third.bearer()).await.assert_status_is_ok();
    let _still_open = (second, others);
}

async fn a_stream_ends_when_its_account_is_deactivated(backend: Backend) {
    let limits = LiveStreamLimits {
        account_check: Duration::from_millis(50),
        ..LiveStreamLimits::default()
    };
    let Some(app) = start(backend, limits).await else {
        return;
    };
    let colleague = app.sign_in_new(Membership::Staff).await;
    let resp = open(&app.client, &colleague.bearer()).await;
    resp.assert_status_is_ok();
    let mut events = resp.json_sse_stream();
    events.next().await.expect("a first event");
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/users/{}", colleague.user_id),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);
    let end = tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("the stream ends within the account check interval");
    assert!(end.is_none(), "no event after the deactivation");
    // The other stream of a still active account goes on.
    let (group, volunteer) = app.new_volunteer().await;
    let resp = open(&app.client, &app.staff.bearer()).await;
    let mut events = resp.json_sse_stream();
    events.next().await.expect("a first event");
    donate(&app, &volunteer, group, 300).await;
    let next = tokio::time::timeout(PATIENCE, events.next()).await.expect("an event");
    next.expect("still open")
        .value()
        .object()
        .get("raised_cents")
        .assert_i64(300);
}

/// The staff's access token, re-signed to expire `seconds` from now.
fn expiring_token(session: &Session, seconds: i64) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = session.access_token.split('.').nth(1).unwrap();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["exp"] = json!(chrono::Utc::now().timestamp() + seconds);
    let header = jsonwebtoken::Header {
        typ: Some(campaign_api::auth::TOKEN_TYPE.to_owned()),
        ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
    };
    let key = jsonwebtoken::EncodingKey::from_secret(campaign_tests::TEST_JWT_SECRET);
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

async fn a_stream_ends_when_its_access_token_expires(backend: Backend) {
    let Some(app) = start(backend, LiveStreamLimits::default()).await else {
        return;
    };
    // Expiry is on the wall clock (the token's `exp`, whole seconds), so this waits for it: 2 s
    // ahead is the shortest that still leaves at least a second to open the stream.
    let token = expiring_token(&app.staff, 2);
    let resp = open(&app.client, &format!("Bearer {token}")).await;
    resp.assert_status_is_ok();
    let mut events = resp.json_sse_stream();
    events.next().await.expect("a first event");
    let end = tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("the stream ends when the token expires");
    assert!(end.is_none(), "no event after the expiry");
    // A token past its `exp` (still inside the verification leeway) opens no stream.
    let stale = expiring_token(&app.staff, -5);
    let answer = Answer::read(open(&app.client, &format!("Bearer {stale}")).await).await;
    let detail = answer.expect_problem(StatusCode::UNAUTHORIZED)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("expired"), "{detail}");
}
