//! Engagement programmes: the seeded programmes and staff's edits, a municipality's path from
//! not engaged to recognised with evidence and history, who may move what, every role against
//! every engagement resource, lost updates refused, the public list and map, renewals due.

use chrono::{Duration, Utc};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    programmes_are_seeded_and_staff_edit_them,
    a_contact_commits_and_staff_recognise,
    every_role_against_every_engagement_resource,
    a_change_from_a_stale_version_is_refused,
    evidence_is_kept_per_current_criterion,
    the_public_sees_committed_and_recognised_municipalities,
    staff_see_renewals_coming_due,
);

const GENT: &str = "44021";
const LEUVEN: &str = "24062";

fn engagement(nis: &str, programme: &str) -> String {
    format!("/api/v1/municipalities/{nis}/engagements/{programme}")
}

fn today() -> chrono::NaiveDate {
    campaign_domain::ledger::local_date(Utc::now())
}

async fn anonymous(app: &TestApp, uri: &str, accept: Option<&str>) -> Answer {
    let mut request = app.client.get(uri);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    Answer::read(request.send().await).await
}

async fn patch_if_match(app: &TestApp, session: &Session, uri: &str, tag: &str, body: &Value) -> Answer {
    let request = app
        .client
        .patch(uri)
        .header("authorization", session.bearer())
        .header("if-match", tag)
        .body_json(body);
    Answer::read(request.send().await).await
}

/// Moves `nis` to recognised in `programme` as staff, with the given renewal date.
async fn recognise(app: &TestApp, nis: &str, programme: &str, recognised_on: &str, renewal_due_on: &str) {
    let uri = engagement(nis, programme);
    let decided = recognised_on.parse::<chrono::NaiveDate>().unwrap() - Duration::days(30);
    for body in [
        json!({ "status": "interested" }),
        json!({ "status": "committed", "council_decision_on": decided.to_string() }),
        json!({ "status": "recognised", "recognised_on": recognised_on, "renewal_due_on": renewal_due_on }),
    ] {
        patch_as(app, &app.staff, &uri, &body).await.expect(StatusCode::OK);
    }
}

async fn programmes_are_seeded_and_staff_edit_them(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let listed = anonymous(&app, "/api/v1/programmes", None).await;
    let items = listed.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let codes: Vec<&str> = items.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["faire-gemeente", "solidaire-gemeente"]);
    assert_eq!(items[0]["name"], "Faire Gemeente");
    assert_eq!(items[0]["criteria"].as_array().unwrap().len(), 6);

    let new = json!({ "code": "klimaatgemeente", "name": "Klimaatgemeente",
                      "criteria": [{ "code": "plan", "title": "Een klimaatplan" }] });
    let gent = app.new_contact(GENT).await;
    let (_, volunteer) = app.new_volunteer().await;
    for session in [&gent, &volunteer] {
        post_as(&app, session, "/api/v1/programmes", &new)
            .await
            .expect_problem(StatusCode::FORBIDDEN);
        patch_as(
            &app,
            session,
            "/api/v1/programmes/faire-gemeente",
            &json!({ "name": "x" }),
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    }
    let created = post_as(&app, &app.staff, "/api/v1/programmes", &new).await;
    assert_eq!(created.header("location"), Some("/api/v1/programmes/klimaatgemeente"));
    assert_eq!(created.expect(StatusCode::CREATED)["criteria"][0]["code"], "plan");
    post_as(&app, &app.staff, "/api/v1/programmes", &new)
        .await
        .expect_problem(StatusCode::CONFLICT);
    post_as(
        &app,
        &app.staff,
        "/api/v1/programmes",
        &json!({ "code": "Bad Code", "name": " ", "criteria": [{ "code": "a-b", "title": "x" }, { "code": "a-b", "title": "y" }] }),
    )
    .await
    .expect_field_error("criteria[1].code");

    // Faire Gemeente's sixth criterion, as its organisers define it this year.
    let mut criteria = items[0]["criteria"].as_array().unwrap().clone();
    criteria[5] = json!({ "code": "sixth", "title": "Fairtrade op het personeelsfeest" });
    let changed = patch_as(
        &app,
        &app.staff,
        "/api/v1/programmes/faire-gemeente",
        &json!({ "criteria": criteria }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(changed["name"], "Faire Gemeente");
    assert_eq!(changed["criteria"][5]["title"], "Fairtrade op het personeelsfeest");
    let read = get(&app, "/api/v1/programmes/faire-gemeente").await;
    assert_eq!(
        read.expect(StatusCode::OK)["criteria"][5]["title"],
        "Fairtrade op het personeelsfeest"
    );
    patch_as(&app, &app.staff, "/api/v1/programmes/nope", &json!({ "name": "x" }))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let audit = get(&app, "/api/v1/audit?entity=programme").await;
    let actions: Vec<Value> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&json!("programme.update")), "{actions:?}");
}

