//! Activities: logging, scoping, status, geography, filters, pagination, GeoJSON, the public agenda.

use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    groups_log_their_own_activities_and_read_within_scope,
    status_moves_forward_only,
    locations_resolve_to_their_municipality,
    every_filter_narrows_the_list,
    near_is_true_distance_nearest_first,
    pages_stay_correct_while_activities_arrive,
    the_public_agenda_has_no_personal_data,
    the_public_agenda_is_bounded_to_the_current_campaign,
    geojson_only_when_the_accept_weights_prefer_it,
    bad_activity_input_names_the_field,
    concurrent_edits_never_undo_a_cancellation,
    if_match_guards_every_change,
);

fn activity(title: &str, starts_at: &str, ends_at: &str, location: Option<(f64, f64)>, public: bool) -> Value {
    let mut body =
        json!({ "kind": "quiz", "title": title, "starts_at": starts_at, "ends_at": ends_at, "public": public });
    if let Some((lon, lat)) = location {
        body["location"] = json!({ "lon": lon, "lat": lat, "address": "Somewhere 1" });
    }
    body
}

async fn with_campaigns(app: &TestApp) {
    for year in [2025, 2026] {
        let body = json!({ "year": year, "starts_on": format!("{year}-10-01"), "ends_on": format!("{year}-12-31"), "target_cents": 0 });
        post_as(app, &app.staff, "/api/v1/campaigns", &body)
            .await
            .expect(StatusCode::CREATED);
    }
}

async fn log(app: &TestApp, session: &Session, group: GroupId, body: &Value) -> Value {
    let answer = post_as(app, session, &format!("/api/v1/groups/{group}/activities"), body).await;
    answer.expect(StatusCode::CREATED).clone()
}

