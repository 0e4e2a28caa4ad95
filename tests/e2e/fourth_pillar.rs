//! The 4th pillar: initiatives and their accounts, municipalities' referrals, the fund's calls
//! and applications (the deadline by the server's clock, decisions, the budget under concurrent
//! grants), every role against every resource.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    staff_add_initiatives_and_their_accounts_see_only_their_own,
    a_municipality_refers_an_initiative_and_follows_what_became_of_it,
    an_initiative_applies_and_staff_decide,
    a_submission_after_the_deadline_is_refused_but_the_draft_stays_readable,
    reviewers_granting_at_once_never_exceed_the_budget,
    an_initiative_asks_the_helpdesk_and_staff_assign_and_answer_it,
    staff_see_the_4th_pillar_at_a_glance_as_json_and_csv,
);

/// An account of a new 4th-pillar initiative in Gent (an outsider to municipalities' and
/// organisations' business).
pub async fn initiative_account(app: &TestApp) -> Session {
    let created = post_as(
        app,
        &app.staff,
        "/api/v1/initiatives",
        &json!({ "name": "Buitenstaander", "municipality_nis": "44021", "contact_email": "x@example.org" }),
    )
    .await;
    let id = created.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
    app.new_initiative_account(uuid::Uuid::parse_str(&id).unwrap()).await
}

fn profile(name: &str) -> Value {
    json!({
        "name": name,
        "municipality_nis": "44021",
        "countries": ["cd", "RW"],
        "themes": ["water", "onderwijs"],
        "partner_abroad": "Action Paysanne",
        "contact_name": "An Peeters",
        "contact_email": "an@kivu.example.org",
        "volunteers": 12,
        "budget_band": "10k_50k"
    })
}

async fn new_initiative(app: &TestApp, name: &str) -> String {
    let created = post_as(app, &app.staff, "/api/v1/initiatives", &profile(name)).await;
    created.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned()
}

fn application(requested: i64) -> Value {
    json!({
        "project_title": "Waterputten in Kivu",
        "country": "CD",
        "partner": "Action Paysanne",
        "summary": "Twee waterputten voor 400 gezinnen.",
        "requested_cents": requested,
        "budget_lines": [
            { "label": "Materiaal", "amount_cents": requested - requested / 4 },
            { "label": "Opleiding", "amount_cents": requested / 4 }
        ]
    })
}

async fn open_call(app: &TestApp, body: &Value) -> Value {
    post_as(app, &app.staff, "/api/v1/fund-calls", body)
        .await
        .expect(StatusCode::CREATED)
        .clone()
}

async fn draft(app: &TestApp, session: &Session, year: i32, body: &Value) -> String {
    let drafted = post_as(app, session, &format!("/api/v1/fund-calls/{year}/applications"), body).await;
    drafted.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned()
}

async fn step(app: &TestApp, session: &Session, id: &str, action: &str, body: &Value) -> Answer {
    post_as(app, session, &format!("/api/v1/applications/{id}/{action}"), body).await
}

fn names(answer: &Answer) -> Vec<String> {
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().or(i["initiative_name"].as_str()).unwrap().to_owned())
        .collect()
}

