//! The price lists held in memory: a change is on sale at once in this server, and heard by every
//! other server on the same PostgreSQL database.
use std::time::{Duration, Instant};

use chrono::Utc;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, TestApp, on_both_databases, patch_as, post_as};

on_both_databases!(
    a_product_added_is_on_sale_at_once_and_changed_days_count_at_once,
    another_server_on_the_same_database_hears_of_a_new_product
);

fn year() -> i32 {
    campaign_domain::ledger::local_date(Utc::now())
        .format("%Y")
        .to_string()
        .parse()
        .unwrap()
}

async fn campaign_with(app: &TestApp, products: &[(&str, i64)]) {
    let y = year();
    let body =
        json!({ "year": y, "starts_on": format!("{y}-01-01"), "ends_on": format!("{y}-12-31"), "target_cents": 0 });
    post_as(app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    for (code, price) in products {
        product(app, code, *price).await;
    }
}

async fn product(app: &TestApp, code: &str, price: i64) {
    post_as(
        app,
        &app.staff,
        &format!("/api/v1/campaigns/{}/products", year()),
        &json!({ "code": code, "name": code, "unit_price_cents": price }),
    )
    .await
    .expect(StatusCode::CREATED);
}

fn sale_of(code: &str, at: chrono::DateTime<Utc>) -> Value {
    json!({ "kind": "sale", "product_code": code, "quantity": 2, "payment_method": "cash", "occurred_at": at.to_rfc3339() })
}

async fn a_product_added_is_on_sale_at_once_and_changed_days_count_at_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign_with(&app, &[("cards-6", 1200)]).await;
    let group = app.new_group("44021").await;
    let uri = format!("/api/v1/groups/{group}/entries");
    let now = Utc::now() - chrono::Duration::minutes(1);
    // The first sale reads the price lists; the next ones use the copy.
    post_as(&app, &app.staff, &uri, &sale_of("cards-6", now))
        .await
        .expect(StatusCode::CREATED);
    post_as(&app, &app.staff, &uri, &sale_of("mugs", now))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    product(&app, "mugs", 900).await;
    let sold = post_as(&app, &app.staff, &uri, &sale_of("mugs", now)).await;
    assert_eq!(sold.expect(StatusCode::CREATED)["amount_cents"], 1800);
    // The campaign's days change: a sale on a day now outside it is refused at once.
    let y = year();
    let today = campaign_domain::ledger::local_date(Utc::now());
    if today > chrono::NaiveDate::from_ymd_opt(y, 1, 2).unwrap() {
        let yesterday = today - chrono::Duration::days(1);
        let earlier = campaign_domain::ledger::day_starts_at(yesterday) + chrono::Duration::hours(12);
        post_as(&app, &app.staff, &uri, &sale_of("mugs", earlier))
            .await
            .expect(StatusCode::CREATED);
        // Entries of yesterday keep the campaign from starting today: end it on 31 December and
        // start it yesterday (no entry lies before that day).
        let first_entry_day = yesterday;
        patch_as(
            &app,
            &app.staff,
            &format!("/api/v1/campaigns/{y}"),
            &json!({ "starts_on": first_entry_day.to_string() }),
        )
        .await
        .expect(StatusCode::OK);
        let before = campaign_domain::ledger::day_starts_at(yesterday) - chrono::Duration::hours(12);
        if campaign_domain::ledger::local_date(before) >= chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap() {
            post_as(&app, &app.staff, &uri, &sale_of("mugs", before))
                .await
                .expect_field_error("occurred_at");
        }
    }
}

async fn another_server_on_the_same_database_hears_of_a_new_product(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    if backend == Backend::Sqlite {
        // One server process serves a SQLite database: nothing to hear.
        return;
    }
    campaign_with(&app, &[("cards-6", 1200)]).await;
    let group = app.new_group("44021").await;
    let uri = format!("/api/v1/groups/{group}/entries");
    let now = Utc::now() - chrono::Duration::minutes(1);

    // A second server process on the same database, with its own copy of the price lists.
    let other = app.second_server().await;
    let send = |body: Value| {
        let request = other
            .post(&uri)
            .header("authorization", app.staff.bearer())
            .body_json(&body);
        async move { Answer::read(request.send().await).await }
    };
    send(sale_of("cards-6", now)).await.expect(StatusCode::CREATED);
    send(sale_of("mugs", now))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);

    // The first server adds a product; the second hears of it (NOTIFY at commit).
    product(&app, "mugs", 900).await;
    let started = Instant::now();
    loop {
        let answer = send(sale_of("mugs", now)).await;
        if answer.status == StatusCode::CREATED {
            assert_eq!(answer.body["amount_cents"], 1800);
            break;
        }
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the second server never heard of the new product"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
