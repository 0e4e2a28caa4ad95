//! Inquiries about offers: a contact asks, the organisation answers in its inbox, they agree and
//! close; every role against every inquiry resource; the moves each side may make; bad input;
//! a retried inquiry is sent once.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::offers::{JOIN_FOR_WATER, OXFAM, publish, water_walk};
use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    a_contact_asks_the_organisation_answers_and_they_agree,
    every_role_against_every_inquiry_resource,
    each_side_makes_its_own_moves,
    bad_inquiries_are_named_and_a_retry_is_sent_once,
);

fn inquiry(nis: &str) -> Value {
    json!({
        "municipality_nis": nis,
        "message": "Kunnen jullie in het voorjaar een waterwandeling begeleiden?",
        "preferred_period": "voorjaar 2027",
        "audience_size": 40
    })
}

/// An offer of Join for Water with an account of that organisation.
async fn water_offer(app: &TestApp) -> (String, Session) {
    let org = app.new_member_org(uuid::Uuid::parse_str(JOIN_FOR_WATER).unwrap()).await;
    let offer = publish(app, &org, JOIN_FOR_WATER, &water_walk()).await;
    (offer["id"].as_str().unwrap().to_owned(), org)
}

async fn send(app: &TestApp, session: &Session, offer: &str, body: &Value) -> Value {
    let sent = post_as(app, session, &format!("/api/v1/offers/{offer}/inquiries"), body).await;
    sent.expect(StatusCode::CREATED).clone()
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_contact_asks_the_organisation_answers_and_they_agree(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (offer, org) = water_offer(&app).await;
    let gent = app.new_contact("44021").await;
    let campaign = json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 1000 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &campaign)
        .await
        .expect(StatusCode::CREATED);
    let sent = post_as(
        &app,
        &gent,
        &format!("/api/v1/offers/{offer}/inquiries"),
        &inquiry("44021"),
    )
    .await;
    let location = sent.header("location").unwrap().to_owned();
    let sent = sent.expect(StatusCode::CREATED).clone();
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/inquiries/{id}"));
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["offer_title"], "Waterwandeling");
    assert_eq!(sent["organisation_id"], JOIN_FOR_WATER);
    assert_eq!(sent["preferred_period"], "voorjaar 2027");
    assert_eq!(sent["audience_size"], 40);
    assert_eq!(sent["messages"][0]["side"], "municipality");
    assert_eq!(sent["next_statuses"], json!(["answered", "declined", "closed"]));
    let overview = get_as(&app, &gent, "/api/v1/municipalities/44021/overview").await;
    assert_eq!(overview.expect(StatusCode::OK)["open_inquiries"], 1);

    // The organisation's inbox holds it; another organisation's does not.
    assert_eq!(
        ids(&get_as(&app, &org, "/api/v1/inquiries?status=sent").await),
        [id.as_str()]
    );
    let oxfam = app.new_member_org(uuid::Uuid::parse_str(OXFAM).unwrap()).await;
    assert!(ids(&get_as(&app, &oxfam, "/api/v1/inquiries").await).is_empty());

    // The organisation's first message answers it; the contact's reply leaves it answered.
    let message = |text: &str| json!({ "text": text });
    let answered = post_as(
        &app,
        &org,
        &format!("{location}/messages"),
        &message("Graag! Welke dag?"),
    )
    .await;
    let answered = answered.expect(StatusCode::CREATED);
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["messages"][1]["side"], "organisation");
    let replied = post_as(
        &app,
        &gent,
        &format!("{location}/messages"),
        &message("Zaterdag 12 april."),
    )
    .await;
    assert_eq!(replied.expect(StatusCode::CREATED)["status"], "answered");
    let thread = get_as(&app, &gent, &location).await;
    let texts: Vec<&str> = thread.expect(StatusCode::OK)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Kunnen jullie in het voorjaar een waterwandeling begeleiden?",
            "Graag! Welke dag?",
            "Zaterdag 12 april."
        ]
    );

    // The contact agrees, the organisation closes it when done; then it takes nothing more.
    let agreed = patch_as(&app, &gent, &location, &json!({ "status": "agreed" })).await;
    assert_eq!(agreed.expect(StatusCode::OK)["status"], "agreed");
    assert_eq!(agreed.body["next_statuses"], json!(["closed"]));
    let closed = patch_as(&app, &org, &location, &json!({ "status": "closed" })).await;
    assert_eq!(closed.expect(StatusCode::OK)["status"], "closed");
    post_as(&app, &gent, &format!("{location}/messages"), &message("Nog iets"))
        .await
        .expect_problem(StatusCode::CONFLICT);
    patch_as(&app, &org, &location, &json!({ "status": "agreed" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    // Asking for the status it has is no change.
    patch_as(&app, &org, &location, &json!({ "status": "closed" }))
        .await
        .expect(StatusCode::OK);
    let overview = get_as(&app, &gent, "/api/v1/municipalities/44021/overview").await;
    assert_eq!(overview.expect(StatusCode::OK)["open_inquiries"], 0);

    let audit = get(&app, "/api/v1/audit?entity=inquiry").await;
    let actions: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["inquiry.send", "inquiry.message", "inquiry.move"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert_eq!(
        actions.len(),
        5,
        "no audit entry for a move that changes nothing: {actions:?}"
    );
}

async fn every_role_against_every_inquiry_resource(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (offer, own_org) = water_offer(&app).await;
    let other_org = app.new_member_org(uuid::Uuid::parse_str(OXFAM).unwrap()).await;
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let (_, volunteer) = app.new_volunteer().await;
    let sent = send(&app, &gent, &offer, &inquiry("44021")).await;
    let location = format!("/api/v1/inquiries/{}", sent["id"].as_str().unwrap());
    let messages = format!("{location}/messages");
    let say = json!({ "text": "Hallo" });
    let send_uri = format!("/api/v1/offers/{offer}/inquiries");

    // Sending in a municipality's name: staff and its own contacts only.
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    for session in [&leuven, &volunteer, &own_org, &other_org, &initiative] {
        post_as(&app, session, &send_uri, &inquiry("44021"))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    send(&app, &app.staff, &offer, &inquiry("44021")).await;
    Answer::read(app.client.post(&send_uri).body_json(&inquiry("44021")).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    // Reading, writing and moving: staff, the municipality's contact, the offer's organisation.
    for session in [&app.staff, &gent, &own_org] {
        get_as(&app, session, &location).await.expect(StatusCode::OK);
        post_as(&app, session, &messages, &say)
            .await
            .expect(StatusCode::CREATED);
    }
    for session in [&leuven, &volunteer, &other_org, &initiative] {
        get_as(&app, session, &location)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
        post_as(&app, session, &messages, &say)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
        patch_as(&app, session, &location, &json!({ "status": "closed" }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    Answer::read(app.client.get(&location).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    // Lists: each sees its own; volunteers have none.
    assert_eq!(ids(&get(&app, "/api/v1/inquiries").await).len(), 2);
    assert_eq!(ids(&get_as(&app, &gent, "/api/v1/inquiries").await).len(), 2);
    assert_eq!(ids(&get_as(&app, &own_org, "/api/v1/inquiries").await).len(), 2);
    assert!(ids(&get_as(&app, &leuven, "/api/v1/inquiries").await).is_empty());
    assert!(ids(&get_as(&app, &other_org, "/api/v1/inquiries").await).is_empty());
    get_as(&app, &volunteer, "/api/v1/inquiries")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    let by_offer = get(&app, &format!("/api/v1/inquiries?offer_id={offer}")).await;
    assert_eq!(ids(&by_offer).len(), 2);
    let none = get(&app, &format!("/api/v1/inquiries?offer_id={}", uuid::Uuid::new_v4())).await;
    assert!(ids(&none).is_empty());
}

async fn each_side_makes_its_own_moves(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (offer, org) = water_offer(&app).await;
    let gent = app.new_contact("44021").await;
    let move_to = |session: &Session, id: &str, status: &str| {
        let uri = format!("/api/v1/inquiries/{id}");
        let body = json!({ "status": status });
        let app = &app;
        let session = session.clone();
        async move { patch_as(app, &session, &uri, &body).await }
    };

    // Answering and declining what is not answered is the organisation's to do.
    let first = send(&app, &gent, &offer, &inquiry("44021")).await;
    let first = first["id"].as_str().unwrap();
    move_to(&gent, first, "answered")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    move_to(&gent, first, "declined")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    let refused = move_to(&org, first, "agreed").await;
    let detail = refused.expect_problem(StatusCode::CONFLICT)["detail"].as_str().unwrap();
    assert!(detail.contains("answered or declined or closed"), "{detail}");
    assert_eq!(
        move_to(&org, first, "declined").await.expect(StatusCode::OK)["status"],
        "declined"
    );
    move_to(&gent, first, "closed")
        .await
        .expect_problem(StatusCode::CONFLICT);

    // Once answered, the municipality may decline; a withdrawn question is closed by its asker.
    let second = send(&app, &gent, &offer, &inquiry("44021")).await;
    let second = second["id"].as_str().unwrap();
    move_to(&org, second, "answered").await.expect(StatusCode::OK);
    assert_eq!(
        move_to(&gent, second, "declined").await.expect(StatusCode::OK)["status"],
        "declined"
    );
    let third = send(&app, &gent, &offer, &inquiry("44021")).await;
    let third = third["id"].as_str().unwrap();
    assert_eq!(
        move_to(&gent, third, "closed").await.expect(StatusCode::OK)["status"],
        "closed"
    );
    move_to(&app.staff, third, "sent")
        .await
        .expect_problem(StatusCode::CONFLICT);
    patch_as(
        &app,
        &gent,
        &format!("/api/v1/inquiries/{third}"),
        &json!({ "status": "gone" }),
    )
    .await
    .expect_problem(StatusCode::BAD_REQUEST);
}

async fn bad_inquiries_are_named_and_a_retry_is_sent_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (offer, org) = water_offer(&app).await;
    let gent = app.new_contact("44021").await;
    let send_uri = format!("/api/v1/offers/{offer}/inquiries");
    let mut blank = inquiry("44021");
    blank["message"] = json!("   ");
    blank["preferred_period"] = json!("regel\neen");
    let refused = post_as(&app, &gent, &send_uri, &blank).await;
    refused.expect_field_error("message");
    refused.expect_field_error("preferred_period");
    let mut nobody = inquiry("44021");
    nobody["audience_size"] = json!(0);
    post_as(&app, &gent, &send_uri, &nobody)
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    post_as(&app, &gent, &send_uri, &inquiry("4402"))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    // Staff may ask for any municipality, but only one of Flanders or Brussels.
    post_as(&app, &app.staff, &send_uri, &inquiry("99999"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &gent,
        &format!("/api/v1/offers/{}/inquiries", uuid::Uuid::new_v4()),
        &inquiry("44021"),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    // A withdrawn offer takes no inquiries.
    patch_as(
        &app,
        &org,
        &format!("/api/v1/offers/{offer}"),
        &json!({ "active": false }),
    )
    .await
    .expect(StatusCode::OK);
    post_as(&app, &gent, &send_uri, &inquiry("44021"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    patch_as(
        &app,
        &org,
        &format!("/api/v1/offers/{offer}"),
        &json!({ "active": true }),
    )
    .await
    .expect(StatusCode::OK);

    // The same Idempotency-Key sends it once and answers the retry alike.
    let retry = || {
        app.client
            .post(&send_uri)
            .header("authorization", gent.bearer())
            .header("idempotency-key", "inquiry-retry-1")
            .body_json(&inquiry("44021"))
            .send()
    };
    let first = Answer::read(retry().await).await;
    let again = Answer::read(retry().await).await;
    assert_eq!(
        first.expect(StatusCode::CREATED)["id"],
        again.expect(StatusCode::CREATED)["id"]
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(ids(&get_as(&app, &org, "/api/v1/inquiries").await).len(), 1);
}