fn titles(body: &Value) -> Vec<String> {
    let items = body.get("items").or_else(|| body.get("features")).unwrap();
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.get("properties").unwrap_or(a)["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn groups_log_their_own_activities_and_read_within_scope(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group_a, volunteer_a) = app.new_volunteer().await;
    let (group_b, volunteer_b) = app.new_volunteer().await;
    let group_leuven = app.new_group("24062").await;
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

    let quiz = log(
        &app,
        &volunteer_a,
        group_a,
        &activity(
            "Quiz A",
            "2026-11-07T19:30:00+01:00",
            "2026-11-07T23:00:00+01:00",
            None,
            true,
        ),
    )
    .await;
    assert_eq!(
        quiz["starts_at"], "2026-11-07T18:30:00+00:00",
        "stored and shown in UTC"
    );
    assert_eq!(
        quiz["municipality_nis"], "44021",
        "the group's municipality without a location"
    );
    assert_eq!(
        (quiz["status"].as_str(), quiz["campaign_year"].as_i64()),
        (Some("planned"), Some(2026))
    );
    assert_eq!(quiz["created_by"], volunteer_a.user_id.to_string());
    log(
        &app,
        &volunteer_b,
        group_b,
        &activity(
            "Dinner B",
            "2026-11-08T18:00:00+01:00",
            "2026-11-08T22:00:00+01:00",
            None,
            false,
        ),
    )
    .await;
    log(
        &app,
        &app.staff,
        group_leuven,
        &activity(
            "Walk Leuven",
            "2026-11-09T10:00:00+01:00",
            "2026-11-09T12:00:00+01:00",
            None,
            true,
        ),
    )
    .await;

    // Writing for another group: 404 for a volunteer (not even visible), 403 for a contact who sees it.
    let body = activity("Not mine", "2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z", None, true);
    post_as(
        &app,
        &volunteer_a,
        &format!("/api/v1/groups/{group_b}/activities"),
        &body,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    post_as(&app, &gent, &format!("/api/v1/groups/{group_a}/activities"), &body)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    post_as(&app, &leuven, &format!("/api/v1/groups/{group_a}/activities"), &body)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &volunteer_a,
        &format!("/api/v1/groups/{}/activities", uuid::Uuid::new_v4()),
        &body,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);

    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let list = |s: &Session| {
        let s = s.clone();
        let app = &app;
        async move {
            sorted(titles(
                get_as(app, &s, "/api/v1/activities").await.expect(StatusCode::OK),
            ))
        }
    };
    assert_eq!(list(&app.staff).await, ["Dinner B", "Quiz A", "Walk Leuven"]);
    assert_eq!(list(&volunteer_a).await, ["Quiz A"]);
    assert_eq!(list(&volunteer_b).await, ["Dinner B"]);
    assert_eq!(list(&gent).await, ["Dinner B", "Quiz A"]);
    assert_eq!(list(&leuven).await, ["Walk Leuven"]);
    // Filters never widen the scope.
    let answer = get_as(&app, &volunteer_a, &format!("/api/v1/activities?group_id={group_b}")).await;
    assert!(titles(answer.expect(StatusCode::OK)).is_empty());

    let quiz_uri = format!("/api/v1/activities/{}", quiz["id"].as_str().unwrap());
    for (session, status) in [
        (&volunteer_a, StatusCode::OK),
        (&gent, StatusCode::OK),
        (&volunteer_b, StatusCode::NOT_FOUND),
        (&leuven, StatusCode::NOT_FOUND),
    ] {
        assert_eq!(get_as(&app, session, &quiz_uri).await.status, status);
    }
    let change = json!({ "title": "Quiz A, edited" });
    patch_as(&app, &volunteer_b, &quiz_uri, &change)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    patch_as(&app, &gent, &quiz_uri, &change)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    assert_eq!(
        patch_as(&app, &volunteer_a, &quiz_uri, &change)
            .await
            .expect(StatusCode::OK)["title"],
        "Quiz A, edited"
    );

    // The campaign follows the Belgian calendar: 23:30 UTC on 31 December is already next year.
    let late = activity("New Year", "2026-12-31T23:30:00Z", "2027-01-01T01:00:00Z", None, true);
    let answer = post_as(
        &app,
        &volunteer_a,
        &format!("/api/v1/groups/{group_a}/activities"),
        &late,
    )
    .await;
    assert!(
        answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("2027")
    );
    let mut explicit = late.clone();
    explicit["campaign_year"] = json!(2026);
    assert_eq!(log(&app, &volunteer_a, group_a, &explicit).await["campaign_year"], 2026);

    // An inactive group logs nothing.
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{group_b}"),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);
    let answer = post_as(
        &app,
        &volunteer_b,
        &format!("/api/v1/groups/{group_b}/activities"),
        &body,
    )
    .await;
    answer.expect_problem(StatusCode::CONFLICT);
}

async fn status_moves_forward_only(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let new = |title: &'static str| {
        activity(
            title,
            "2026-11-07T19:30:00+01:00",
            "2026-11-07T23:00:00+01:00",
            None,
            true,
        )
    };
    let held = log(&app, &volunteer, group, &new("Held")).await;
    let held = format!("/api/v1/activities/{}", held["id"].as_str().unwrap());
    patch_as(&app, &volunteer, &held, &json!({ "status": "held" }))
        .await
        .expect_field_error("attendance");
    patch_as(&app, &volunteer, &held, &json!({ "attendance": 40 }))
        .await
        .expect_field_error("attendance");
    patch_as(&app, &volunteer, &held, &json!({ "status": "held", "attendance": -1 }))
        .await
        .expect_field_error("attendance");
    let answer = patch_as(&app, &volunteer, &held, &json!({ "status": "held", "attendance": 85 })).await;
    assert_eq!(
        (answer.body["status"].as_str(), answer.body["attendance"].as_i64()),
        (Some("held"), Some(85))
    );
    // The attendance can be corrected; the status cannot go back.
    assert_eq!(
        patch_as(&app, &volunteer, &held, &json!({ "attendance": 90 }))
            .await
            .expect(StatusCode::OK)["attendance"],
        90
    );
    for to in ["planned", "cancelled"] {
        let answer = patch_as(&app, &volunteer, &held, &json!({ "status": to })).await;
        assert!(
            answer.expect_problem(StatusCode::CONFLICT)["detail"]
                .as_str()
                .unwrap()
                .contains("is held"),
            "{}",
            answer.body
        );
    }

    let cancelled = log(&app, &volunteer, group, &new("Cancelled")).await;
    let cancelled = format!("/api/v1/activities/{}", cancelled["id"].as_str().unwrap());
    assert_eq!(
        patch_as(&app, &volunteer, &cancelled, &json!({ "status": "cancelled" }))
            .await
            .expect(StatusCode::OK)["status"],
        "cancelled"
    );
    for to in [
        json!({ "status": "planned" }),
        json!({ "status": "held", "attendance": 3 }),
    ] {
        let answer = patch_as(&app, &volunteer, &cancelled, &to).await;
        assert!(
            answer.expect_problem(StatusCode::CONFLICT)["detail"]
                .as_str()
                .unwrap()
                .contains("is cancelled")
        );
    }
    let after = get(&app, &cancelled).await;
    assert_eq!(
        after.expect(StatusCode::OK)["status"],
        "cancelled",
        "a refused change changes nothing"
    );
}

