//! A group's own totals: breakdowns and last year's figure on the same day, scoped like the
//! group itself.

use campaign_domain::ledger::local_date;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    a_group_sees_its_totals_broken_down_against_last_year,
    group_totals_are_scoped_like_the_group,
    group_totals_refuse_bad_parameters,
);

pub fn this_year() -> i32 {
    local_date(Utc::now()).year()
}

/// This year's campaign (whole year, a product) and last year's (whole year).
pub async fn two_campaigns(app: &TestApp) {
    let y = this_year();
    for (year, target) in [(y - 1, 0), (y, 1_000_000)] {
        let body = json!({ "year": year, "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"), "target_cents": target });
        post_as(app, &app.staff, "/api/v1/campaigns", &body)
            .await
            .expect(StatusCode::CREATED);
    }
    post_as(
        app,
        &app.staff,
        &format!("/api/v1/campaigns/{y}/products"),
        &json!({ "code": "cards-6", "name": "Wenskaarten", "unit_price_cents": 1200 }),
    )
    .await
    .expect(StatusCode::CREATED);
}

pub async fn donate(app: &TestApp, session: &Session, group: impl std::fmt::Display, cents: i64, at: &str) {
    let body = json!({ "kind": "donation", "amount_cents": cents, "payment_method": "payconiq", "occurred_at": at });
    post_as(app, session, &format!("/api/v1/groups/{group}/entries"), &body)
        .await
        .expect(StatusCode::CREATED);
}

