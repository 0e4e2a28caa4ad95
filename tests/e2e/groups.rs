//! Volunteer groups: staff manage them, every role reads only its own.

use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(groups_are_run_by_staff_and_read_within_scope, group_input_is_checked);

fn names(answer: &Value) -> Vec<String> {
    let mut names: Vec<String> = answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn groups_are_run_by_staff_and_read_within_scope(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let mut ids = Vec::new();
    for (name, nis) in [
        ("Comité Gent-Centrum", "44021"),
        ("Comité Ledeberg", "44021"),
        ("Comité Leuven", "24062"),
    ] {
        let answer = post_as(
            &app,
            &staff,
            "/api/v1/groups",
            &json!({ "name": name, "municipality_nis": nis }),
        )
        .await;
        let created = answer.expect(StatusCode::CREATED);
        assert_eq!(
            answer.header("location").unwrap(),
            format!("/api/v1/groups/{}", created["id"].as_str().unwrap())
        );
        ids.push(created["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }
    let (centrum, ledeberg, leuven) = (ids[0], ids[1], ids[2]);
    let group = |id: uuid::Uuid| campaign_domain::ids::GroupId::from_uuid(id);
    let volunteer = app.sign_in_new(Membership::Volunteer { group: group(centrum) }).await;
    let gent = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("44021").unwrap(),
        })
        .await;
    let leuven_contact = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("24062").unwrap(),
        })
        .await;

    assert_eq!(names(get(&app, "/api/v1/groups").await.expect(StatusCode::OK)).len(), 3);
    assert_eq!(
        names(get_as(&app, &volunteer, "/api/v1/groups").await.expect(StatusCode::OK)),
        ["Comité Gent-Centrum"]
    );
    assert_eq!(
        names(get_as(&app, &gent, "/api/v1/groups").await.expect(StatusCode::OK)),
        ["Comité Gent-Centrum", "Comité Ledeberg"]
    );
    assert_eq!(
        names(
            get_as(&app, &leuven_contact, "/api/v1/groups")
                .await
                .expect(StatusCode::OK)
        ),
        ["Comité Leuven"]
    );
    // A filter never widens the scope.
    let answer = get_as(&app, &volunteer, "/api/v1/groups?municipality_nis=24062").await;
    assert!(names(answer.expect(StatusCode::OK)).is_empty());
    assert_eq!(
        names(
            get(&app, "/api/v1/groups?municipality_nis=24062")
                .await
                .expect(StatusCode::OK)
        ),
        ["Comité Leuven"]
    );
    assert_eq!(
        names(
            get(&app, "/api/v1/groups?province=Oost-Vlaanderen")
                .await
                .expect(StatusCode::OK)
        )
        .len(),
        2
    );

    // One by id: outside the scope it does not exist.
    for (session, id, status) in [
        (&volunteer, centrum, StatusCode::OK),
        (&volunteer, ledeberg, StatusCode::NOT_FOUND),
        (&volunteer, leuven, StatusCode::NOT_FOUND),
        (&gent, ledeberg, StatusCode::OK),
        (&gent, leuven, StatusCode::NOT_FOUND),
        (&leuven_contact, centrum, StatusCode::NOT_FOUND),
        (&staff, leuven, StatusCode::OK),
    ] {
        let answer = get_as(&app, session, &format!("/api/v1/groups/{id}")).await;
        assert_eq!(answer.status, status, "{}", answer.body);
    }
    get(&app, &format!("/api/v1/groups/{}", uuid::Uuid::new_v4()))
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    // Only staff create and change groups: 403 where the group is visible, 404 where not.
    post_as(
        &app,
        &volunteer,
        "/api/v1/groups",
        &json!({ "name": "Mine", "municipality_nis": "44021" }),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    patch_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{centrum}"),
        &json!({ "name": "x" }),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    patch_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{leuven}"),
        &json!({ "name": "x" }),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    patch_as(
        &app,
        &gent,
        &format!("/api/v1/groups/{ledeberg}"),
        &json!({ "active": false }),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);

    let changed = patch_as(
        &app,
        &staff,
        &format!("/api/v1/groups/{ledeberg}"),
        &json!({ "name": "Comité Gentbrugge", "active": false }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(
        (changed["name"].as_str(), changed["active"].as_bool()),
        (Some("Comité Gentbrugge"), Some(false))
    );

    // Pages of one cover every group once.
    let mut seen = Vec::new();
    let mut uri = "/api/v1/groups?limit=1".to_owned();
    loop {
        let page = get(&app, &uri).await.expect(StatusCode::OK).clone();
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/groups?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Comité Gent-Centrum", "Comité Gentbrugge", "Comité Leuven"]);

    // A volunteer account needs a group that exists.
    let body = json!({ "email": "v@example.org", "name": "V", "password": "a long enough password", "role": "volunteer", "group_id": uuid::Uuid::new_v4() });
    post_as(&app, &staff, "/api/v1/users", &body)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let body = json!({ "email": "v@example.org", "name": "V", "password": "a long enough password", "role": "volunteer", "group_id": leuven });
    post_as(&app, &staff, "/api/v1/users", &body)
        .await
        .expect(StatusCode::CREATED);
}

async fn group_input_is_checked(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    for (body, field) in [
        (json!({ "name": "", "municipality_nis": "44021" }), "name"),
        (json!({ "name": "x".repeat(121), "municipality_nis": "44021" }), "name"),
        (
            json!({ "name": "Comité", "municipality_nis": "gent" }),
            "municipality_nis",
        ),
        (json!({ "name": "Comité" }), "municipality_nis"),
    ] {
        let answer = post_as(&app, &staff, "/api/v1/groups", &body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}: {}", answer.body);
        answer.expect_field_error(field);
    }
    let answer = post_as(
        &app,
        &staff,
        "/api/v1/groups",
        &json!({ "name": "Comité Namen", "municipality_nis": "92094" }),
    )
    .await;
    answer.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        get(&app, "/api/v1/groups").await.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    get(&app, "/api/v1/groups?municipality_nis=abc")
        .await
        .expect_field_error("municipality_nis");
    get(&app, "/api/v1/groups?province=Namur")
        .await
        .expect_field_error("province");
    get(&app, "/api/v1/groups/not-a-uuid")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
}
