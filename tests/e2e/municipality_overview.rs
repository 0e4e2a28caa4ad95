//! A municipality at a glance: groups, upcoming activities, money against last year, material
//! requests; for staff and its contacts only.

use chrono::{Duration, NaiveDate, Utc};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::group_totals::{counted_last_year, donate, this_year, two_campaigns};
use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    a_contact_sees_their_municipality_at_a_glance,
    the_overview_is_for_staff_and_the_municipalitys_contacts,
    the_overview_refuses_bad_parameters,
);

async fn activity(
    app: &TestApp,
    session: &Session,
    group: impl std::fmt::Display,
    title: &str,
    starts_in_hours: i64,
) -> Value {
    let starts = Utc::now() + Duration::hours(starts_in_hours);
    let body = json!({
        "kind": "quiz", "title": title, "public": true, "campaign_year": this_year(),
        "starts_at": starts.to_rfc3339(), "ends_at": (starts + Duration::hours(2)).to_rfc3339(),
        "location": { "lon": 3.7250, "lat": 51.0543, "address": "Korenmarkt 1, 9000 Gent" },
    });
    post_as(app, session, &format!("/api/v1/groups/{group}/activities"), &body)
        .await
        .expect(StatusCode::CREATED)
        .clone()
}

async fn a_contact_sees_their_municipality_at_a_glance(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    two_campaigns(&app).await;
    let last = this_year() - 1;
    let (group, volunteer) = app.new_volunteer().await; // Gent
    let second = app.new_group("44021").await;
    let elsewhere = app.new_group("24062").await;
    let staff = app.staff.clone();
    let now = (Utc::now() - Duration::minutes(2)).to_rfc3339();
    donate(&app, &volunteer, group, 1500, &now).await;
    donate(&app, &staff, second, 500, &now).await;
    donate(&app, &staff, elsewhere, 99_999, &now).await;
    donate(&app, &staff, group, 300, &format!("{last}-01-01T10:00:00+01:00")).await;
    donate(&app, &staff, second, 200, &format!("{last}-01-02T10:00:00+01:00")).await;
    donate(&app, &staff, second, 4000, &format!("{last}-12-31T10:00:00+01:00")).await;
    donate(&app, &staff, elsewhere, 777, &format!("{last}-01-01T10:00:00+01:00")).await;
    let expected_last_year = counted_last_year(&[
        (NaiveDate::from_ymd_opt(last, 1, 1).unwrap(), 300),
        (NaiveDate::from_ymd_opt(last, 1, 2).unwrap(), 200),
        (NaiveDate::from_ymd_opt(last, 12, 31).unwrap(), 4000),
    ]);

    let later = activity(&app, &volunteer, group, "Later", 48).await;
    let soon = activity(&app, &staff, second, "Soon", 2).await;
    let cancelled = activity(&app, &volunteer, group, "Off", 3).await;
    patch_as(
        &app,
        &volunteer,
        &format!("/api/v1/activities/{}", cancelled["id"].as_str().unwrap()),
        &json!({ "status": "cancelled" }),
    )
    .await
    .expect(StatusCode::OK);
    let _past = activity(&app, &volunteer, group, "Over", -5).await;
    activity(&app, &app.staff, elsewhere, "Leuven", 1).await;

    let gent = app.new_contact("44021").await;
    for code in ["flag", "banner"] {
        let body = json!({ "code": code, "name": code, "lent": false, "stock_on_hand": 10 });
        post_as(&app, &app.staff, "/api/v1/materials", &body)
            .await
            .expect(StatusCode::CREATED);
    }
    let needed_by = (Utc::now() + Duration::days(10)).date_naive().to_string();
    let mut requests = Vec::new();
    for code in ["flag", "banner", "flag"] {
        let body = json!({ "lines": [{ "material_code": code, "quantity": 1 }], "needed_by": needed_by, "delivery_address": "Stadhuis, Botermarkt 1, 9000 Gent" });
        let made = post_as(&app, &gent, "/api/v1/municipalities/44021/material-requests", &body).await;
        requests.push(made.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned());
    }
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/material-requests/{}/approve", requests[0]),
        &json!({}),
    )
    .await
    .expect(StatusCode::OK);

    patch_as(
        &app,
        &gent,
        "/api/v1/municipalities/44021/engagements/faire-gemeente",
        &json!({ "status": "interested", "evidence": { "council": "Op de agenda van de raad" } }),
    )
    .await
    .expect(StatusCode::OK);

    let answer = get_as(&app, &gent, "/api/v1/municipalities/44021/overview").await;
    let o = answer.expect(StatusCode::OK);
    let engagements: Vec<(&str, &str)> = o["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["programme"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        engagements,
        [("faire-gemeente", "interested"), ("solidaire-gemeente", "not_engaged")]
    );
    assert_eq!(o["engagements"][0]["evidence"]["council"], "Op de agenda van de raad");
    assert_eq!(
        o["municipality"],
        json!({ "nis_code": "44021", "name_nl": "Gent", "name_fr": null, "province": "Oost-Vlaanderen" })
    );
    assert_eq!(
        (o["campaign_year"].as_i64(), o["previous_campaign_year"].as_i64()),
        (Some(i64::from(this_year())), Some(i64::from(last)))
    );
    assert_eq!(
        (o["raised_cents"].as_i64(), o["entries"].as_i64()),
        (Some(2000), Some(2))
    );
    assert_eq!(o["raised_cents_last_year_same_day"], expected_last_year);
    let mut groups: Vec<&str> = o["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    groups.sort_unstable();
    let mut expected = [group.to_string(), second.to_string()];
    expected.sort_unstable();
    assert_eq!(groups, expected);
    assert_eq!(o["groups"][0]["active"], true);
    let upcoming: Vec<&str> = o["upcoming_activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        upcoming,
        ["Soon", "Later"],
        "not cancelled, not over, soonest first, only Gent's"
    );
    let first = &o["upcoming_activities"][0];
    assert_eq!(first["id"], soon["id"]);
    assert_eq!(
        (
            first["group_id"].as_str(),
            first["kind"].as_str(),
            first["status"].as_str()
        ),
        (Some(second.to_string().as_str()), Some("quiz"), Some("planned"))
    );
    assert_eq!(
        (first["public"].as_bool(), first["address"].as_str()),
        (Some(true), Some("Korenmarkt 1, 9000 Gent"))
    );
    assert_eq!(o["upcoming_activities"][1]["id"], later["id"]);
    assert_eq!(
        o["requests_by_status"],
        json!({ "submitted": 2, "approved": 1, "rejected": 0, "shipped": 0, "delivered": 0, "returned": 0, "cancelled": 0 })
    );
    let listed: Vec<&str> = o["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = requests.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    assert_eq!(o["requests"][2]["status"], "approved");
    assert_eq!(
        o["requests"][0]["lines"],
        json!([{ "material_code": "flag", "quantity": 1 }])
    );

    // A contact's campaign totals: their municipality, no campaign-wide target, last year's figure.
    let totals = get_as(&app, &gent, &format!("/api/v1/campaigns/{}/totals", this_year())).await;
    let t = totals.expect(StatusCode::OK);
    assert_eq!(
        (t["raised_cents"].as_i64(), t["municipality_nis"].as_str()),
        (Some(2000), Some("44021"))
    );
    assert_eq!(t["target_cents"], Value::Null);
    assert_eq!(t["raised_cents_last_year_same_day"], expected_last_year);
    assert_eq!(t["previous_campaign_year"], last);
    let whole = get_as(&app, &volunteer, &format!("/api/v1/campaigns/{}/totals", this_year())).await;
    let w = whole.expect(StatusCode::OK);
    assert_eq!(
        (w["target_cents"].as_i64(), w["municipality_nis"].clone()),
        (Some(1_000_000), Value::Null)
    );
    let expected_whole = counted_last_year(&[
        (NaiveDate::from_ymd_opt(last, 1, 1).unwrap(), 300 + 777),
        (NaiveDate::from_ymd_opt(last, 1, 2).unwrap(), 200),
        (NaiveDate::from_ymd_opt(last, 12, 31).unwrap(), 4000),
    ]);
    assert_eq!(
        w["raised_cents_last_year_same_day"], expected_whole,
        "campaign-wide for a volunteer"
    );
    let first_campaign = get(&app, &format!("/api/v1/campaigns/{last}/totals")).await;
    let f = first_campaign.expect(StatusCode::OK);
    assert_eq!(
        (
            f["previous_campaign_year"].clone(),
            f["raised_cents_last_year_same_day"].clone()
        ),
        (Value::Null, Value::Null)
    );

    // Last year's overview: no campaign before it.
    let before = get(
        &app,
        &format!("/api/v1/municipalities/44021/overview?campaign_year={last}"),
    )
    .await;
    let b = before.expect(StatusCode::OK);
    assert_eq!(
        (b["raised_cents"].as_i64(), b["raised_cents_last_year_same_day"].clone()),
        (Some(4500), Value::Null)
    );
}

async fn the_overview_is_for_staff_and_the_municipalitys_contacts(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    two_campaigns(&app).await;
    let (_, volunteer) = app.new_volunteer().await; // a group in Gent
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let uri = "/api/v1/municipalities/44021/overview";
    for (who, session) in [("staff", &app.staff), ("Gent's contact", &gent)] {
        let answer = get_as(&app, session, uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{who}: {}", answer.body);
        assert_eq!(answer.body["groups"].as_array().unwrap().len(), 1, "{who}");
    }
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    for (who, session) in [
        ("a volunteer of a group there", &volunteer),
        ("Leuven's contact", &leuven),
        ("a member organisation", &organisation),
    ] {
        let answer = get_as(&app, session, uri).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: {}", answer.body);
        answer.expect_problem(StatusCode::NOT_FOUND);
    }
    Answer::read(app.client.get(uri).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    // An empty municipality: zeros everywhere, every state listed.
    let empty = get(&app, "/api/v1/municipalities/11001/overview").await;
    let e = empty.expect(StatusCode::OK);
    assert_eq!(
        (
            e["raised_cents"].as_i64(),
            e["raised_cents_last_year_same_day"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(e["requests_by_status"].as_object().unwrap().len(), 7);
    assert!(e["groups"].as_array().unwrap().is_empty() && e["requests"].as_array().unwrap().is_empty());
}

async fn the_overview_refuses_bad_parameters(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    get(&app, "/api/v1/municipalities/44021/overview")
        .await
        .expect_problem(StatusCode::NOT_FOUND); // no campaign yet
    two_campaigns(&app).await;
    get(&app, "/api/v1/municipalities/4402x/overview")
        .await
        .expect_field_error("nis");
    get(&app, "/api/v1/municipalities/99999/overview")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    for query in ["campaign_year=1999", "campaign_year=abc", "campaign_year=-1"] {
        get(&app, &format!("/api/v1/municipalities/44021/overview?{query}"))
            .await
            .expect_field_error("campaign_year");
    }
    get(&app, "/api/v1/municipalities/44021/overview?campaign_year=2090")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}
