//! Accounts: staff manage them; everyone sees themselves.

use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    staff_create_accounts_of_every_role,
    account_input_is_checked_field_by_field,
    staff_list_read_and_change_accounts,
    only_staff_reach_accounts_and_the_audit_log,
    me_shows_each_role_its_scope,
);

fn account(email: &str, role: &str) -> Value {
    json!({ "email": email, "name": "An Peeters", "password": "a long enough password", "role": role })
}

async fn staff_create_accounts_of_every_role(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let group = app.new_group("44021").await.to_string();
    let cases = [
        (json!({ "email": "Staff@Example.org", "role": "staff" }), "staff"),
        (
            json!({ "email": "vol@example.org", "role": "volunteer", "group_id": group }),
            "volunteer",
        ),
        (
            json!({ "email": "gent@example.org", "role": "municipal_contact", "municipality_nis": "44021" }),
            "municipal_contact",
        ),
        (
            json!({ "email": "jfw@example.org", "role": "member_org", "member_org_id": crate::offers::JOIN_FOR_WATER }),
            "member_org",
        ),
    ];
    for (fields, role) in cases {
        let mut body = account("", role);
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = post_as(&app, &staff, "/api/v1/users", &body).await;
        let created = answer.expect(StatusCode::CREATED);
        assert_eq!(created["role"], role);
        assert_eq!(created["active"], true);
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());
        let location = answer.header("location").unwrap();
        assert_eq!(location, format!("/api/v1/users/{}", created["id"].as_str().unwrap()));
        // The new account signs in.
        assert!(
            app.sign_in(created["email"].as_str().unwrap(), "a long enough password")
                .await
                .is_some()
        );
    }
    let answer = get(&app, "/api/v1/users?role=municipal_contact").await;
    let contacts = answer.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["municipality_nis"], "44021");
    assert_eq!(contacts[0]["email"], "gent@example.org");
    let answer = get(&app, "/api/v1/users?role=member_org").await;
    let people = answer.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["member_org_id"], crate::offers::JOIN_FOR_WATER);
    assert_eq!(people[0]["municipality_nis"], Value::Null);

    // The e-mail address is stored lower-case and taken whatever its case.
    let answer = get(&app, "/api/v1/users?role=staff").await;
    assert!(
        answer.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "staff@example.org")
    );
    let again = post_as(&app, &staff, "/api/v1/users", &account("STAFF@example.ORG", "staff")).await;
    again.expect_problem(StatusCode::CONFLICT);
}