async fn locations_resolve_to_their_municipality(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await; // a group of Gent
    let body = |location| {
        activity(
            "Stand",
            "2026-11-07T10:00:00+01:00",
            "2026-11-07T16:00:00+01:00",
            location,
            true,
        )
    };
    let in_leuven = log(&app, &volunteer, group, &body(Some((4.7010, 50.8789)))).await;
    assert_eq!(
        in_leuven["municipality_nis"], "24062",
        "resolved from the point, not the group's Gent"
    );
    assert_eq!(in_leuven["location"]["address"], "Somewhere 1");
    assert_eq!(
        log(&app, &volunteer, group, &body(None)).await["municipality_nis"],
        "44021"
    );
    assert_eq!(
        log(&app, &volunteer, group, &body(Some((3.7210, 51.0546)))).await["municipality_nis"],
        "44021"
    );
    for outside in [(4.8670, 50.4669), (2.6, 51.4)] {
        let answer = post_as(
            &app,
            &volunteer,
            &format!("/api/v1/groups/{group}/activities"),
            &body(Some(outside)),
        )
        .await;
        let detail = answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(detail.contains("outside Flanders and Brussels"), "{detail}");
    }
    // The contact of Leuven sees the stand held in Leuven.
    let leuven = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("24062").unwrap(),
        })
        .await;
    let answer = get_as(&app, &leuven, "/api/v1/activities").await;
    assert_eq!(answer.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    // Moving it re-resolves the municipality.
    let uri = format!("/api/v1/activities/{}", in_leuven["id"].as_str().unwrap());
    let moved = patch_as(
        &app,
        &volunteer,
        &uri,
        &json!({ "location": { "lon": 4.4006, "lat": 51.2194 } }),
    )
    .await;
    assert_eq!(moved.expect(StatusCode::OK)["municipality_nis"], "11002");
    patch_as(
        &app,
        &volunteer,
        &uri,
        &json!({ "location": { "lon": 4.8670, "lat": 50.4669 } }),
    )
    .await
    .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
}