async fn a_contact_commits_and_staff_recognise(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact(GENT).await;
    let all = get_as(&app, &gent, &format!("/api/v1/municipalities/{GENT}/engagements")).await;
    let items = all.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["status"] == "not_engaged" && e["version"] == 0));

    let uri = engagement(GENT, "faire-gemeente");
    let interested = patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "status": "interested", "evidence": { "shops-horeca": "12 zaken schenken fairtrade koffie\nlijst in bijlage" } }),
    )
    .await;
    assert_eq!(interested.header("etag"), Some("\"v1\""));
    let body = interested.expect(StatusCode::OK);
    assert_eq!(body["status"], "interested");
    assert_eq!(
        body["evidence"]["shops-horeca"],
        "12 zaken schenken fairtrade koffie\nlijst in bijlage"
    );

    patch_as(&app, &gent, &uri, &json!({ "status": "committed" }))
        .await
        .expect_field_error("council_decision_on");
    let committed = patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "status": "committed", "council_decision_on": "2026-03-12" }),
    )
    .await;
    assert_eq!(committed.expect(StatusCode::OK)["council_decision_on"], "2026-03-12");

    // Only staff recognise: the contact is told so, and nothing changes.
    let refused = patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "status": "recognised", "recognised_on": "2026-06-01", "renewal_due_on": "2028-06-01" }),
    )
    .await;
    let detail = refused.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("only 11.11.11 staff"), "{detail}");
    patch_as(
        &app,
        &app.staff,
        &uri,
        &json!({ "status": "recognised", "recognised_on": "2026-06-01" }),
    )
    .await
    .expect_field_error("renewal_due_on");
    let recognised = patch_as(
        &app,
        &app.staff,
        &uri,
        &json!({ "status": "recognised", "recognised_on": "2026-06-01", "renewal_due_on": "2028-06-01" }),
    )
    .await;
    assert_eq!(recognised.expect(StatusCode::OK)["status"], "recognised");
    // The contact keeps its evidence current, but not the staff's dates.
    patch_as(&app, &gent, &uri, &json!({ "renewal_due_on": "2030-06-01" }))
        .await
        .expect_field_error("renewal_due_on");
    patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "evidence": { "communication": "Artikel in het stadsblad" } }),
    )
    .await
    .expect(StatusCode::OK);
    patch_as(&app, &gent, &uri, &json!({ "status": "lapsed" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    // A move the machine does not have at all, even for staff.
    patch_as(&app, &app.staff, &uri, &json!({ "status": "not_engaged" }))
        .await
        .expect_problem(StatusCode::CONFLICT);

    let read = get_as(&app, &gent, &uri).await;
    assert_eq!(read.header("etag"), Some("\"v4\""));
    let detail = read.expect(StatusCode::OK);
    assert_eq!(detail["status"], "recognised");
    assert_eq!(detail["renewal_due_on"], "2028-06-01");
    let history = detail["history"].as_array().unwrap();
    let moves: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h["status_from"].as_str().unwrap(), h["status_to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        moves,
        [
            ("recognised", "recognised"),
            ("committed", "recognised"),
            ("interested", "committed"),
            ("not_engaged", "interested")
        ]
    );
    assert_eq!(history[0]["fields"], json!(["evidence.communication"]));
    assert_eq!(history[0]["by"], gent.user_id.to_string());
    assert_eq!(history[1]["by"], app.staff.user_id.to_string());
    assert_eq!(
        history[1]["fields"],
        json!(["status", "recognised_on", "renewal_due_on"])
    );
    let audit = get(&app, "/api/v1/audit?entity=engagement").await;
    assert_eq!(audit.expect(StatusCode::OK)["items"].as_array().map(Vec::len), Some(4));

    // A change that changes nothing is no change: same version, no history.
    let same = patch_as(&app, &gent, &uri, &json!({ "status": "recognised" })).await;
    assert_eq!(same.header("etag"), Some("\"v4\""));
}

async fn every_role_against_every_engagement_resource(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact(GENT).await;
    let leuven = app.new_contact(LEUVEN).await;
    let (_, volunteer) = app.new_volunteer().await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let list = format!("/api/v1/municipalities/{GENT}/engagements");
    let one = engagement(GENT, "solidaire-gemeente");
    let move_up = json!({ "status": "interested" });

    // Inside the scope: staff and Gent's contact.
    for session in [&app.staff, &gent] {
        get_as(&app, session, &list).await.expect(StatusCode::OK);
        get_as(&app, session, &one).await.expect(StatusCode::OK);
    }
    patch_as(&app, &gent, &one, &move_up).await.expect(StatusCode::OK);
    // Outside it: Leuven's contact, a volunteer and a member organisation are told it does not
    // exist, and change nothing.
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    for session in [&leuven, &volunteer, &organisation, &initiative] {
        get_as(&app, session, &list).await.expect_problem(StatusCode::NOT_FOUND);
        get_as(&app, session, &one).await.expect_problem(StatusCode::NOT_FOUND);
        patch_as(&app, session, &one, &json!({ "status": "not_engaged" }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let still = get(&app, &one).await;
    assert_eq!(still.expect(StatusCode::OK)["status"], "interested");
    // Leuven's contact works on Leuven.
    patch_as(&app, &leuven, &engagement(LEUVEN, "faire-gemeente"), &move_up)
        .await
        .expect(StatusCode::OK);

    // Unknown things are 404 for staff too; a malformed NIS code names the field.
    get(&app, "/api/v1/municipalities/99999/engagements")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get(&app, &engagement(GENT, "nope"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    patch_as(&app, &app.staff, &engagement(GENT, "nope"), &move_up)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/municipalities/gent/engagements")
        .await
        .expect_field_error("nis");

    // The renewals queue is staff's; the public list is anyone's.
    for session in [&gent, &volunteer] {
        get_as(&app, session, "/api/v1/engagements/renewals-due")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    get(&app, "/api/v1/engagements/renewals-due")
        .await
        .expect(StatusCode::OK);
    for uri in [list.as_str(), one.as_str(), "/api/v1/engagements/renewals-due"] {
        anonymous(&app, uri, None)
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    anonymous(&app, "/api/v1/public/programmes/faire-gemeente/municipalities", None)
        .await
        .expect(StatusCode::OK);
}

async fn a_change_from_a_stale_version_is_refused(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact(GENT).await;
    let uri = engagement(GENT, "faire-gemeente");
    let first = get_as(&app, &gent, &uri).await;
    let tag = first.header("etag").unwrap().to_owned();
    assert_eq!(tag, "\"v0\"");
    // Two people change from the same version: the first wins, the second is told to re-read.
    patch_if_match(&app, &app.staff, &uri, &tag, &json!({ "status": "interested" }))
        .await
        .expect(StatusCode::OK);
    let stale = patch_if_match(
        &app,
        &gent,
        &uri,
        &tag,
        &json!({ "evidence": { "council": "Schepen bevoegd voor fairtrade" } }),
    )
    .await;
    let detail = stale.expect_problem(StatusCode::PRECONDITION_FAILED)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("\"v1\""), "{detail}");
    let now = get_as(&app, &gent, &uri).await;
    assert_eq!(now.expect(StatusCode::OK)["evidence"], json!({}));
    patch_if_match(
        &app,
        &gent,
        &uri,
        "\"v1\"",
        &json!({ "evidence": { "council": "Schepen" } }),
    )
    .await
    .expect(StatusCode::OK);
    patch_if_match(&app, &gent, &uri, "v2", &json!({ "status": "committed" }))
        .await
        .expect_field_error("If-Match");
}

async fn evidence_is_kept_per_current_criterion(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact(GENT).await;
    let uri = engagement(GENT, "faire-gemeente");
    let wrong = patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "evidence": { "no-such-criterion": "x", "council": "é".repeat(4001) } }),
    )
    .await;
    wrong.expect_field_error("evidence.no-such-criterion");
    wrong.expect_field_error("evidence.council");
    let body = json!({ "evidence": { "council": "Raad keurde het engagement goed", "sixth": "Fairtrade-ontbijt" } });
    patch_as(&app, &gent, &uri, &body).await.expect(StatusCode::OK);
    // Cleared with null or blank text; the others stay.
    let cleared = patch_as(&app, &gent, &uri, &json!({ "evidence": { "council": null } })).await;
    assert_eq!(
        cleared.expect(StatusCode::OK)["evidence"],
        json!({ "sixth": "Fairtrade-ontbijt" })
    );

    // Staff drop the sixth criterion: its evidence is no longer listed, and comes back with it.
    let programme = get(&app, "/api/v1/programmes/faire-gemeente").await;
    let criteria = programme.expect(StatusCode::OK)["criteria"].as_array().unwrap().clone();
    let five: Vec<Value> = criteria[..5].to_vec();
    patch_as(
        &app,
        &app.staff,
        "/api/v1/programmes/faire-gemeente",
        &json!({ "criteria": five }),
    )
    .await
    .expect(StatusCode::OK);
    let read = get_as(&app, &gent, &uri).await;
    assert_eq!(read.expect(StatusCode::OK)["evidence"], json!({}));
    patch_as(&app, &gent, &uri, &json!({ "evidence": { "sixth": "x" } }))
        .await
        .expect_field_error("evidence.sixth");
    patch_as(
        &app,
        &app.staff,
        "/api/v1/programmes/faire-gemeente",
        &json!({ "criteria": criteria }),
    )
    .await
    .expect(StatusCode::OK);
    let read = get_as(&app, &gent, &uri).await;
    assert_eq!(
        read.expect(StatusCode::OK)["evidence"],
        json!({ "sixth": "Fairtrade-ontbijt" })
    );
}

async fn the_public_sees_committed_and_recognised_municipalities(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let gent = app.new_contact(GENT).await;
    recognise(&app, LEUVEN, "faire-gemeente", "2025-06-01", "2027-06-01").await;
    let uri = engagement(GENT, "faire-gemeente");
    patch_as(&app, &gent, &uri, &json!({ "status": "interested" }))
        .await
        .expect(StatusCode::OK);
    let public = "/api/v1/public/programmes/faire-gemeente/municipalities";
    // Interest is the municipality's own business: not public yet.
    let listed = anonymous(&app, public, None).await;
    let body = listed.expect(StatusCode::OK);
    let codes: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["nis_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [LEUVEN]);
    assert_eq!(body["programme_name"], "Faire Gemeente");
    assert_eq!(body["items"][0]["name_nl"], "Leuven");
    assert_eq!(body["items"][0]["status"], "recognised");

    patch_as(
        &app,
        &gent,
        &uri,
        &json!({ "status": "committed", "council_decision_on": "2026-03-12" }),
    )
    .await
    .expect(StatusCode::OK);
    let listed = anonymous(&app, public, None).await;
    let body = listed.expect(StatusCode::OK);
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    let counts = body["by_province"].as_array().unwrap();
    assert_eq!(counts.len(), 6);
    let of = |province: &str| counts.iter().find(|c| c["province"] == province).cloned().unwrap();
    assert_eq!(
        of("Oost-Vlaanderen"),
        json!({ "province": "Oost-Vlaanderen", "committed": 1, "recognised": 0 })
    );
    assert_eq!(
        of("Vlaams-Brabant"),
        json!({ "province": "Vlaams-Brabant", "committed": 0, "recognised": 1 })
    );
    let committed = anonymous(&app, &format!("{public}?status=committed"), None).await;
    assert_eq!(committed.expect(StatusCode::OK)["items"][0]["nis_code"], GENT);
    anonymous(&app, &format!("{public}?status=interested"), None)
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    anonymous(&app, "/api/v1/public/programmes/nope/municipalities", None)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    // The other programme has nobody yet.
    let other = anonymous(
        &app,
        "/api/v1/public/programmes/solidaire-gemeente/municipalities",
        None,
    )
    .await;
    assert_eq!(other.expect(StatusCode::OK)["items"], json!([]));

    let map = anonymous(&app, public, Some("application/geo+json")).await;
    assert_eq!(map.header("content-type"), Some("application/geo+json"));
    let map = map.expect(StatusCode::OK);
    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["id"], LEUVEN);
    assert_eq!(features[0]["properties"]["status"], "recognised");
    assert!(
        matches!(
            features[0]["geometry"]["type"].as_str(),
            Some("Polygon" | "MultiPolygon")
        ),
        "{}",
        features[0]["geometry"]
    );
}

async fn staff_see_renewals_coming_due(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let day = |n: i64| (today() + Duration::days(n)).to_string();
    recognise(&app, LEUVEN, "faire-gemeente", &day(-700), &day(30)).await;
    recognise(&app, GENT, "solidaire-gemeente", &day(-300), &day(200)).await;
    recognise(&app, "11002", "faire-gemeente", &day(-800), &day(-3)).await;
    let due = get(&app, "/api/v1/engagements/renewals-due").await;
    let due = due.expect(StatusCode::OK);
    assert_eq!(due["within_days"], 90);
    let listed: Vec<(String, i64)> = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["municipality_nis"].as_str().unwrap().to_owned(),
                r["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("11002".to_owned(), -3), (LEUVEN.to_owned(), 30)]);
    let year = get(&app, "/api/v1/engagements/renewals-due?within_days=365").await;
    assert_eq!(year.expect(StatusCode::OK)["items"].as_array().map(Vec::len), Some(3));
    get(&app, "/api/v1/engagements/renewals-due?within_days=-1")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    // A lapsed title is no longer due for renewal.
    patch_as(
        &app,
        &app.staff,
        &engagement("11002", "faire-gemeente"),
        &json!({ "status": "lapsed" }),
    )
    .await
    .expect(StatusCode::OK);
    let due = get(&app, "/api/v1/engagements/renewals-due").await;
    assert_eq!(due.expect(StatusCode::OK)["items"].as_array().map(Vec::len), Some(1));
}
