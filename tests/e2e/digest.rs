//! Staff's daily digest: each thing that waits is named (requests to approve, deliveries due,
//! lent materials not back, quiet groups, cash waiting, open deposits, questions waiting more
//! than two working days), only for staff; mailed once a day after 08:00 Brussels through a real
//! local SMTP receiver, by one replica only, and again after a failed attempt.

use campaign_api::digest_mail::{DigestMailer, MailSettings};
use campaign_api::routes::digest::{DigestAsk, compose};
use campaign_domain::ledger::local_date;
use campaign_tests::smtp_receiver::SmtpReceiver;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Brussels;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, Session, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    the_digest_names_what_waits_for_staff,
    the_digest_is_mailed_once_a_day_after_eight,
);

async fn post_ok(app: &TestApp, who: &Session, uri: &str, body: &Value, status: StatusCode) -> Value {
    post_as(app, who, uri, body).await.expect(status).clone()
}

async fn request(app: &TestApp, contact: &Session, material: &str, needed_in_days: i64) -> String {
    let needed_by = (local_date(Utc::now()) + Duration::days(needed_in_days)).to_string();
    let body = json!({ "lines": [{ "material_code": material, "quantity": 1 }], "needed_by": needed_by,
                       "delivery_address": "Stadhuis, Botermarkt 1, 9000 Gent" });
    let made = post_ok(
        app,
        contact,
        "/api/v1/municipalities/44021/material-requests",
        &body,
        StatusCode::CREATED,
    )
    .await;
    made["id"].as_str().unwrap().to_owned()
}

async fn the_digest_names_what_waits_for_staff(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let staff = app.staff.clone();
    let today = local_date(Utc::now());
    let starts = today - Duration::days(30);
    let year = chrono::Datelike::year(&starts);
    let campaign = json!({ "year": year, "starts_on": starts, "ends_on": today + Duration::days(5),
                           "target_cents": 1_000_000 });
    post_ok(&app, &staff, "/api/v1/campaigns", &campaign, StatusCode::CREATED).await;
    for (code, lent) in [("flag", false), ("expo-kit", true)] {
        let body = json!({ "code": code, "name": code, "lent": lent, "stock_on_hand": 5 });
        post_ok(&app, &staff, "/api/v1/materials", &body, StatusCode::CREATED).await;
    }
    let contact = app.new_contact("44021").await;
    let waiting = request(&app, &contact, "flag", 10).await;
    let due = request(&app, &contact, "flag", 2).await;
    let later = request(&app, &contact, "flag", 9).await;
    let lent = request(&app, &contact, "expo-kit", 1).await;
    for (id, moves) in [
        (&due, &["approve"][..]),
        (&later, &["approve"]),
        (&lent, &["approve", "ship", "deliver"]),
    ] {
        for action in moves {
            post_ok(
                &app,
                &staff,
                &format!("/api/v1/material-requests/{id}/{action}"),
                &json!({}),
                StatusCode::OK,
            )
            .await;
        }
    }
    // Three groups: one logs cash today and never deposits it, one deposits what it logged, one is quiet.
    let (busy, busy_volunteer) = app.new_volunteer().await;
    let (settled, settled_volunteer) = app.new_volunteer().await;
    let quiet = app.new_group("44021").await;
    let ten_days_ago = today - Duration::days(10);
    for (group, who) in [(busy, &busy_volunteer), (settled, &settled_volunteer)] {
        let body = json!({ "kind": "donation", "amount_cents": 2_500, "payment_method": "cash",
                           "occurred_at": format!("{ten_days_ago}T11:00:00Z") });
        post_ok(
            &app,
            who,
            &format!("/api/v1/groups/{group}/entries"),
            &body,
            StatusCode::CREATED,
        )
        .await;
    }
    let deposit = json!({ "amount_cents": 2_000, "deposited_on": today, "reference": "handed to staff",
                          "covers_from": ten_days_ago, "covers_to": today });
    post_ok(
        &app,
        &settled_volunteer,
        &format!("/api/v1/groups/{settled}/deposits"),
        &deposit,
        StatusCode::CREATED,
    )
    .await;
    let question =
        json!({ "topic": "campaign_support", "subject": "Affiches voor de quiz?", "text": "Wanneer komen ze?" });
    post_ok(
        &app,
        &contact,
        "/api/v1/municipalities/44021/questions",
        &question,
        StatusCode::CREATED,
    )
    .await;

    let digest = get(&app, "/api/v1/digest").await;
    let digest = digest.expect(StatusCode::OK).clone();
    assert_eq!(digest["date"], today.to_string());
    assert_eq!(digest["campaign_year"], year);
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&digest["requests_waiting"]), [waiting.as_str()]);
    assert_eq!(digest["requests_waiting"][0]["municipality_name"], "Gent");
    assert_eq!(
        ids(&digest["deliveries_due"]),
        [due.as_str()],
        "needed within 3 days, not shipped"
    );
    assert!(
        digest["returns_overdue"].as_array().unwrap().is_empty(),
        "the exhibition is not due back yet"
    );
    let quiet_ids: Vec<&str> = digest["quiet_groups"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        quiet_ids,
        [quiet.to_string()],
        "the groups that logged this week are not quiet"
    );
    let cash = &digest["cash_waiting"];
    assert_eq!(cash["total"], 1, "{cash}");
    assert_eq!(cash["items"][0]["group_id"], busy.to_string());
    assert_eq!(
        (
            &cash["items"][0]["outstanding_cents"],
            &cash["items"][0]["waiting_since"]
        ),
        (&json!(2_500), &json!(ten_days_ago.to_string()))
    );
    assert_eq!(digest["open_deposits"], json!({ "short": 1, "over": 0, "matched": 0 }));
    assert!(
        digest["unanswered_questions"].as_array().unwrap().is_empty(),
        "asked just now"
    );
    assert!(digest["mailed_at"].is_null());
    // Chosen thresholds: cash waiting more than 20 days, quiet since tomorrow.
    let chosen = get(
        &app,
        &format!(
            "/api/v1/digest?cash_older_than_days=20&no_entry_since={}",
            today + Duration::days(1)
        ),
    )
    .await;
    let chosen = chosen.expect(StatusCode::OK);
    assert_eq!(chosen["cash_waiting"]["total"], 0);
    assert_eq!(chosen["quiet_groups"]["total"], 3);
    get(&app, "/api/v1/digest?cash_older_than_days=0")
        .await
        .expect_problem(StatusCode::BAD_REQUEST);

    // A week on: the question waited more than two working days, the exhibition's loan has run out.
    let later_on = compose(&app.db, DigestAsk::at(Utc::now() + Duration::days(30)))
        .await
        .unwrap();
    assert_eq!(later_on.unanswered_questions.len(), 1);
    assert_eq!(later_on.unanswered_questions[0].subject, "Affiches voor de quiz?");
    assert_eq!(later_on.returns_overdue.len(), 1);
    assert_eq!(later_on.returns_overdue[0].materials, ["expo-kit"]);
    assert_eq!(later_on.returns_overdue[0].due_back, today + Duration::days(22));

    // Staff only.
    let (_, volunteer) = app.new_volunteer().await;
    let organisation = app
        .new_member_org(uuid::Uuid::parse_str(crate::offers::OXFAM).unwrap())
        .await;
    let initiative = crate::fourth_pillar::initiative_account(&app).await;
    for who in [&volunteer, &contact, &organisation, &initiative] {
        get_as(&app, who, "/api/v1/digest")
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }
    app.client
        .get("/api/v1/digest")
        .send()
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