async fn account_input_is_checked_field_by_field(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let with = |changes: Value| {
        let mut body = account("new@example.org", "staff");
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases = [
        (json!({ "email": "not-an-address" }), "email"),
        (json!({ "name": "   " }), "name"),
        (json!({ "name": "x".repeat(201) }), "name"),
        (json!({ "password": "too short" }), "password"),
        (json!({ "password": "p".repeat(1025) }), "password"),
        (json!({ "role": "admin" }), "role"),
        (json!({ "role": "volunteer" }), "group_id"),
        (json!({ "role": "municipal_contact" }), "municipality_nis"),
        (
            json!({ "role": "municipal_contact", "municipality_nis": "gent" }),
            "municipality_nis",
        ),
        (json!({ "group_id": GroupId::new().to_string() }), "group_id"),
        (json!({ "group_id": "not-a-uuid", "role": "volunteer" }), "group_id"),
        (json!({ "municipality_nis": "44021" }), "municipality_nis"),
        (json!({ "role": "member_org" }), "member_org_id"),
        (
            json!({ "role": "volunteer", "group_id": GroupId::new().to_string(), "member_org_id": crate::offers::OXFAM }),
            "member_org_id",
        ),
        (
            json!({ "member_org_id": "not-a-uuid", "role": "member_org" }),
            "member_org_id",
        ),
        (json!({ "email": null }), "email"),
        (json!({ "is_admin": true }), "is_admin"),
    ];
    for (changes, field) in cases {
        let answer = post_as(&app, &staff, "/api/v1/users", &with(changes.clone())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{changes}: {}", answer.body);
        if field != "is_admin" && field != "email" || changes["email"].is_string() {
            answer.expect_field_error(field);
        } else {
            answer.expect_problem(StatusCode::BAD_REQUEST);
        }
    }
    // A well-formed NIS code of no municipality of ours is understood but cannot be applied.
    let answer = post_as(
        &app,
        &staff,
        "/api/v1/users",
        &with(json!({ "role": "municipal_contact", "municipality_nis": "92094" })),
    )
    .await;
    assert!(
        answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("92094")
    );
    // A member organisation that does not exist is understood but cannot be applied.
    let answer = post_as(
        &app,
        &staff,
        "/api/v1/users",
        &with(json!({ "role": "member_org", "member_org_id": uuid::Uuid::new_v4().to_string() })),
    )
    .await;
    assert!(
        answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("member-organisations")
    );
    // Nothing of the refused attempts was created.
    let answer = get(&app, "/api/v1/users").await;
    assert_eq!(
        answer.expect(StatusCode::OK)["items"].as_array().unwrap().len(),
        1,
        "only the harness's staff account"
    );
}

async fn staff_list_read_and_change_accounts(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    for i in 0..4 {
        post_as(
            &app,
            &staff,
            "/api/v1/users",
            &account(&format!("user{i}@example.org"), "staff"),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    // Pages of 2 cover all 5 accounts once.
    let mut seen = Vec::new();
    let mut uri = "/api/v1/users?limit=2".to_owned();
    loop {
        let answer = get(&app, &uri).await;
        let page = answer.expect(StatusCode::OK).clone();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/api/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), seen.clone()), (5, sorted));

    let first = get(&app, "/api/v1/users?limit=1").await.body["items"][0].clone();
    let uri = format!("/api/v1/users/{}", first["id"].as_str().unwrap());
    assert_eq!(get(&app, &uri).await.expect(StatusCode::OK)["email"], first["email"]);
    let renamed = patch_as(&app, &staff, &uri, &json!({ "name": "Renamed Person" })).await;
    assert_eq!(renamed.expect(StatusCode::OK)["name"], "Renamed Person");
    patch_as(&app, &staff, &uri, &json!({}))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    patch_as(&app, &staff, &uri, &json!({ "name": "" }))
        .await
        .expect_field_error("name");
    patch_as(&app, &staff, &uri, &json!({ "role": "staff" }))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);

    let own = format!("/api/v1/users/{}", staff.user_id);
    patch_as(&app, &staff, &own, &json!({ "active": false }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    let unknown = format!("/api/v1/users/{}", uuid::Uuid::new_v4());
    get(&app, &unknown).await.expect_problem(StatusCode::NOT_FOUND);
    patch_as(&app, &staff, &unknown, &json!({ "name": "x" }))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/users/not-a-uuid")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
}

async fn only_staff_reach_accounts_and_the_audit_log(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    let contact = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("24062").unwrap(),
        })
        .await;
    let someone = format!("/api/v1/users/{}", app.staff.user_id);
    for session in [&volunteer, &contact] {
        for uri in ["/api/v1/users", someone.as_str(), "/api/v1/audit"] {
            get_as(&app, session, uri).await.expect_problem(StatusCode::FORBIDDEN);
        }
        post_as(&app, session, "/api/v1/users", &account("sneaky@example.org", "staff"))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
        patch_as(&app, session, &someone, &json!({ "active": false }))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    // Nobody was created or deactivated.
    let answer = get(&app, &someone).await;
    assert_eq!(answer.expect(StatusCode::OK)["active"], true);
    let answer = get(&app, "/api/v1/users?role=staff").await;
    assert_eq!(answer.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
}

async fn me_shows_each_role_its_scope(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let group = app.new_group("44021").await;
    let volunteer: Session = app.sign_in_new(Membership::Volunteer { group }).await;
    let contact = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("24062").unwrap(),
        })
        .await;
    let me = get_as(&app, &volunteer, "/api/v1/me").await;
    let me = me.expect(StatusCode::OK);
    assert_eq!(
        (me["role"].as_str(), me["group_id"].as_str()),
        (Some("volunteer"), Some(group.to_string().as_str()))
    );
    assert_eq!(me["municipality_nis"], Value::Null);
    let me = get_as(&app, &contact, "/api/v1/me").await;
    let me = me.expect(StatusCode::OK);
    assert_eq!(
        (me["role"].as_str(), me["municipality_nis"].as_str()),
        (Some("municipal_contact"), Some("24062"))
    );
    for key in ["id", "email", "name", "role", "group_id", "municipality_nis"] {
        assert!(me.get(key).is_some(), "/me has {key}");
    }
}