/// Logs a set of activities over two groups and two campaigns.
async fn agenda(app: &TestApp) -> (GroupId, GroupId) {
    with_campaigns(app).await;
    let gent = app.new_group("44021").await;
    let leuven = app.new_group("24062").await;
    let staff = app.staff.clone();
    let items = [
        (
            gent,
            "quiz",
            "Gent quiz",
            "2026-11-07T19:00:00+01:00",
            Some((3.7210, 51.0546)),
            true,
        ),
        (
            gent,
            "dinner",
            "Gent dinner",
            "2026-11-14T19:00:00+01:00",
            Some((3.7300, 51.0500)),
            false,
        ),
        (
            gent,
            "walk",
            "Gent walk 2025",
            "2025-11-09T10:00:00+01:00",
            Some((3.7000, 51.0400)),
            true,
        ),
        (
            leuven,
            "sale_stand",
            "Leuven stand",
            "2026-11-08T10:00:00+01:00",
            Some((4.7010, 50.8789)),
            true,
        ),
        (
            leuven,
            "concert",
            "Leuven concert",
            "2026-11-21T20:00:00+01:00",
            None,
            true,
        ),
    ];
    for (group, kind, title, start, location, public) in items {
        let starts: chrono::DateTime<chrono::FixedOffset> = start.parse().unwrap();
        let ends = (starts + chrono::Duration::hours(3)).to_rfc3339();
        let mut body = activity(title, start, &ends, location, public);
        body["kind"] = json!(kind);
        log(app, &staff, group, &body).await;
    }
    (gent, leuven)
}

async fn every_filter_narrows_the_list(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (gent, _) = agenda(&app).await;
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "".into(),
            vec![
                "Gent walk 2025",
                "Gent quiz",
                "Leuven stand",
                "Gent dinner",
                "Leuven concert",
            ],
        ),
        ("campaign_year=2025".into(), vec!["Gent walk 2025"]),
        (
            format!("group_id={gent}&campaign_year=2026"),
            vec!["Gent quiz", "Gent dinner"],
        ),
        ("municipality_nis=24062".into(), vec!["Leuven stand", "Leuven concert"]),
        ("province=Vlaams-Brabant".into(), vec!["Leuven stand", "Leuven concert"]),
        ("province=Limburg".into(), vec![]),
        ("kind=sale_stand".into(), vec!["Leuven stand"]),
        ("status=planned&kind=quiz".into(), vec!["Gent quiz"]),
        ("status=held".into(), vec![]),
        (
            "from=2026-11-10T00:00:00%2B01:00".into(),
            vec!["Gent dinner", "Leuven concert"],
        ),
        (
            "from=2026-11-01T00:00:00Z&to=2026-11-10T00:00:00Z".into(),
            vec!["Gent quiz", "Leuven stand"],
        ),
        (
            "bbox=3.6,51.0,3.8,51.1".into(),
            vec!["Gent walk 2025", "Gent quiz", "Gent dinner"],
        ),
        ("bbox=4.6,50.8,4.8,50.9".into(), vec!["Leuven stand"]),
    ];
    for (query, expected) in cases {
        let answer = get(&app, &format!("/api/v1/activities?{query}")).await;
        assert_eq!(titles(answer.expect(StatusCode::OK)), expected, "?{query}");
    }

    // GeoJSON: points as [lon, lat]; an activity without a location has a null geometry.
    let resp = app
        .client
        .get("/api/v1/activities?campaign_year=2026")
        .header("authorization", app.staff.bearer())
        .header("accept", "application/geo+json")
        .send()
        .await;
    let answer = Answer::read(resp).await;
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/geo+json")
    );
    let geo = answer.expect(StatusCode::OK);
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 4);
    let quiz = features
        .iter()
        .find(|f| f["properties"]["title"] == "Gent quiz")
        .unwrap();
    assert_eq!(quiz["type"], "Feature");
    assert_eq!(
        quiz["geometry"],
        json!({ "type": "Point", "coordinates": [3.7210, 51.0546] })
    );
    assert_eq!(quiz["id"], quiz["properties"]["id"]);
    let concert = features
        .iter()
        .find(|f| f["properties"]["title"] == "Leuven concert")
        .unwrap();
    assert_eq!(concert["geometry"], Value::Null);
}

