//! The member organisations' offer: the managed themes, an organisation publishing and changing
//! its own offers (and no one else's), every role against every offer resource, and the search
//! (full text on each database, filters, paging).

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    staff_keep_the_themes,
    an_organisation_publishes_changes_and_withdraws_its_offers,
    every_role_against_every_offer_resource,
    the_search_finds_words_and_the_filters_combine,
);

/// The seeded ids of three member organisations (`migrations/src/data/member_organisations.txt`).
pub const JOIN_FOR_WATER: &str = "11111111-1111-4111-8111-00000000001b";
pub const BROEDERLIJK_DELEN: &str = "11111111-1111-4111-8111-000000000006";
pub const OXFAM: &str = "11111111-1111-4111-8111-00000000001f";

pub fn water_walk() -> Value {
    json!({
        "title": "Waterwandeling",
        "description": "Een wandeling langs beken en waterlopen met een gids van Join For Water.",
        "formats": ["walk"],
        "themes": ["water"],
        "audiences": ["citizens"],
        "provinces": ["Limburg"],
        "cost_note": "€150 per groep",
        "link": "https://www.joinforwater.ngo"
    })
}

fn enough() -> Value {
    json!({
        "title": "Leef met Genoeg",
        "description": "Een methode over consumeren en de donuteconomie; over water komt het niet.",
        "formats": ["game_or_method"],
        "themes": ["economy", "climate"],
        "audiences": ["citizens", "schools"]
    })
}

fn reception() -> Value {
    json!({
        "title": "Eerlijke receptie",
        "description": "Fairtrade-producten voor de recepties van de gemeente.",
        "formats": ["products"],
        "themes": ["fair-trade"],
        "audiences": ["civil_servants", "council_members"]
    })
}

pub async fn publish(app: &TestApp, session: &Session, organisation: &str, offer: &Value) -> Value {
    let uri = format!("/api/v1/member-organisations/{organisation}/offers");
    post_as(app, session, &uri, offer)
        .await
        .expect(StatusCode::CREATED)
        .clone()
}

async fn anonymous(app: &TestApp, uri: &str) -> Answer {
    Answer::read(app.client.get(uri).send().await).await
}

