//! Accounts behind tokens and groups of paths, held in memory by each server: a change made
//! through one server counts at its next request there, and is heard by every other server on
//! the same PostgreSQL database; a sale on a copy not yet told of a deactivated group is still
//! refused, by the sale's own statement.
use std::time::{Duration, Instant};

use chrono::Utc;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, on_both_databases, patch_as, post_as};

on_both_databases!(another_server_on_the_same_database_hears_of_deactivations);

fn donation() -> Value {
    let at = Utc::now() - chrono::Duration::minutes(1);
    json!({ "kind": "donation", "amount_cents": 500, "payment_method": "cash", "occurred_at": at.to_rfc3339() })
}

async fn another_server_on_the_same_database_hears_of_deactivations(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    if backend == Backend::Sqlite {
        // One server process serves a SQLite database: nothing to hear.
        return;
    }
    let year = campaign_domain::ledger::local_date(Utc::now()).format("%Y").to_string();
    let body = json!({ "year": year.parse::<i64>().unwrap(), "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"), "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    let (group, volunteer) = app.new_volunteer().await;
    let entries = format!("/api/v1/groups/{group}/entries");

    // A second server process on the same database, with its own copies.
    let other = app.second_server().await;
    let send = |method: &str, path: &str, session: &Session, body: Option<Value>| {
        let request = match method {
            "POST" => other.post(path),
            _ => other.get(path),
        }
        .header("authorization", session.bearer());
        let request = match body {
            Some(body) => request.body_json(&body),
            None => request,
        };
        async move { Answer::read(request.send().await).await }
    };
    // Its copies of the volunteer's account and group are made.
    send("GET", "/api/v1/me", &volunteer, None).await.expect(StatusCode::OK);
    send("POST", &entries, &volunteer, Some(donation()))
        .await
        .expect(StatusCode::CREATED);

    // The first server deactivates the group: the second refuses the next sale at once, told
    // or not yet (the sale's statement checks the group itself).
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{group}"),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);
    send("POST", &entries, &volunteer, Some(donation()))
        .await
        .expect_problem(StatusCode::CONFLICT);

    // The first server deactivates the account: the second hears of it well within the time a
    // copy is kept at most (10 s).
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/users/{}", volunteer.user_id),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);
    let started = Instant::now();
    loop {
        let answer = send("GET", "/api/v1/me", &volunteer, None).await;
        if answer.status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the second server never heard of the deactivation"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