async fn near_is_true_distance_nearest_first(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    agenda(&app).await;
    // Korenmarkt, Gent: the quiz is there, the dinner ~800 m away, the walk ~2 km.
    let answer = get(&app, "/api/v1/activities?near=3.7210,51.0546&radius_km=5").await;
    let body = answer.expect(StatusCode::OK);
    assert_eq!(titles(body), ["Gent quiz", "Gent dinner", "Gent walk 2025"]);
    let distances: Vec<f64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["distance_m"].as_f64().unwrap())
        .collect();
    assert_eq!(distances[0], 0.0);
    assert!((700.0..900.0).contains(&distances[1]), "{distances:?}");
    assert!(distances.windows(2).all(|w| w[0] <= w[1]));
    // A radius is a circle, not a box: the corner of the bounding square is outside.
    let answer = get(&app, "/api/v1/activities?near=3.7210,51.0546&radius_km=0.85").await;
    assert_eq!(titles(answer.expect(StatusCode::OK)), ["Gent quiz", "Gent dinner"]);
    let answer = get(&app, "/api/v1/activities?near=4.35,50.85&radius_km=100").await;
    assert_eq!(
        titles(answer.expect(StatusCode::OK)).len(),
        4,
        "within 100 km of Brussels, with a location"
    );
    let answer = get(&app, "/api/v1/activities?near=3.7210,51.0546&radius_km=5&kind=dinner").await;
    assert_eq!(
        titles(answer.expect(StatusCode::OK)),
        ["Gent dinner"],
        "near combines with the other filters"
    );
}

async fn pages_stay_correct_while_activities_arrive(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let group = app.new_group("44021").await;
    let staff = app.staff.clone();
    let at = |day: u32, hour: u32| format!("2026-11-{day:02}T{hour:02}:00:00Z");
    let mut originals = Vec::new();
    for i in 0..10u32 {
        let title = format!("A{i}");
        let near = Some((3.72 + f64::from(i) * 0.001, 51.05));
        log(
            &app,
            &staff,
            group,
            &activity(&title, &at(5 + i, 10), &at(5 + i, 12), near, true),
        )
        .await;
        originals.push(title);
    }
    for (base, cursor_key) in [
        ("/api/v1/activities?limit=3", "&"),
        ("/api/v1/activities?near=3.72,51.05&radius_km=10&limit=3", "&"),
    ] {
        let mut seen = Vec::new();
        let mut uri = base.to_owned();
        let mut extra = 0;
        loop {
            let page = get(&app, &uri).await.expect(StatusCode::OK).clone();
            seen.extend(titles(&page));
            // Between pages, new activities arrive: before, inside and after what was read.
            for (day, lon) in [(1, 3.7195), (9, 3.7245), (28, 3.75)] {
                extra += 1;
                log(
                    &app,
                    &staff,
                    group,
                    &activity(
                        &format!("new{extra}"),
                        &at(day, 9),
                        &at(day, 10),
                        Some((lon, 51.05)),
                        true,
                    ),
                )
                .await;
            }
            match page["next_cursor"].as_str() {
                Some(c) => uri = format!("{base}{cursor_key}cursor={c}"),
                None => break,
            }
        }
        let originals_seen: Vec<&String> = seen.iter().filter(|t| t.starts_with('A')).collect();
        let mut unique = originals_seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            originals_seen.len(),
            "{base}: no activity twice: {seen:?}"
        );
        assert_eq!(
            unique.len(),
            10,
            "{base}: every activity that existed is listed: {seen:?}"
        );
    }
}