fn titles(answer: &Answer) -> Vec<String> {
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn staff_keep_the_themes(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let themes = anonymous(&app, "/api/v1/offer-themes").await;
    let codes: Vec<&str> = themes.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    for code in [
        "water",
        "climate",
        "fair-trade",
        "migration",
        "youth-participation",
        "middle-east",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let dance = json!({ "code": "dance", "name": "Dans" });
    let contact = app.new_contact("44021").await;
    let org = app.new_member_org(uuid::Uuid::parse_str(OXFAM).unwrap()).await;
    let (_, volunteer) = app.new_volunteer().await;
    for session in [&contact, &org, &volunteer] {
        post_as(&app, session, "/api/v1/offer-themes", &dance)
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let added = post_as(&app, &app.staff, "/api/v1/offer-themes", &dance).await;
    assert_eq!(added.expect(StatusCode::CREATED)["name"], "Dans");
    post_as(&app, &app.staff, "/api/v1/offer-themes", &dance)
        .await
        .expect_problem(StatusCode::CONFLICT);
    post_as(
        &app,
        &app.staff,
        "/api/v1/offer-themes",
        &json!({ "code": "Dance Moves", "name": " " }),
    )
    .await
    .expect_problem(StatusCode::BAD_REQUEST);
    // The new theme tags offers at once.
    let mut danced = reception();
    danced["themes"] = json!(["dance"]);
    let published = publish(&app, &org, OXFAM, &danced).await;
    assert_eq!(published["themes"], json!(["dance"]));
}

async fn an_organisation_publishes_changes_and_withdraws_its_offers(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let org = app.new_member_org(uuid::Uuid::parse_str(JOIN_FOR_WATER).unwrap()).await;
    let uri = format!("/api/v1/member-organisations/{JOIN_FOR_WATER}/offers");
    let created = post_as(&app, &org, &uri, &water_walk()).await;
    let location = created.header("location").unwrap().to_owned();
    let offer = created.expect(StatusCode::CREATED).clone();
    assert_eq!(location, format!("/api/v1/offers/{}", offer["id"].as_str().unwrap()));
    assert_eq!(offer["organisation_id"], JOIN_FOR_WATER);
    assert_eq!(offer["organisation_name"], "Join for Water");
    assert_eq!(offer["formats"], json!(["walk"]));
    assert_eq!(offer["provinces"], json!(["Limburg"]));
    assert_eq!(offer["everywhere"], false);
    assert_eq!(offer["active"], true);
    assert_eq!(
        anonymous(&app, &location).await.expect(StatusCode::OK)["title"],
        "Waterwandeling"
    );

    // Lists replace, null clears, absent stays; the whole offer is checked again.
    let changed = patch_as(
        &app,
        &org,
        &location,
        &json!({ "provinces": [], "cost_note": null, "formats": ["walk", "lecture", "walk"] }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(changed["everywhere"], true);
    assert_eq!(changed["cost_note"], Value::Null);
    assert_eq!(changed["formats"], json!(["lecture", "walk"]));
    assert_eq!(changed["title"], "Waterwandeling");
    assert_eq!(changed["link"], "https://www.joinforwater.ngo");

    // Bad fields are named; an unknown theme is named with the list to look in.
    let mut bad = water_walk();
    bad["title"] = json!("  ");
    bad["link"] = json!("http://www.joinforwater.ngo");
    let refused = post_as(&app, &org, &uri, &bad).await;
    refused.expect_field_error("title");
    refused.expect_field_error("link");
    let mut unknown = water_walk();
    unknown["themes"] = json!(["water", "space-travel"]);
    let refused = post_as(&app, &org, &uri, &unknown).await;
    assert!(
        refused.expect_field_error("themes")["detail"].as_str().is_some()
            && refused.body.to_string().contains("space-travel"),
        "{}",
        refused.body
    );
    patch_as(&app, &org, &location, &json!({ "themes": ["nope"] }))
        .await
        .expect_field_error("themes");

    // Withdrawn: out of the search, still readable, still in the organisation's own list.
    let withdrawn = patch_as(&app, &org, &location, &json!({ "active": false })).await;
    assert_eq!(withdrawn.expect(StatusCode::OK)["active"], false);
    assert!(titles(&anonymous(&app, "/api/v1/offers").await).is_empty());
    assert_eq!(anonymous(&app, &location).await.expect(StatusCode::OK)["active"], false);
    let own = get_as(&app, &org, &uri).await;
    assert_eq!(titles(&own), ["Waterwandeling"]);
    assert_eq!(own.body["total"], 1);
    patch_as(&app, &org, &location, &json!({ "active": true }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(titles(&anonymous(&app, "/api/v1/offers").await), ["Waterwandeling"]);

    let audit = get(&app, "/api/v1/audit?entity=offer").await;
    let actions: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "offer.update").count(),
        3,
        "{actions:?}"
    );
    assert!(actions.contains(&"offer.create"), "{actions:?}");
}

async fn every_role_against_every_offer_resource(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let own = app.new_member_org(uuid::Uuid::parse_str(JOIN_FOR_WATER).unwrap()).await;
    let other = app.new_member_org(uuid::Uuid::parse_str(OXFAM).unwrap()).await;
    let contact = app.new_contact("44021").await;
    let (_, volunteer) = app.new_volunteer().await;
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    let own_list = format!("/api/v1/member-organisations/{JOIN_FOR_WATER}/offers");
    let offer = publish(&app, &own, JOIN_FOR_WATER, &water_walk()).await;
    let offer_uri = format!("/api/v1/offers/{}", offer["id"].as_str().unwrap());
    let rename = json!({ "title": "Andere titel" });

    // Publishing and the organisation's own list: staff and its accounts; hidden from others.
    publish(&app, &app.staff, JOIN_FOR_WATER, &enough()).await;
    for session in [&other, &contact, &volunteer, &initiative] {
        post_as(&app, session, &own_list, &water_walk())
            .await
            .expect_problem(StatusCode::NOT_FOUND);
        get_as(&app, session, &own_list)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    assert_eq!(titles(&get_as(&app, &own, &own_list).await).len(), 2);
    assert_eq!(titles(&get(&app, &own_list).await).len(), 2);
    Answer::read(app.client.post(&own_list).body_json(&water_walk()).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    // An offer is public to read; only staff and its organisation change it.
    for session in [&other, &contact, &volunteer, &initiative] {
        get_as(&app, session, &offer_uri).await.expect(StatusCode::OK);
        patch_as(&app, session, &offer_uri, &rename)
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    anonymous(&app, &offer_uri).await.expect(StatusCode::OK);
    for session in [&own, &app.staff] {
        patch_as(&app, session, &offer_uri, &rename)
            .await
            .expect(StatusCode::OK);
    }
    assert_eq!(anonymous(&app, &offer_uri).await.body["title"], "Andere titel");
    anonymous(&app, &format!("/api/v1/offers/{}", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    // A member_org account has no business with groups, requests, questions or totals.
    for uri in [
        "/api/v1/groups",
        "/api/v1/material-requests",
        "/api/v1/questions",
        "/api/v1/users",
    ] {
        get_as(&app, &own, uri).await.expect_problem(StatusCode::FORBIDDEN);
    }
    get_as(&app, &own, "/api/v1/municipalities/44021/overview")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let me = get_as(&app, &own, "/api/v1/me").await;
    assert_eq!(me.expect(StatusCode::OK)["role"], "member_org");
    assert_eq!(me.body["member_org_id"], JOIN_FOR_WATER);
}

async fn the_search_finds_words_and_the_filters_combine(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    publish(&app, &app.staff, JOIN_FOR_WATER, &water_walk()).await;
    publish(&app, &app.staff, BROEDERLIJK_DELEN, &enough()).await;
    publish(&app, &app.staff, OXFAM, &reception()).await;
    let search = |query: &str| {
        let uri = format!("/api/v1/offers?{query}");
        let app = &app;
        async move { anonymous(app, &uri).await }
    };

    // Every word must occur, as a word or the start of one; a title counts more.
    assert_eq!(titles(&search("q=water").await), ["Waterwandeling", "Leef met Genoeg"]);
    assert_eq!(titles(&search("q=GENOEG%20leef").await), ["Leef met Genoeg"]);
    assert_eq!(titles(&search("q=fairtrade").await), ["Eerlijke receptie"]);
    assert!(titles(&search("q=water%20receptie").await).is_empty());
    assert_eq!(titles(&search("q=water&format=walk").await), ["Waterwandeling"]);
    // PostgreSQL stems Dutch ("wandelingen" finds "wandeling"); SQLite's FTS5 matches the words
    // and their starts only.
    let stemmed = titles(&search("q=wandelingen").await);
    match backend {
        Backend::Postgres => assert_eq!(stemmed, ["Waterwandeling"]),
        Backend::Sqlite => assert!(stemmed.is_empty(), "{stemmed:?}"),
    }

    // Without q: title order; filters combine; a province includes offers for everywhere.
    assert_eq!(
        titles(&search("").await),
        ["Eerlijke receptie", "Leef met Genoeg", "Waterwandeling"]
    );
    assert_eq!(titles(&search("theme=water").await), ["Waterwandeling"]);
    assert_eq!(titles(&search("theme=climate").await), ["Leef met Genoeg"]);
    assert_eq!(titles(&search("audience=schools").await), ["Leef met Genoeg"]);
    assert_eq!(
        titles(&search("province=Antwerpen").await),
        ["Eerlijke receptie", "Leef met Genoeg"]
    );
    assert_eq!(titles(&search("province=Limburg").await).len(), 3);
    assert_eq!(
        titles(&search(&format!("organisation_id={OXFAM}")).await),
        ["Eerlijke receptie"]
    );
    assert!(titles(&search("theme=water&audience=schools").await).is_empty());

    // Paging: the cursor walks every match once; the total says how many.
    let mut seen = Vec::new();
    let mut uri = "limit=1".to_owned();
    loop {
        let page = search(&uri).await;
        assert_eq!(page.expect(StatusCode::OK)["total"], 3);
        seen.extend(titles(&page));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => uri = format!("limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Eerlijke receptie", "Leef met Genoeg", "Waterwandeling"]);

    search("q=%20%26*%20").await.expect_field_error("q");
    search("theme=Not%20A%20Theme").await.expect_field_error("theme");
    search("cursor=bm9wZQ").await.expect_field_error("cursor");
    search("format=dance").await.expect_problem(StatusCode::BAD_REQUEST);
}
