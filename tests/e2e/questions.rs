//! Questions to 11.11.11: a contact asks, staff answer from the queue of the topic, the contact
//! writes again and closes; every role against every question resource; bad input; a retried
//! question is asked once.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    a_contact_asks_and_staff_answer_from_the_topics_queue,
    every_role_against_every_question_resource,
    bad_questions_name_the_field,
    a_retried_question_is_asked_once,
);

fn question(topic: &str, subject: &str) -> Value {
    json!({ "topic": topic, "subject": subject, "text": "Hoe pakken we dit aan?\nAlvast bedankt." })
}

async fn ask(app: &TestApp, session: &Session, nis: &str, body: &Value) -> Value {
    let asked = post_as(app, session, &format!("/api/v1/municipalities/{nis}/questions"), body).await;
    asked.expect(StatusCode::CREATED).clone()
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_contact_asks_and_staff_answer_from_the_topics_queue(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let asked = ask(
        &app,
        &gent,
        "44021",
        &question("campaign_support", "Ideeën voor 11 november"),
    )
    .await;
    assert_eq!(asked["status"], "open");
    assert_eq!(asked["topic"], "campaign_support");
    assert_eq!(asked["municipality_nis"], "44021");
    assert_eq!(asked["messages"][0]["text"], "Hoe pakken we dit aan?\nAlvast bedankt.");
    assert_eq!(asked["messages"][0]["from_staff"], false);
    let id = asked["id"].as_str().unwrap().to_owned();
    let policy = ask(&app, &gent, "44021", &question("local_global_policy", "Het memorandum")).await;
    let policy_id = policy["id"].as_str().unwrap().to_owned();

    // Each topic's queue holds its own questions.
    let support = get(&app, "/api/v1/questions?topic=campaign_support&status=open").await;
    assert_eq!(ids(&support), [id.as_str()]);
    let policy_queue = get(&app, "/api/v1/questions?topic=local_global_policy").await;
    assert_eq!(ids(&policy_queue), [policy_id.as_str()]);

    // Staff answer: the question is answered, and the contact reads the answer.
    let uri = format!("/api/v1/questions/{id}");
    let answered = post_as(
        &app,
        &app.staff,
        &format!("{uri}/messages"),
        &json!({ "text": "Een quiz met de jeugdbeweging werkt goed; we sturen materiaal." }),
    )
    .await;
    let answered = answered.expect(StatusCode::CREATED);
    assert_eq!(answered["status"], "answered");
    let read = get_as(&app, &gent, &uri).await;
    let read = read.expect(StatusCode::OK);
    assert_eq!(read["messages"].as_array().map(Vec::len), Some(2));
    assert_eq!(read["messages"][1]["from_staff"], true);
    assert_eq!(read["messages"][1]["author"], app.staff.user_id.to_string());
    let open_now = get(&app, "/api/v1/questions?topic=campaign_support&status=open").await;
    assert!(ids(&open_now).is_empty());

    // The contact writes again: open again, back in the queue; then closes it.
    let again = post_as(
        &app,
        &gent,
        &format!("{uri}/messages"),
        &json!({ "text": "Welke datum?" }),
    )
    .await;
    assert_eq!(again.expect(StatusCode::CREATED)["status"], "open");
    let closed = patch_as(&app, &gent, &uri, &json!({ "status": "closed" })).await;
    assert_eq!(closed.expect(StatusCode::OK)["status"], "closed");
    let late = post_as(
        &app,
        &app.staff,
        &format!("{uri}/messages"),
        &json!({ "text": "Nog dit" }),
    )
    .await;
    let detail = late.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("closed"), "{detail}");
    patch_as(&app, &app.staff, &uri, &json!({ "status": "open" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/questions/{policy_id}"),
        &json!({ "status": "answered" }),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);

    let campaign = json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 1000 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &campaign)
        .await
        .expect(StatusCode::CREATED);
    let overview = get_as(&app, &gent, "/api/v1/municipalities/44021/overview").await;
    assert_eq!(overview.expect(StatusCode::OK)["open_questions"], 1);
    let audit = get(&app, "/api/v1/audit?entity=question").await;
    assert_eq!(audit.expect(StatusCode::OK)["items"].as_array().map(Vec::len), Some(5));
}

async fn every_role_against_every_question_resource(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let (_, volunteer) = app.new_volunteer().await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    let asked = ask(&app, &gent, "44021", &question("campaign_support", "Affiches")).await;
    let id = asked["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/questions/{id}");
    // Staff ask in a municipality's name too.
    ask(
        &app,
        &app.staff,
        "24062",
        &question("local_global_policy", "Memorandum Leuven"),
    )
    .await;

    // Outside the scope: not found, and nothing changes.
    for session in [&leuven, &volunteer, &organisation, &initiative] {
        get_as(&app, session, &uri).await.expect_problem(StatusCode::NOT_FOUND);
        post_as(&app, session, &format!("{uri}/messages"), &json!({ "text": "x" }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
        patch_as(&app, session, &uri, &json!({ "status": "closed" }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    for session in [&leuven, &volunteer, &organisation, &initiative] {
        post_as(
            &app,
            session,
            "/api/v1/municipalities/44021/questions",
            &question("campaign_support", "x"),
        )
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    }
    let still = get(&app, &uri).await;
    let still = still.expect(StatusCode::OK);
    assert_eq!(
        (still["status"].as_str(), still["messages"].as_array().map(Vec::len)),
        (Some("open"), Some(1))
    );

    // Lists: staff all, a contact only its own municipality's, a volunteer none.
    assert_eq!(ids(&get(&app, "/api/v1/questions").await).len(), 2);
    assert_eq!(ids(&get_as(&app, &gent, "/api/v1/questions").await), [id.as_str()]);
    assert_eq!(ids(&get_as(&app, &leuven, "/api/v1/questions").await).len(), 1);
    get_as(&app, &volunteer, "/api/v1/questions")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    for uri in ["/api/v1/questions", uri.as_str()] {
        Answer::read(app.client.get(uri).send().await)
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    get(&app, &format!("/api/v1/questions/{}", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &app.staff,
        "/api/v1/municipalities/99999/questions",
        &question("campaign_support", "x"),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);

    // Paged like every list.
    for i in 0..3 {
        ask(
            &app,
            &gent,
            "44021",
            &question("campaign_support", &format!("Vraag {i}")),
        )
        .await;
    }
    let first = get(&app, "/api/v1/questions?limit=2").await;
    let cursor = first.expect(StatusCode::OK)["next_cursor"].as_str().unwrap().to_owned();
    let mut all = ids(&first);
    let rest = get(&app, &format!("/api/v1/questions?limit=10&cursor={cursor}")).await;
    all.extend(ids(&rest));
    assert_eq!(all.len(), 5);
    all.dedup();
    assert_eq!(all.len(), 5);
}

async fn bad_questions_name_the_field(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let uri = "/api/v1/municipalities/44021/questions";
    post_as(
        &app,
        &gent,
        uri,
        &json!({ "topic": "weather", "subject": "x", "text": "y" }),
    )
    .await
    .expect_field_error("topic");
    post_as(&app, &gent, uri, &question("fourth_pillar", "x"))
        .await
        .expect_field_error("topic");
    let both = post_as(
        &app,
        &gent,
        uri,
        &json!({ "topic": "campaign_support", "subject": " ", "text": "  " }),
    )
    .await;
    both.expect_field_error("subject");
    both.expect_field_error("text");
    post_as(
        &app,
        &gent,
        uri,
        &json!({ "topic": "campaign_support", "subject": "a\nb", "text": "y" }),
    )
    .await
    .expect_field_error("subject");
    let asked = ask(&app, &gent, "44021", &question("campaign_support", "x")).await;
    let messages = format!("/api/v1/questions/{}/messages", asked["id"].as_str().unwrap());
    post_as(&app, &gent, &messages, &json!({ "text": "   " }))
        .await
        .expect_field_error("text");
    post_as(
        &app,
        &gent,
        "/api/v1/municipalities/gent/questions",
        &question("campaign_support", "x"),
    )
    .await
    .expect_field_error("nis");
    get(&app, "/api/v1/questions?status=waiting")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/v1/questions?cursor=nonsense")
        .await
        .expect_field_error("cursor");
}

async fn a_retried_question_is_asked_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let body = question("campaign_support", "Eén keer");
    let send = || {
        app.client
            .post("/api/v1/municipalities/44021/questions")
            .header("authorization", gent.bearer())
            .header("idempotency-key", "vraag-1")
            .body_json(&body)
            .send()
    };
    let first = Answer::read(send().await).await;
    let id = first.expect(StatusCode::CREATED)["id"].clone();
    let again = Answer::read(send().await).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.expect(StatusCode::CREATED)["id"], id);
    assert_eq!(ids(&get(&app, "/api/v1/questions").await).len(), 1);
}