async fn the_public_agenda_has_no_personal_data(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (gent, _) = agenda(&app).await;
    let staff = app.staff.clone();
    let cancelled = log(
        &app,
        &staff,
        gent,
        &activity(
            "Cancelled quiz",
            "2026-11-20T19:00:00Z",
            "2026-11-20T22:00:00Z",
            Some((3.72, 51.05)),
            true,
        ),
    )
    .await;
    patch_as(
        &app,
        &staff,
        &format!("/api/v1/activities/{}", cancelled["id"].as_str().unwrap()),
        &json!({ "status": "cancelled" }),
    )
    .await
    .expect(StatusCode::OK);

    let answer = Answer::read(app.client.get("/api/v1/public/activities").send().await).await;
    let body = answer.expect(StatusCode::OK);
    assert_eq!(
        titles(body),
        ["Gent quiz", "Leuven stand", "Leuven concert"],
        "public, not cancelled, of the current campaign"
    );
    for item in body["items"].as_array().unwrap() {
        for private in ["created_by", "group_id", "notes", "created_at"] {
            assert!(item.get(private).is_none(), "{private} leaks in {item}");
        }
    }
    let answer = Answer::read(
        app.client
            .get("/api/v1/public/activities?near=3.7210,51.0546&radius_km=3&from=2026-01-01T00:00:00Z")
            .send()
            .await,
    )
    .await;
    assert_eq!(titles(answer.expect(StatusCode::OK)), ["Gent quiz"]);
    let answer = Answer::read(app.client.get("/api/v1/public/activities?radius_km=3").send().await).await;
    answer.expect_field_error("near");
}

async fn bad_activity_input_names_the_field(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let uri = format!("/api/v1/groups/{group}/activities");
    let good = activity(
        "Quiz",
        "2026-11-07T19:30:00+01:00",
        "2026-11-07T23:00:00+01:00",
        Some((3.72, 51.05)),
        true,
    );
    let with = |path: &str, value: Value| {
        let mut body = good.clone();
        let mut target = &mut body;
        let parts: Vec<&str> = path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            target = &mut target[*part];
        }
        target[parts[parts.len() - 1]] = value;
        body
    };
    for (path, value, field) in [
        ("kind", json!("bbq"), "kind"),
        ("title", json!(""), "title"),
        ("title", json!("t".repeat(201)), "title"),
        ("description", json!("d".repeat(5001)), "description"),
        ("ends_at", json!("2026-11-07T18:00:00+01:00"), "ends_at"),
        ("ends_at", json!("2026-12-25T18:00:00+01:00"), "ends_at"),
        ("starts_at", json!("next friday"), "starts_at"),
        ("starts_at", json!("2026-11-07 19:30"), "starts_at"),
        ("location.lon", json!(200.0), "location.lon"),
        ("location.lat", json!("abc"), "location.lat"),
        ("public", json!("yes"), "public"),
        ("campaign_year", json!(1999), "campaign_year"),
        ("mood", json!("festive"), "mood"),
    ] {
        let answer = post_as(&app, &volunteer, &uri, &with(path, value.clone())).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{path}={value}: {}",
            answer.body
        );
        answer.expect_field_error(field);
    }
    for (query, field) in [
        ("near=3.72,51.05", "radius_km"),
        ("near=3.72&radius_km=5", "near"),
        ("near=abc,def&radius_km=5", "near"),
        ("near=3.72,51.05&radius_km=0", "radius_km"),
        ("near=3.72,51.05&radius_km=-2", "radius_km"),
        ("near=3.72,51.05&radius_km=20000", "radius_km"),
        ("near=3.72,51.05&radius_km=many", "radius_km"),
        ("bbox=3.6,51.0,3.8", "bbox"),
        ("bbox=3.8,51.0,3.6,51.1", "bbox"),
        ("kind=bbq", "kind"),
        ("status=done", "status"),
        ("from=yesterday", "from"),
        ("from=2026-11-10T00:00:00Z&to=2026-11-01T00:00:00Z", "to"),
        ("group_id=abc", "group_id"),
        ("campaign_year=twenty", "campaign_year"),
        ("cursor=garbage", "cursor"),
    ] {
        get(&app, &format!("/api/v1/activities?{query}"))
            .await
            .expect_field_error(field);
    }
    get(&app, "/api/v1/activities/not-a-uuid")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, &format!("/api/v1/activities/{}", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    assert!(
        titles(get(&app, "/api/v1/activities").await.expect(StatusCode::OK)).is_empty(),
        "nothing was created"
    );
}