/// What last year's figure should be: entries of last year up to the same day of the year
/// (both campaigns start on 1 January).
pub fn counted_last_year(entries: &[(NaiveDate, i64)]) -> i64 {
    let today = local_date(Utc::now());
    let last = this_year() - 1;
    let start = NaiveDate::from_ymd_opt(last, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(last, 12, 31).unwrap();
    let cutoff = (start + Duration::days(i64::from(today.ordinal0()))).min(end);
    entries.iter().filter(|(d, _)| *d <= cutoff).map(|(_, c)| c).sum()
}

fn keys(items: &Value) -> Vec<(String, i64)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["key"].as_str().unwrap().to_owned(),
                i["raised_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn a_group_sees_its_totals_broken_down_against_last_year(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    two_campaigns(&app).await;
    let (y, last) = (this_year(), this_year() - 1);
    let (group, volunteer) = app.new_volunteer().await; // Gent
    let neighbour = app.new_group("44021").await;
    let now = (Utc::now() - Duration::minutes(2)).to_rfc3339();
    let sale = json!({ "kind": "sale", "product_code": "cards-6", "quantity": 2, "payment_method": "cash", "occurred_at": now });
    post_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries"), &sale)
        .await
        .expect(StatusCode::CREATED);
    donate(&app, &volunteer, group, 500, &now).await;
    donate(&app, &app.staff, neighbour, 7000, &now).await;
    // Last year: the 1st of January always counts; the 31st of December only at the year's end.
    let staff = app.staff.clone();
    donate(&app, &staff, group, 1000, &format!("{last}-01-01T12:00:00+01:00")).await;
    donate(&app, &staff, group, 9000, &format!("{last}-12-31T12:00:00+01:00")).await;
    donate(&app, &staff, neighbour, 4000, &format!("{last}-01-01T12:00:00+01:00")).await;
    let expected_last_year = counted_last_year(&[
        (NaiveDate::from_ymd_opt(last, 1, 1).unwrap(), 1000),
        (NaiveDate::from_ymd_opt(last, 12, 31).unwrap(), 9000),
    ]);

    let answer = get_as(&app, &volunteer, &format!("/api/v1/groups/{group}/totals")).await;
    let t = answer.expect(StatusCode::OK);
    assert_eq!(t["group_id"], group.to_string());
    assert!(t["group_name"].as_str().unwrap().starts_with("Comité"));
    assert_eq!(
        (t["campaign_year"].as_i64(), t["previous_campaign_year"].as_i64()),
        (Some(i64::from(y)), Some(i64::from(last))),
        "the current campaign by default"
    );
    assert_eq!(
        (t["raised_cents"].as_i64(), t["entries"].as_i64()),
        (Some(2900), Some(2))
    );
    assert_eq!(t["raised_cents_last_year_same_day"], expected_last_year);
    assert_eq!(
        keys(&t["by_kind"]),
        [("sale".to_owned(), 2400), ("donation".to_owned(), 500)]
    );
    assert_eq!(
        keys(&t["by_product"]),
        [("cards-6".to_owned(), 2400), (String::new(), 500)]
    );
    assert_eq!(t["by_product"][0]["label"], "Wenskaarten");
    assert_eq!(
        keys(&t["by_payment_method"]),
        [("cash".to_owned(), 2400), ("payconiq".to_owned(), 500)]
    );
    let today = local_date(Utc::now() - Duration::minutes(2)).to_string();
    assert_eq!(keys(&t["by_day"]), [(today.clone(), 2900)]);
    assert_eq!(
        (t["by_day"][0]["label"].as_str(), t["by_day"][0]["entries"].as_i64()),
        (Some(today.as_str()), Some(2))
    );

    // Last year's own totals, by Belgian day; no campaign before it.
    let before = get(&app, &format!("/api/v1/groups/{group}/totals?campaign_year={last}")).await;
    let b = before.expect(StatusCode::OK);
    assert_eq!(
        (b["raised_cents"].as_i64(), b["previous_campaign_year"].clone()),
        (Some(10_000), Value::Null)
    );
    assert_eq!(b["raised_cents_last_year_same_day"], Value::Null);
    assert_eq!(
        keys(&b["by_day"]),
        [(format!("{last}-01-01"), 1000), (format!("{last}-12-31"), 9000)]
    );

    // A late-evening entry counts on its Belgian day.
    let late = format!("{last}-03-03T23:30:00+01:00");
    donate(&app, &staff, group, 10, &late).await;
    let again = get(&app, &format!("/api/v1/groups/{group}/totals?campaign_year={last}")).await;
    assert!(keys(&again.expect(StatusCode::OK)["by_day"]).contains(&(format!("{last}-03-03"), 10)));
}

async fn group_totals_are_scoped_like_the_group(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    two_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await; // Gent
    let (_, other_volunteer) = app.new_volunteer().await;
    let contact = |nis: &str| {
        app.sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse(nis).unwrap(),
        })
    };
    let gent = contact("44021").await;
    let leuven = contact("24062").await;
    let uri = format!("/api/v1/groups/{group}/totals");
    for (who, session) in [
        ("staff", &app.staff),
        ("own volunteer", &volunteer),
        ("Gent's contact", &gent),
    ] {
        let answer = get_as(&app, session, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{who}: {}", answer.body);
        assert_eq!(answer.body["raised_cents"], 0, "{who}");
    }
    for (who, session) in [
        ("another group's volunteer", &other_volunteer),
        ("Leuven's contact", &leuven),
    ] {
        let answer = get_as(&app, session, &uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: {}", answer.body);
        answer.expect_problem(StatusCode::NOT_FOUND);
    }
    Answer::read(app.client.get(&uri).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
}

async fn group_totals_refuse_bad_parameters(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let group = app.new_group("44021").await;
    let uri = format!("/api/v1/groups/{group}/totals");
    get(&app, &uri).await.expect_problem(StatusCode::NOT_FOUND); // no campaign yet
    two_campaigns(&app).await;
    for query in [
        "campaign_year=1999",
        "campaign_year=2101",
        "campaign_year=twenty",
        "campaign_year=99999999999999999999",
    ] {
        get(&app, &format!("{uri}?{query}"))
            .await
            .expect_field_error("campaign_year");
    }
    get(&app, &format!("{uri}?campaign_year=2099"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/groups/not-a-uuid/totals")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, &format!("/api/v1/groups/{}/totals", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}