/// `time` (HH:MM) today on the Brussels clock.
fn brussels(today: NaiveDate, time: &str) -> DateTime<Utc> {
    let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    Brussels
        .from_local_datetime(&today.and_time(time))
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn the_digest_is_mailed_once_a_day_after_eight(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let receiver = SmtpReceiver::start().await;
    let settings = |url: &str| MailSettings {
        smtp_url: url.to_owned(),
        from: "11.11.11 campagne <campagne@example.org>".parse().unwrap(),
        to: Vec::new(),
        send_at: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
    };
    let second_staff = app.sign_in_new(campaign_domain::user::Membership::Staff).await;
    let today = local_date(Utc::now());
    let (one, other) = (
        DigestMailer::new(app.db.clone(), settings(&receiver.url)).unwrap(),
        DigestMailer::new(app.db.clone(), settings(&receiver.url)).unwrap(),
    );
    assert_eq!(
        one.tick(brussels(today, "07:59")).await.unwrap(),
        None,
        "not before eight"
    );
    assert!(receiver.mails().is_empty());
    assert_eq!(one.tick(brussels(today, "08:01")).await.unwrap(), Some(2));
    assert_eq!(
        other.tick(brussels(today, "08:02")).await.unwrap(),
        None,
        "another replica finds the day taken"
    );
    assert_eq!(one.tick(brussels(today, "09:30")).await.unwrap(), None, "once a day");
    let mails = receiver.mails();
    assert_eq!(mails.len(), 1, "one message for every staff account");
    let mut to = mails[0].to.clone();
    to.sort();
    let mut expected = vec![
        app.staff.email.clone(),
        second_staff.email.clone(),
        "campagne@example.org".to_owned(),
    ];
    expected.sort();
    assert_eq!(to, expected);
    assert_eq!(mails[0].from, "campagne@example.org");
    assert!(
        !mails[0].data.contains(&app.staff.email),
        "recipients in Bcc do not see each other"
    );
    assert!(
        mails[0].data.contains("Subject: Campagne: wat vandaag wacht"),
        "{}",
        mails[0].data
    );
    assert!(
        mails[0].data.contains("Materiaalaanvragen om goed te keuren: 0"),
        "{}",
        mails[0].data
    );
    let digest = get(&app, "/api/v1/digest").await;
    assert!(digest.expect(StatusCode::OK)["mailed_at"].is_string());

    // Tomorrow the SMTP server is down: the failure is recorded and the day tried again later.
    let tomorrow = today + Duration::days(1);
    let down = DigestMailer::new(app.db.clone(), settings("smtp://127.0.0.1:1")).unwrap();
    assert!(down.tick(brussels(tomorrow, "08:00")).await.is_err());
    assert_eq!(
        one.tick(brussels(tomorrow, "08:02")).await.unwrap(),
        None,
        "the claim still holds"
    );
    assert_eq!(
        one.tick(brussels(tomorrow, "08:11")).await.unwrap(),
        Some(2),
        "tried again"
    );
    assert_eq!(receiver.mails().len(), 2);
}