async fn patch_if_match(app: &TestApp, session: &Session, uri: &str, if_match: Option<&str>, body: &Value) -> Answer {
    let mut request = app
        .client
        .patch(uri)
        .header("authorization", session.bearer())
        .body_json(body);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    Answer::read(request.send().await).await
}

async fn concurrent_edits_never_undo_a_cancellation(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    for round in 0..3 {
        let created = log(
            &app,
            &volunteer,
            group,
            &activity(
                &format!("Round {round}"),
                "2026-11-07T19:30:00+01:00",
                "2026-11-07T23:00:00+01:00",
                None,
                true,
            ),
        )
        .await;
        let uri = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
        // One cancellation among title edits that do not touch the status, all at once.
        let bodies: Vec<Value> = (0..9)
            .map(|i| {
                if i == 4 {
                    json!({ "status": "cancelled" })
                } else {
                    json!({ "title": format!("Edit {i}") })
                }
            })
            .collect();
        let answers =
            futures_util::future::join_all(bodies.iter().map(|b| patch_if_match(&app, &volunteer, &uri, None, b)))
                .await;
        for answer in &answers {
            answer.expect(StatusCode::OK);
        }
        let after = get(&app, &uri).await;
        assert_eq!(
            after.expect(StatusCode::OK)["status"],
            "cancelled",
            "round {round}: no concurrent edit undid the cancellation"
        );
    }
}

