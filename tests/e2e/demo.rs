//! The demo campaign: whole, consistent with its totals, scoped like real data, and its printed
//! accounts work — also after a restart, which gives them new passwords.

use campaign_api::auth::Passwords;
use campaign_api::commands::demo::{DemoOptions, DemoReport, load_or_refresh};
use campaign_domain::user::Role;
use campaign_persistence::totals::TotalsRepo;
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Backend, Session, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    the_demo_is_a_whole_campaign_that_its_accounts_can_use,
    the_demo_only_loads_into_an_empty_database,
);

const ENTRIES: usize = 6_000;

async fn load(app: &TestApp) -> DemoReport {
    let options = DemoOptions {
        entries: ENTRIES,
        seed: 7,
    };
    load_or_refresh(&app.db, &Passwords::new().unwrap(), options)
        .await
        .expect("the demo loads")
}

async fn sign_in(app: &TestApp, report: &DemoReport, role: Role) -> Session {
    let account = report
        .accounts
        .iter()
        .find(|a| a.role == role)
        .expect("an account per role");
    app.sign_in(&account.email, &account.password)
        .await
        .unwrap_or_else(|| panic!("{} signs in with the printed password", account.email))
}

async fn the_demo_is_a_whole_campaign_that_its_accounts_can_use(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let report = load(&app).await;
    let loaded = report.loaded.clone().expect("loaded into an empty database");
    assert_eq!(loaded.entries, ENTRIES);
    assert!(
        (200..=450).contains(&loaded.groups),
        "a few hundred groups: {}",
        loaded.groups
    );
    assert!(loaded.activities >= loaded.groups * 2, "activities in both years");
    assert!(loaded.corrections > 0);
    for (status, count) in &loaded.requests {
        assert!(*count > 0, "a material request is {}", status.as_str());
    }
    assert_eq!(
        report.accounts.len(),
        5,
        "staff, volunteer, municipal contact, member organisation, initiative"
    );
    assert_eq!(loaded.fourth_pillar.initiatives, 30);
    assert_eq!(loaded.deposits, 5, "a deposit in every state");
    for (status, count) in &loaded.fourth_pillar.applications {
        assert!(*count > 0, "a fund application is {}", status.as_str());
    }
    for (status, count) in &loaded.inquiries {
        assert!(*count > 0, "an inquiry is {}", status.as_str());
    }
    assert!(
        TotalsRepo::new(app.db.clone()).verify().await.unwrap().is_empty(),
        "the kept totals agree with the demo ledger"
    );

    let staff = sign_in(&app, &report, Role::Staff).await;
    let campaigns = get_as(&app, &staff, "/api/v1/campaigns").await;
    let campaigns = campaigns.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(campaigns.len(), 2, "this year's and last year's");
    let mut entries = 0;
    for year in &loaded.years {
        let totals = get_as(&app, &staff, &format!("/api/v1/campaigns/{year}/totals")).await;
        let totals = totals.expect(StatusCode::OK);
        assert!(totals["raised_cents"].as_i64().unwrap() > 0, "{year}: {totals}");
        assert!(totals["groups_reporting"].as_i64().unwrap() > 100, "{year}: {totals}");
        entries += totals["entries"].as_i64().unwrap();
    }
    let corrections = i64::try_from(loaded.corrections).unwrap();
    assert_eq!(entries, i64::try_from(ENTRIES).unwrap() + corrections);
    let this_year = loaded.years[1];
    let pacing = get_as(&app, &staff, &format!("/api/v1/campaigns/{this_year}/pacing")).await;
    let days = pacing.expect(StatusCode::OK)["days"].as_array().unwrap().clone();
    assert!(
        days.iter().any(|d| d["previous_cumulative_cents"].as_i64() > Some(0)),
        "this year is paced against last year"
    );
    let agenda = get_as(&app, &staff, "/api/v1/activities?limit=100").await;
    let agenda = agenda.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert!(
        agenda.iter().any(|a| a["location"]["lon"].is_number()),
        "with boundaries loaded, activities are on the map"
    );
    assert!(
        agenda
            .iter()
            .any(|a| a["status"] == "held" && a["attendance"].is_number())
    );

    let volunteer = sign_in(&app, &report, Role::Volunteer).await;
    let groups = get_as(&app, &volunteer, "/api/v1/groups").await;
    let groups = groups.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(groups.len(), 1, "a volunteer sees their own group");
    let group = groups[0]["id"].as_str().unwrap();
    let own = get_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries?limit=5")).await;
    assert!(!own.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());
    let last_year = loaded.years[0];
    let sale = json!({ "kind": "sale", "product_code": "cards-6", "quantity": 2, "payment_method": "cash",
                       "occurred_at": format!("{last_year}-11-10T10:00:00Z") });
    post_as(&app, &volunteer, &format!("/api/v1/groups/{group}/entries"), &sale)
        .await
        .expect(StatusCode::CREATED);

    let contact = sign_in(&app, &report, Role::MunicipalContact).await;
    let requests = get_as(&app, &contact, "/api/v1/material-requests").await;
    let requests = requests.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert!(
        !requests.is_empty(),
        "the demo contact's municipality asked for materials"
    );
    let home = &requests[0]["municipality_nis"];
    assert!(
        requests.iter().all(|r| &r["municipality_nis"] == home),
        "only their municipality"
    );
    // Its programmes under way, and its questions in every state.
    let home = home.as_str().unwrap();
    let engagements = get_as(&app, &contact, &format!("/api/v1/municipalities/{home}/engagements")).await;
    let statuses: Vec<Value> = engagements.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("committed"), json!("interested")]);
    let questions = get_as(&app, &contact, "/api/v1/questions").await;
    let mut states: Vec<String> = questions.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["status"].as_str().unwrap().to_owned())
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(states, ["answered", "closed", "open"]);
    // Its inquiries: one answered by Join For Water, whose account sees it in its inbox.
    let inquiries = get_as(&app, &contact, "/api/v1/inquiries").await;
    let inquiries = inquiries.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let answered = inquiries
        .iter()
        .find(|i| i["status"] == "answered")
        .expect("the demo contact has an answered inquiry");
    let organisation = sign_in(&app, &report, Role::MemberOrg).await;
    let inbox = get_as(&app, &organisation, "/api/v1/inquiries").await;
    assert!(
        inbox.expect(StatusCode::OK)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == answered["id"]),
        "the organisation sees the inquiry it answered"
    );
    let water = get(&app, "/api/v1/offers?q=water").await;
    let titles: Vec<&str> = water.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Waterwandeling") && titles.len() >= 4, "{titles:?}");
    let offers = get(&app, "/api/v1/offers?limit=100").await;
    assert_eq!(offers.expect(StatusCode::OK)["total"], 15);
    // The 4th pillar: the contact's referral followed; the initiative's draft in this year's open
    // call, last year's call closed with its decisions.
    let referrals = get_as(&app, &contact, "/api/v1/referrals").await;
    assert_eq!(referrals.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    let initiative = sign_in(&app, &report, Role::Initiative).await;
    let calls = get_as(&app, &initiative, "/api/v1/fund-calls").await;
    let calls = calls.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(
        calls.iter().map(|c| c["open"].as_bool().unwrap()).collect::<Vec<_>>(),
        [true, false],
        "this year's call open, last year's closed"
    );
    assert!(calls[1]["granted_cents"].as_i64().unwrap() > 0);
    let own = get_as(&app, &initiative, "/api/v1/applications").await;
    let own = own.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(own.len(), 1);
    assert_eq!(
        (own[0]["status"].as_str(), own[0]["call_year"].clone()),
        (Some("draft"), calls[0]["year"].clone())
    );
    let deposits = get_as(&app, &staff, "/api/v1/deposits").await;
    let mut states: Vec<String> = deposits.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_owned())
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(states, ["closed", "matched", "over", "short"]);
    // The accounting link with its delivery log: every event type, retries that succeeded.
    let hooks = get_as(&app, &staff, "/api/v1/webhooks").await;
    let hooks = hooks.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0]["enabled"], false, "example.org receives nothing: paused");
    let log = get_as(
        &app,
        &staff,
        &format!(
            "/api/v1/webhooks/{}/deliveries?limit=500",
            hooks[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    let log = log.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(log.len(), loaded.webhook_deliveries);
    let types: std::collections::BTreeSet<&str> = log.iter().map(|d| d["event_type"].as_str().unwrap()).collect();
    assert!(
        types.is_superset(
            &[
                "deposit.closed",
                "entry.corrected",
                "fund_application.decided",
                "material_request.status_changed"
            ]
            .into()
        ),
        "{types:?}"
    );
    assert!(log.iter().all(|d| d["status"] == "succeeded"));
    assert!(log.iter().any(|d| d["attempts"] == 2), "a retry in the log");
    let trainings = get_as(&app, &initiative, "/api/v1/trainings").await;
    let trainings = trainings.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(trainings.len(), 3);
    assert!(trainings.iter().any(|s| s["my_registration"]["status"] == "registered"));
    let public = get(&app, "/api/v1/public/programmes/faire-gemeente/municipalities").await;
    assert!(public.expect(StatusCode::OK)["items"].as_array().unwrap().len() >= 10);
    let renewals = get_as(&app, &staff, "/api/v1/engagements/renewals-due?within_days=3650").await;
    assert!(!renewals.expect(StatusCode::OK)["items"].as_array().unwrap().is_empty());

    // A restart with --demo: nothing loaded twice, new passwords that work, old ones that don't.
    let again = load(&app).await;
    assert!(again.loaded.is_none());
    let old = report.accounts.iter().find(|a| a.role == Role::Staff).unwrap();
    let new = again.accounts.iter().find(|a| a.role == Role::Staff).unwrap();
    assert_ne!(old.password, new.password);
    assert!(app.sign_in(&old.email, &old.password).await.is_none());
    sign_in(&app, &again, Role::Staff).await;
    let after = get_as(&app, &staff, "/api/v1/campaigns").await;
    assert_eq!(after.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 2);
}

async fn the_demo_only_loads_into_an_empty_database(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let options = DemoOptions { entries: 10, seed: 1 };
    let passwords = Passwords::new().unwrap();
    // A database set up before the season: a group, no campaign yet.
    app.new_group("44021").await;
    let refused = load_or_refresh(&app.db, &passwords, options).await;
    let message = format!("{:#}", refused.expect_err("a database in use is left alone"));
    assert!(message.contains("holds volunteer groups"), "{message}");

    let campaign = json!({ "year": 2030, "starts_on": "2030-10-01", "ends_on": "2030-11-30", "target_cents": 100 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &campaign)
        .await
        .expect(StatusCode::CREATED);
    let refused = load_or_refresh(&app.db, &passwords, options).await;
    let message = format!(
        "{:#}",
        refused.expect_err("a database with real campaigns is left alone")
    );
    assert!(message.contains("holds campaigns"), "{message}");
    let groups = get_as(&app, &app.staff, "/api/v1/groups").await;
    let groups = groups.expect(StatusCode::OK)["items"].as_array().unwrap().len();
    assert_eq!(groups, 1, "nothing was loaded");
}
