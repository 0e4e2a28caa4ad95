//! Trainings and network meetings: seats first, then the line, which moves up on a cancellation;
//! 50 registrations at once for 10 seats; who may publish, cancel and read the participants.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    a_training_fills_its_seats_then_its_line_moves_up,
    fifty_registrations_at_once_never_take_more_than_the_seats,
);

fn session(capacity: i64) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::days(20);
    json!({
        "title": "Fondsenwerving voor kleine organisaties",
        "starts_at": starts,
        "ends_at": starts + chrono::Duration::hours(3),
        "place": "11.11.11, Vlasfabriekstraat 11, Brussel",
        "capacity": capacity
    })
}

async fn publish(app: &TestApp, capacity: i64) -> String {
    let created = post_as(app, &app.staff, "/api/v1/trainings", &session(capacity)).await;
    created.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned()
}

async fn register(app: &TestApp, who: &Session, training: &str) -> Answer {
    post_as(
        app,
        who,
        &format!("/api/v1/trainings/{training}/registrations"),
        &json!({}),
    )
    .await
}

async fn cancel(app: &TestApp, who: &Session, training: &str, registration: &str) -> Answer {
    Answer::read(
        app.client
            .delete(format!("/api/v1/trainings/{training}/registrations/{registration}"))
            .header("authorization", who.bearer())
            .send()
            .await,
    )
    .await
}

async fn a_training_fills_its_seats_then_its_line_moves_up(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let contact = app.new_contact("44021").await;
    let (_, volunteer) = app.new_volunteer().await;
    let initiative = {
        let created = post_as(
            &app,
            &app.staff,
            "/api/v1/initiatives",
            &json!({ "name": "Vrienden van Kivu", "municipality_nis": "44021", "contact_email": "an@kivu.example.org" }),
        )
        .await;
        let id = created.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
        app.new_initiative_account(uuid::Uuid::parse_str(&id).unwrap()).await
    };
    for who in [&contact, &volunteer, &initiative] {
        post_as(&app, who, "/api/v1/trainings", &session(2))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let training = publish(&app, 2).await;

    let first = register(&app, &initiative, &training).await;
    assert_eq!(first.expect(StatusCode::CREATED)["status"], "registered");
    let second = register(&app, &contact, &training).await;
    assert_eq!(second.expect(StatusCode::CREATED)["status"], "registered");
    let third = register(&app, &volunteer, &training).await;
    assert_eq!(third.expect(StatusCode::CREATED)["status"], "waitlisted");
    register(&app, &contact, &training)
        .await
        .expect_problem(StatusCode::CONFLICT);
    let listed = get_as(&app, &volunteer, "/api/v1/trainings").await;
    let item = &listed.expect(StatusCode::OK)["items"][0];
    assert_eq!(
        (
            item["registered"].as_i64(),
            item["waitlisted"].as_i64(),
            item["seats_left"].as_i64()
        ),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(item["my_registration"]["status"], "waitlisted");
    assert_eq!(item["free"], true);

    // Someone else's registration is not yours to cancel; your own is, and the line moves up.
    let second_id = second.body["id"].as_str().unwrap();
    cancel(&app, &volunteer, &training, second_id)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let cancelled = cancel(&app, &contact, &training, second_id).await;
    assert_eq!(cancelled.expect(StatusCode::OK)["status"], "cancelled");
    let moved = get_as(&app, &volunteer, "/api/v1/trainings").await;
    assert_eq!(
        moved.expect(StatusCode::OK)["items"][0]["my_registration"]["status"],
        "registered"
    );
    // Registering again puts you at the end of the line.
    let again = register(&app, &contact, &training).await;
    assert_eq!(again.expect(StatusCode::CREATED)["status"], "waitlisted");

    // The participants: staff only, seats first; as CSV too.
    for who in [&contact, &volunteer, &initiative] {
        get_as(&app, who, &format!("/api/v1/trainings/{training}/registrations"))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let participants = get(&app, &format!("/api/v1/trainings/{training}/registrations")).await;
    let statuses: Vec<&str> = participants.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["registered", "registered", "waitlisted"]);
    let csv = app
        .client
        .get(format!("/api/v1/trainings/{training}/registrations"))
        .header("authorization", app.staff.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status_is_ok();
    csv.assert_header("content-type", "text/csv");
    let text = csv.0.into_body().into_string().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "status,name,email,queued_at");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[3].starts_with("waitlisted,"), "{text}");

    // Staff cancel anyone's; unknown things are 404; bad sessions are named.
    let third_id = third.body["id"].as_str().unwrap();
    cancel(&app, &app.staff, &training, third_id)
        .await
        .expect(StatusCode::OK);
    register(&app, &contact, &uuid::Uuid::new_v4().to_string())
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    let mut bad = session(0);
    bad["ends_at"] = bad["starts_at"].clone();
    bad["place"] = Value::Null;
    let refused = post_as(&app, &app.staff, "/api/v1/trainings", &bad).await;
    refused.expect_problem(StatusCode::BAD_REQUEST);
    // A session that has ended takes no registrations.
    let ended_at = chrono::Utc::now() - chrono::Duration::hours(1);
    let mut past = session(5);
    past["starts_at"] = json!(ended_at - chrono::Duration::hours(2));
    past["ends_at"] = json!(ended_at);
    let past = post_as(&app, &app.staff, "/api/v1/trainings", &past).await;
    let past = past.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
    register(&app, &contact, &past)
        .await
        .expect_problem(StatusCode::CONFLICT);
    let mut nowhere = session(5);
    nowhere["place"] = Value::Null;
    post_as(&app, &app.staff, "/api/v1/trainings", &nowhere)
        .await
        .expect_field_error("place");
}

async fn fifty_registrations_at_once_never_take_more_than_the_seats(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let training = publish(&app, 10).await;
    let mut people = Vec::new();
    for _ in 0..50 {
        people.push(app.new_contact("44021").await);
    }
    let answers = futures_util::future::join_all(people.iter().map(|who| register(&app, who, &training))).await;
    let statuses: Vec<&str> = answers
        .iter()
        .map(|a| a.expect(StatusCode::CREATED)["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "registered").count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == "waitlisted").count(), 40);

    // Three seats free: the first three in line move up, in order.
    let participants = get(&app, &format!("/api/v1/trainings/{training}/registrations")).await;
    let all = participants.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let line: Vec<String> = all
        .iter()
        .filter(|r| r["status"] == "waitlisted")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let seated: Vec<&Value> = all.iter().filter(|r| r["status"] == "registered").collect();
    for r in &seated[..3] {
        cancel(&app, &app.staff, &training, r["id"].as_str().unwrap())
            .await
            .expect(StatusCode::OK);
    }
    let after = get(&app, &format!("/api/v1/trainings/{training}/registrations")).await;
    let after = after.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let now_seated: Vec<&str> = after
        .iter()
        .filter(|r| r["status"] == "registered")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(now_seated.len(), 10);
    for moved in &line[..3] {
        assert!(now_seated.contains(&moved.as_str()), "{moved} moved up");
    }
    for still in &line[3..] {
        assert!(!now_seated.contains(&still.as_str()), "{still} still waits");
    }
}