async fn if_match_guards_every_change(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    with_campaigns(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let created = log(
        &app,
        &volunteer,
        group,
        &activity(
            "Quiz",
            "2026-11-07T19:30:00+01:00",
            "2026-11-07T23:00:00+01:00",
            None,
            true,
        ),
    )
    .await;
    let uri = format!("/api/v1/activities/{}", created["id"].as_str().unwrap());
    let read = get_as(&app, &volunteer, &uri).await;
    read.expect(StatusCode::OK);
    let seen = read.header("etag").unwrap().to_owned();
    assert!(seen.starts_with('"') && seen.ends_with('"'), "a strong ETag: {seen}");

    let changed = patch_if_match(&app, &volunteer, &uri, Some(&seen), &json!({ "title": "Pub quiz" })).await;
    assert_eq!(changed.expect(StatusCode::OK)["title"], "Pub quiz");
    let now = changed.header("etag").unwrap().to_owned();
    assert_ne!(now, seen, "every change gives a new ETag");
    assert_eq!(get(&app, &uri).await.header("etag"), Some(now.as_str()));

    // A second phone still holds the old version: refused, nothing changed.
    let stale = patch_if_match(&app, &volunteer, &uri, Some(&seen), &json!({ "status": "cancelled" })).await;
    let detail = stale.expect_problem(StatusCode::PRECONDITION_FAILED)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains(&now), "names the current ETag: {detail}");
    let after = get(&app, &uri).await;
    assert_eq!(after.body["status"], "planned");
    assert_eq!(after.header("etag"), Some(now.as_str()));

    // `*`, a list with the current tag, and no If-Match at all go through; weak tags never match.
    for (tag, title) in [("*", "One"), ("\"v0\", CURRENT", "Two")] {
        let current = get(&app, &uri).await.header("etag").unwrap().to_owned();
        let tag = tag.replace("CURRENT", &current);
        patch_if_match(&app, &volunteer, &uri, Some(&tag), &json!({ "title": title }))
            .await
            .expect(StatusCode::OK);
    }
    let current = get(&app, &uri).await.header("etag").unwrap().to_owned();
    patch_if_match(
        &app,
        &volunteer,
        &uri,
        Some(&format!("W/{current}")),
        &json!({ "title": "Weak" }),
    )
    .await
    .expect_problem(StatusCode::PRECONDITION_FAILED);
    patch_if_match(&app, &volunteer, &uri, Some("not-a-tag"), &json!({ "title": "Bad" }))
        .await
        .expect_field_error("If-Match");
    patch_if_match(&app, &volunteer, &uri, None, &json!({ "title": "Three" }))
        .await
        .expect(StatusCode::OK);

    // Eight phones send a change made from the same version at once: exactly one applies.
    let current = get(&app, &uri).await.header("etag").unwrap().to_owned();
    let bodies: Vec<Value> = (0..8).map(|i| json!({ "title": format!("Phone {i}") })).collect();
    let answers = futures_util::future::join_all(
        bodies
            .iter()
            .map(|b| patch_if_match(&app, &volunteer, &uri, Some(&current), b)),
    )
    .await;
    let winners: Vec<&Answer> = answers.iter().filter(|a| a.status == StatusCode::OK).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .all(|a| a.status == StatusCode::OK || a.status == StatusCode::PRECONDITION_FAILED)
    );
    assert_eq!(get(&app, &uri).await.body["title"], winners[0].body["title"]);

    // The contract says so.
    let spec = get(&app, "/api/v1/openapi.json").await.body;
    let item = &spec["paths"]["/activities/{id}"];
    // poem-openapi writes header names in capitals; HTTP header names ignore case.
    let headers = item["get"]["responses"]["200"]["headers"].as_object().unwrap();
    assert!(
        headers.keys().any(|h| h.eq_ignore_ascii_case("etag")),
        "{}",
        item["get"]
    );
    assert!(item["patch"]["responses"]["412"].is_object());
    assert!(
        item["patch"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "If-Match" && p["in"] == "header")
    );
}
async fn the_public_agenda_is_bounded_to_the_current_campaign(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let client = &app.client;
    let public = |uri: String| async move { Answer::read(client.get(uri).send().await).await };
    // No campaign, nothing current: an empty agenda.
    let empty = public("/api/v1/public/activities".to_owned()).await;
    assert_eq!(empty.expect(StatusCode::OK)["items"], json!([]));

    // 2025 and 2026; the 2026 campaign (1 October to 31 December) is current on and after
    // 1 October 2026: under way, then the last one that ended.
    agenda(&app).await;
    let gent = "near=3.7210,51.0546";
    let everything = public(format!(
        "/api/v1/public/activities?{gent}&radius_km=25&from=2025-01-01T00:00:00Z"
    ))
    .await;
    assert_eq!(
        titles(everything.expect(StatusCode::OK)),
        ["Gent quiz"],
        "the 2025 walk, 2 km away, is of an earlier campaign"
    );
    public(format!("/api/v1/public/activities?{gent}&radius_km=25.5"))
        .await
        .expect_field_error("radius_km");
    public(format!("/api/v1/public/activities?{gent}&radius_km=100"))
        .await
        .expect_field_error("radius_km");
    public("/api/v1/public/activities?limit=101".to_owned())
        .await
        .expect_field_error("limit");
    let full_page = public("/api/v1/public/activities?limit=100".to_owned()).await;
    assert_eq!(titles(full_page.expect(StatusCode::OK)).len(), 3);
    // Signed in, the wider bounds stay.
    get(&app, "/api/v1/activities?near=3.7210,51.0546&radius_km=100&limit=500")
        .await
        .expect(StatusCode::OK);
}

async fn geojson_only_when_the_accept_weights_prefer_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    agenda(&app).await;
    for (accept, geo) in [
        ("application/geo+json", true),
        ("application/json, application/geo+json;q=0", false),
        ("application/geo+json;q=0, */*", false),
        ("application/json;q=0.5, application/geo+json", true),
        ("application/json, application/geo+json", false),
    ] {
        let request = app
            .client
            .get("/api/v1/activities")
            .header("authorization", app.staff.bearer())
            .header("accept", accept);
        let answer = Answer::read(request.send().await).await;
        let body = answer.expect(StatusCode::OK);
        assert_eq!(body.get("features").is_some(), geo, "{accept}");
        let content_type = answer.header("content-type").unwrap_or_default();
        assert_eq!(
            content_type.starts_with("application/geo+json"),
            geo,
            "{accept}: {content_type}"
        );
    }
}