async fn staff_add_initiatives_and_their_accounts_see_only_their_own(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let peru = new_initiative(&app, "Peru Solidair").await;
    let contact = app.new_contact("44021").await;
    let (_, volunteer) = app.new_volunteer().await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    for session in [&contact, &volunteer, &own] {
        post_as(&app, session, "/api/v1/initiatives", &profile("Nog een"))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    // Accounts of an initiative are made like any other, with its id.
    let account = json!({ "email": "an@kivu.example.org", "name": "An", "password": "a long enough password",
                          "role": "initiative", "initiative_id": kivu });
    let created = post_as(&app, &app.staff, "/api/v1/users", &account).await;
    assert_eq!(created.expect(StatusCode::CREATED)["initiative_id"], kivu.as_str());

    let listed = get(&app, "/api/v1/initiatives").await;
    assert_eq!(names(&listed), ["Peru Solidair", "Vrienden van Kivu"]);
    assert_eq!(listed.body["items"][1]["countries"], json!(["CD", "RW"]));
    assert_eq!(listed.body["items"][1]["status"], "known");
    assert_eq!(
        names(&get_as(&app, &own, "/api/v1/initiatives").await),
        ["Vrienden van Kivu"]
    );
    for session in [&contact, &volunteer] {
        get_as(&app, session, "/api/v1/initiatives")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    let kivu_uri = format!("/api/v1/initiatives/{kivu}");
    let peru_uri = format!("/api/v1/initiatives/{peru}");
    get_as(&app, &own, &kivu_uri).await.expect(StatusCode::OK);
    for session in [&contact, &volunteer, &own] {
        get_as(&app, session, &peru_uri)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
        patch_as(&app, session, &peru_uri, &json!({ "volunteers": 3 }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    // The initiative keeps its profile; only staff change its status.
    let changed = patch_as(
        &app,
        &own,
        &kivu_uri,
        &json!({ "volunteers": 15, "partner_abroad": null }),
    )
    .await;
    let changed = changed.expect(StatusCode::OK);
    assert_eq!(
        (changed["volunteers"].as_i64(), &changed["partner_abroad"]),
        (Some(15), &Value::Null)
    );
    assert_eq!(changed["name"], "Vrienden van Kivu");
    patch_as(&app, &own, &kivu_uri, &json!({ "status": "inactive" }))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    let inactive = patch_as(&app, &app.staff, &kivu_uri, &json!({ "status": "inactive" })).await;
    assert_eq!(inactive.expect(StatusCode::OK)["status"], "inactive");
    patch_as(&app, &app.staff, &kivu_uri, &json!({ "status": "referred" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    // Bad fields are named; a municipality that is not ours cannot be applied.
    let mut bad = profile(" ");
    bad["countries"] = json!(["Congo"]);
    bad["contact_email"] = json!("nobody");
    let refused = post_as(&app, &app.staff, "/api/v1/initiatives", &bad).await;
    for field in ["name", "countries", "contact_email"] {
        refused.expect_field_error(field);
    }
    let mut elsewhere = profile("Elders");
    elsewhere["municipality_nis"] = json!("92094");
    post_as(&app, &app.staff, "/api/v1/initiatives", &elsewhere)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let audit = get(&app, "/api/v1/audit?entity=initiative").await;
    let actions: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "initiative.update",
            "initiative.update",
            "initiative.create",
            "initiative.create"
        ],
        "refused changes leave no trace"
    );
}

async fn a_municipality_refers_an_initiative_and_follows_what_became_of_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let leuven = app.new_contact("24062").await;
    let (_, volunteer) = app.new_volunteer().await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let referral = json!({
        "initiative": { "name": "Schoolbank Burkina", "contact_email": "info@schoolbank.example.org" },
        "support": ["fund", "advice", "fund"],
        "note": "Ze zoeken geld voor een schooltje.\nEn advies over vzw-boekhouding."
    });
    let uri = "/api/v1/municipalities/44021/referrals";
    for session in [&leuven, &volunteer, &organisation] {
        post_as(&app, session, uri, &referral)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let sent = post_as(&app, &gent, uri, &referral).await;
    let sent = sent.expect(StatusCode::CREATED).clone();
    assert_eq!(sent["initiative_status"], "referred");
    assert_eq!(sent["support"], json!(["advice", "fund"]));
    assert_eq!(sent["municipality_nis"], "44021");
    let initiative = sent["initiative_id"].as_str().unwrap().to_owned();

    // The municipality follows its referrals; the initiative's details stay with 11.11.11.
    assert_eq!(
        names(&get_as(&app, &gent, "/api/v1/referrals").await),
        ["Schoolbank Burkina"]
    );
    assert!(names(&get_as(&app, &leuven, "/api/v1/referrals").await).is_empty());
    assert_eq!(names(&get(&app, "/api/v1/referrals").await).len(), 1);
    for session in [&volunteer, &organisation] {
        get_as(&app, session, "/api/v1/referrals")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    get_as(&app, &gent, &format!("/api/v1/initiatives/{initiative}"))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    assert!(
        get_as(&app, &gent, "/api/v1/referrals").await.body["items"][0]
            .get("contact_email")
            .is_none()
    );

    // Staff find it among the referrals to take on, and take it on.
    let queue = get(&app, "/api/v1/initiatives?status=referred").await;
    assert_eq!(names(&queue), ["Schoolbank Burkina"]);
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/initiatives/{initiative}"),
        &json!({ "status": "known" }),
    )
    .await
    .expect(StatusCode::OK);
    let followed = get_as(&app, &gent, "/api/v1/referrals").await;
    assert_eq!(
        followed.expect(StatusCode::OK)["items"][0]["initiative_status"],
        "known"
    );

    // A referral retried with the same Idempotency-Key is made once.
    let retried = json!({ "initiative": { "name": "Peru Solidair", "contact_email": "peru@example.org" }, "support": ["training"] });
    let send = || {
        app.client
            .post(uri)
            .header("authorization", gent.bearer())
            .header("idempotency-key", "referral-retry-1")
            .body_json(&retried)
            .send()
    };
    let first = Answer::read(send().await).await;
    let again = Answer::read(send().await).await;
    assert_eq!(
        first.expect(StatusCode::CREATED)["id"],
        again.expect(StatusCode::CREATED)["id"]
    );
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(names(&get_as(&app, &gent, "/api/v1/referrals").await).len(), 2);

    // Bad referrals are named.
    let refused = post_as(
        &app,
        &gent,
        uri,
        &json!({ "initiative": { "name": "", "contact_email": "x" }, "support": [] }),
    )
    .await;
    refused.expect_problem(StatusCode::BAD_REQUEST);
    let refused = post_as(
        &app,
        &gent,
        uri,
        &json!({ "initiative": { "name": " ", "contact_email": "x" }, "support": ["advice"] }),
    )
    .await;
    refused.expect_field_error("name");
    refused.expect_field_error("contact_email");
}

async fn an_initiative_applies_and_staff_decide(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let peru = new_initiative(&app, "Peru Solidair").await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    let other = app.new_initiative_account(uuid::Uuid::parse_str(&peru).unwrap()).await;
    let contact = app.new_contact("44021").await;
    let call = open_call(
        &app,
        &json!({ "year": 2099, "budget_cents": 1_000_000, "max_per_application_cents": 500_000 }),
    )
    .await;
    assert_eq!(call["deadline_brussels"], "31/03/2099 23:59:59 (Brussels time)");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(call["deadline"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339("2099-03-31T21:59:59Z").unwrap()
    );
    assert_eq!(call["open"], true);
    post_as(
        &app,
        &app.staff,
        "/api/v1/fund-calls",
        &json!({ "year": 2099, "budget_cents": 1000, "max_per_application_cents": 500 }),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    post_as(
        &app,
        &contact,
        "/api/v1/fund-calls",
        &json!({ "year": 2098, "budget_cents": 1000, "max_per_application_cents": 500 }),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    assert_eq!(
        get_as(&app, &own, "/api/v1/fund-calls").await.expect(StatusCode::OK)["items"][0]["year"],
        2099
    );

    // Drafted and edited by the initiative, checked against the call.
    let id = draft(&app, &own, 2099, &application(300_000)).await;
    let uri = format!("/api/v1/applications/{id}");
    post_as(
        &app,
        &own,
        "/api/v1/fund-calls/2099/applications",
        &application(600_000),
    )
    .await
    .expect_field_error("requested_cents");
    let mut unbalanced = application(300_000);
    unbalanced["budget_lines"][0]["amount_cents"] = json!(1);
    post_as(&app, &own, "/api/v1/fund-calls/2099/applications", &unbalanced)
        .await
        .expect_field_error("budget_lines");
    let edited = patch_as(&app, &own, &uri, &json!({ "partner": "Action Paysanne asbl" })).await;
    assert_eq!(edited.expect(StatusCode::OK)["partner"], "Action Paysanne asbl");
    // Nobody else's: another initiative, a contact; contacts cannot draft for anyone.
    for session in [&other, &contact] {
        get_as(&app, session, &uri).await.expect_problem(StatusCode::NOT_FOUND);
        step(&app, session, &id, "submit", &json!({}))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let mut for_kivu = application(1000);
    for_kivu["initiative_id"] = json!(kivu);
    post_as(&app, &other, "/api/v1/fund-calls/2099/applications", &for_kivu)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    post_as(
        &app,
        &contact,
        "/api/v1/fund-calls/2099/applications",
        &application(1000),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    get_as(&app, &contact, "/api/v1/applications")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    assert!(
        get_as(&app, &other, "/api/v1/applications")
            .await
            .expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Submitted, it no longer changes; staff review and decide; the initiative sees the decision.
    let submitted = step(&app, &own, &id, "submit", &json!({})).await;
    assert_eq!(submitted.expect(StatusCode::OK)["status"], "submitted");
    patch_as(&app, &own, &uri, &json!({ "partner": "x" }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    step(&app, &own, &id, "submit", &json!({}))
        .await
        .expect_problem(StatusCode::CONFLICT);
    for action in ["review", "grant"] {
        step(&app, &own, &id, action, &json!({ "amount_cents": 1 }))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
        // Another initiative is told there is no such application.
        step(&app, &other, &id, action, &json!({ "amount_cents": 1 }))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    step(&app, &app.staff, &id, "grant", &json!({ "amount_cents": 1 }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    assert_eq!(
        step(&app, &app.staff, &id, "review", &json!({}))
            .await
            .expect(StatusCode::OK)["status"],
        "under_review"
    );
    step(&app, &app.staff, &id, "grant", &json!({ "amount_cents": 300_001 }))
        .await
        .expect_problem(StatusCode::CONFLICT);
    let granted = step(&app, &app.staff, &id, "grant", &json!({ "amount_cents": 250_000 })).await;
    assert_eq!(granted.expect(StatusCode::OK)["status"], "granted");
    let seen = get_as(&app, &own, &uri).await;
    assert_eq!(
        (
            seen.expect(StatusCode::OK)["status"].as_str(),
            seen.body["granted_cents"].as_i64()
        ),
        (Some("granted"), Some(250_000))
    );
    let calls = get(&app, "/api/v1/fund-calls").await;
    assert_eq!(calls.expect(StatusCode::OK)["items"][0]["remaining_cents"], 750_000);

    // Refused with a reason the initiative reads.
    let second = draft(&app, &other, 2099, &application(100_000)).await;
    step(&app, &other, &second, "submit", &json!({}))
        .await
        .expect(StatusCode::OK);
    step(&app, &app.staff, &second, "review", &json!({}))
        .await
        .expect(StatusCode::OK);
    step(&app, &app.staff, &second, "refuse", &json!({ "reason": " " }))
        .await
        .expect_field_error("reason");
    step(
        &app,
        &app.staff,
        &second,
        "refuse",
        &json!({ "reason": "Buiten de doelstellingen van het fonds." }),
    )
    .await
    .expect(StatusCode::OK);
    let refused = get_as(&app, &other, &format!("/api/v1/applications/{second}")).await;
    assert_eq!(
        refused.expect(StatusCode::OK)["refusal_reason"],
        "Buiten de doelstellingen van het fonds."
    );
    let by_status = get(&app, "/api/v1/applications?call_year=2099&status=granted").await;
    assert_eq!(by_status.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    let audit = get(&app, "/api/v1/audit?entity=fund_application").await;
    let actions: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "fund_application.draft",
        "fund_application.submit",
        "fund_application.grant",
        "fund_application.refuse",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

async fn a_submission_after_the_deadline_is_refused_but_the_draft_stays_readable(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    // A call whose deadline passed an hour ago by the server's clock.
    let now = chrono::Utc::now();
    let deadline = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let year = now.format("%Y").to_string().parse::<i64>().unwrap() + 1;
    let call = open_call(
        &app,
        &json!({ "year": year, "budget_cents": 100_000, "max_per_application_cents": 50_000, "deadline": deadline }),
    )
    .await;
    assert_eq!(call["open"], false);
    let id = draft(&app, &own, i32::try_from(year).unwrap(), &application(10_000)).await;
    let late = step(&app, &own, &id, "submit", &json!({})).await;
    let detail = late.expect_problem(StatusCode::CONFLICT)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains(call["deadline_brussels"].as_str().unwrap()),
        "{detail} names the deadline in Brussels time"
    );
    let kept = get_as(&app, &own, &format!("/api/v1/applications/{id}")).await;
    assert_eq!(kept.expect(StatusCode::OK)["status"], "draft");
    // A deadline outside the call's year (or the one before) is refused.
    post_as(
        &app,
        &app.staff,
        "/api/v1/fund-calls",
        &json!({ "year": 2090, "budget_cents": 1000, "max_per_application_cents": 500, "deadline": "2095-01-01T00:00:00Z" }),
    )
    .await
    .expect_field_error("deadline");
}

async fn reviewers_granting_at_once_never_exceed_the_budget(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    open_call(
        &app,
        &json!({ "year": 2099, "budget_cents": 10_000, "max_per_application_cents": 4_000 }),
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        let id = draft(&app, &own, 2099, &application(4_000)).await;
        step(&app, &own, &id, "submit", &json!({})).await.expect(StatusCode::OK);
        step(&app, &app.staff, &id, "review", &json!({}))
            .await
            .expect(StatusCode::OK);
        ids.push(id);
    }
    let amount = json!({ "amount_cents": 4_000 });
    let grants = ids.iter().map(|id| step(&app, &app.staff, id, "grant", &amount));
    let answers = futures_util::future::join_all(grants).await;
    let granted = answers.iter().filter(|a| a.status == StatusCode::OK).count();
    for refused in answers.iter().filter(|a| a.status != StatusCode::OK) {
        let detail = refused.expect_problem(StatusCode::CONFLICT)["detail"].as_str().unwrap();
        assert!(detail.contains("budget"), "{detail}");
    }
    assert_eq!(
        granted, 2,
        "two grants of 4,000 fit a budget of 10,000, a third does not"
    );
    let calls = get(&app, "/api/v1/fund-calls").await;
    assert_eq!(calls.expect(StatusCode::OK)["items"][0]["granted_cents"], 8_000);
}

async fn an_initiative_asks_the_helpdesk_and_staff_assign_and_answer_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let peru = new_initiative(&app, "Peru Solidair").await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    let other = app.new_initiative_account(uuid::Uuid::parse_str(&peru).unwrap()).await;
    let contact = app.new_contact("44021").await;
    let (_, volunteer) = app.new_volunteer().await;
    let ask = json!({ "subject": "Boekhouding van een vzw", "text": "Hoe houden we een kleine vzw-boekhouding bij?" });
    let uri = format!("/api/v1/initiatives/{kivu}/questions");
    for session in [&other, &contact, &volunteer] {
        post_as(&app, session, &uri, &ask)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let asked = post_as(&app, &own, &uri, &ask).await;
    let asked = asked.expect(StatusCode::CREATED).clone();
    assert_eq!(asked["topic"], "fourth_pillar");
    assert_eq!(asked["initiative_id"], kivu.as_str());
    assert_eq!(asked["municipality_nis"], Value::Null);
    let question = format!("/api/v1/questions/{}", asked["id"].as_str().unwrap());

    // Its own account and staff see it; nobody else.
    assert_eq!(
        get_as(&app, &own, "/api/v1/questions").await.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        get_as(&app, &other, "/api/v1/questions").await.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for session in [&other, &contact, &volunteer] {
        get_as(&app, session, &question)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let queue = get(&app, "/api/v1/questions?topic=fourth_pillar&status=open").await;
    assert_eq!(queue.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);

    // Staff assign it for individual guidance (only to a staff account) and answer it.
    patch_as(&app, &own, &question, &json!({ "assigned_to": app.staff.user_id }))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    patch_as(&app, &app.staff, &question, &json!({ "assigned_to": contact.user_id }))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let assigned = patch_as(
        &app,
        &app.staff,
        &question,
        &json!({ "assigned_to": app.staff.user_id }),
    )
    .await;
    assert_eq!(
        assigned.expect(StatusCode::OK)["assigned_to"],
        app.staff.user_id.to_string()
    );
    let mine = get(&app, &format!("/api/v1/questions?assigned_to={}", app.staff.user_id)).await;
    assert_eq!(mine.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    post_as(
        &app,
        &app.staff,
        &format!("{question}/messages"),
        &json!({ "text": "Gebruik het sjabloon van het handboek." }),
    )
    .await
    .expect(StatusCode::CREATED);
    let read = get_as(&app, &own, &question).await;
    assert_eq!(read.expect(StatusCode::OK)["status"], "answered");
    patch_as(&app, &own, &question, &json!({}))
        .await
        .expect_field_error("status");
    // A refused move changes nothing, not even the assignment sent with it.
    patch_as(
        &app,
        &app.staff,
        &question,
        &json!({ "assigned_to": null, "status": "open" }),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    assert_eq!(
        get(&app, &question).await.body["assigned_to"],
        app.staff.user_id.to_string()
    );
    let closed = patch_as(&app, &own, &question, &json!({ "status": "closed" })).await;
    assert_eq!(closed.expect(StatusCode::OK)["status"], "closed");
}

async fn staff_see_the_4th_pillar_at_a_glance_as_json_and_csv(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let gent = app.new_contact("44021").await;
    let referral = |name: &str| json!({ "initiative": { "name": name, "contact_email": "info@example.org" }, "support": ["advice"] });
    for name in ["Een", "Twee"] {
        post_as(&app, &gent, "/api/v1/municipalities/44021/referrals", &referral(name))
            .await
            .expect(StatusCode::CREATED);
    }
    let kivu = new_initiative(&app, "Vrienden van Kivu").await;
    let own = app.new_initiative_account(uuid::Uuid::parse_str(&kivu).unwrap()).await;
    open_call(
        &app,
        &json!({ "year": 2099, "budget_cents": 1_000_000, "max_per_application_cents": 500_000 }),
    )
    .await;
    let first = draft(&app, &own, 2099, &application(300_000)).await;
    draft(&app, &own, 2099, &application(100_000)).await;
    step(&app, &own, &first, "submit", &json!({}))
        .await
        .expect(StatusCode::OK);
    step(&app, &app.staff, &first, "review", &json!({}))
        .await
        .expect(StatusCode::OK);
    step(&app, &app.staff, &first, "grant", &json!({ "amount_cents": 250_000 }))
        .await
        .expect(StatusCode::OK);
    let starts = chrono::Utc::now() + chrono::Duration::days(5);
    let training = post_as(
        &app,
        &app.staff,
        "/api/v1/trainings",
        &json!({ "title": "Netwerkdag", "starts_at": starts, "ends_at": starts + chrono::Duration::hours(2),
                 "place": "Brussel", "capacity": 4, "kind": "network_meeting" }),
    )
    .await;
    let training = training.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
    post_as(
        &app,
        &own,
        &format!("/api/v1/trainings/{training}/registrations"),
        &json!({}),
    )
    .await
    .expect(StatusCode::CREATED);

    for part in ["referrals", "applications", "trainings"] {
        for session in [&gent, &own] {
            get_as(&app, session, &format!("/api/v1/fourth-pillar/{part}"))
                .await
                .expect_problem(StatusCode::FORBIDDEN);
        }
    }
    let referrals = get(&app, "/api/v1/fourth-pillar/referrals").await;
    let referrals = referrals.expect(StatusCode::OK);
    assert_eq!(referrals["by_municipality"][0]["municipality_nis"], "44021");
    assert_eq!(referrals["by_municipality"][0]["referred"], 2);
    assert_eq!(referrals["by_province"].as_array().unwrap().len(), 6);
    let applications = get(&app, "/api/v1/fourth-pillar/applications").await;
    let applications = applications.expect(StatusCode::OK);
    assert_eq!(
        (
            applications["call_year"].as_i64(),
            applications["remaining_cents"].as_i64()
        ),
        (Some(2099), Some(750_000))
    );
    let by_status: Vec<(String, i64, i64)> = applications["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_owned(),
                r["applications"].as_i64().unwrap(),
                r["granted_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(by_status.contains(&("granted".to_owned(), 1, 250_000)), "{by_status:?}");
    assert!(by_status.contains(&("draft".to_owned(), 1, 0)), "{by_status:?}");
    let trainings = get(&app, "/api/v1/fourth-pillar/trainings").await;
    assert_eq!(trainings.expect(StatusCode::OK)["items"][0]["fill_rate_percent"], 25);
    for (part, header) in [
        (
            "referrals",
            "municipality_nis,name_nl,province,referrals,referred,known,inactive",
        ),
        ("applications", "status,applications,requested_cents,granted_cents"),
        (
            "trainings",
            "id,title,starts_at,capacity,registered,waitlisted,fill_rate_percent",
        ),
    ] {
        let csv = app
            .client
            .get(format!("/api/v1/fourth-pillar/{part}"))
            .header("authorization", app.staff.bearer())
            .header("accept", "text/csv")
            .send()
            .await;
        csv.assert_status_is_ok();
        let text = csv.0.into_body().into_string().await.unwrap();
        assert_eq!(text.lines().next(), Some(header), "{part}: {text}");
        assert!(text.lines().count() >= 2, "{part}: {text}");
    }
}
