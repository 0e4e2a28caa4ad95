//! Member organisations: the names 11.11.11 lists are there from the start, anyone reads them,
//! staff add and edit (audited), every other role is refused, bad input is named.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, TestApp, get, on_both_databases, patch_as, post_as};

on_both_databases!(
    the_listed_members_are_there_and_anyone_reads_them,
    staff_keep_the_list_and_no_one_else,
);

async fn anonymous(app: &TestApp, uri: &str) -> Answer {
    Answer::read(app.client.get(uri).send().await).await
}

fn names(answer: &Answer) -> Vec<String> {
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_listed_members_are_there_and_anyone_reads_them(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let listed = anonymous(&app, "/api/v1/member-organisations").await;
    let all = names(&listed);
    assert_eq!(all.len(), 31);
    for name in ["ABVV", "Broederlijk Delen", "Djapo", "Join for Water", "Oxfam", "Bos+"] {
        assert!(all.iter().any(|n| n == name), "{name} in {all:?}");
    }
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "in name order");
    let first = listed.body["items"][0].clone();
    let one = anonymous(
        &app,
        &format!("/api/v1/member-organisations/{}", first["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(one.expect(StatusCode::OK)["name"], first["name"]);
    anonymous(&app, &format!("/api/v1/member-organisations/{}", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    anonymous(&app, "/api/v1/member-organisations/not-a-uuid")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
}

async fn staff_keep_the_list_and_no_one_else(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let wsm =
        json!({ "name": "WSM", "website": "https://www.wsm.be", "description": "Sociale bescherming\nwereldwijd" });
    let contact = app.new_contact("44021").await;
    let (_, volunteer) = app.new_volunteer().await;
    for session in [&contact, &volunteer] {
        post_as(&app, session, "/api/v1/member-organisations", &wsm)
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    Answer::read(
        app.client
            .post("/api/v1/member-organisations")
            .body_json(&wsm)
            .send()
            .await,
    )
    .await
    .expect_problem(StatusCode::UNAUTHORIZED);

    let created = post_as(&app, &app.staff, "/api/v1/member-organisations", &wsm).await;
    let location = created.header("location").unwrap().to_owned();
    let body: Value = created.expect(StatusCode::CREATED).clone();
    assert_eq!(body["description"], "Sociale bescherming\nwereldwijd");
    assert_eq!(
        location,
        format!("/api/v1/member-organisations/{}", body["id"].as_str().unwrap())
    );
    post_as(
        &app,
        &app.staff,
        "/api/v1/member-organisations",
        &json!({ "name": "Oxfam" }),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    let bad = post_as(
        &app,
        &app.staff,
        "/api/v1/member-organisations",
        &json!({ "name": " ", "website": "wsm.be" }),
    )
    .await;
    bad.expect_field_error("name");
    bad.expect_field_error("website");

    let uri = format!("/api/v1{}", location.trim_start_matches("/api/v1"));
    for session in [&contact, &volunteer] {
        patch_as(&app, session, &uri, &json!({ "name": "x" }))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let changed = patch_as(
        &app,
        &app.staff,
        &uri,
        &json!({ "name": "WSM vzw", "description": null }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(changed["name"], "WSM vzw");
    assert_eq!(changed["description"], Value::Null);
    assert_eq!(changed["website"], "https://www.wsm.be");
    patch_as(&app, &app.staff, &uri, &json!({ "name": "Oxfam" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/member-organisations/{}", uuid::Uuid::new_v4()),
        &json!({ "name": "x" }),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    assert_eq!(names(&get(&app, "/api/v1/member-organisations").await).len(), 32);
    let audit = get(&app, "/api/v1/audit?entity=member_organisation").await;
    assert_eq!(audit.expect(StatusCode::OK)["items"].as_array().map(Vec::len), Some(2));
}
