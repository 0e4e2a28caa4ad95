//! An initiative drafts an application to this year's call of the fund on its page and submits it
//! before the deadline; staff take it into review and grant it on theirs; the initiative sees the
//! decision.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(
    an_initiative_applies_to_the_fund_and_sees_it_granted,
    a_contact_refers_an_initiative_and_follows_it,
);

async fn a_contact_refers_an_initiative_and_follows_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let contact = app.new_contact("44021").await;
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;
    sign_in(&browser, &site, &contact, "/contact").await;
    browser.type_into("#referral-name", "Schoolbank Burkina").await;
    browser
        .type_into("#referral-email", "info@schoolbank.example.org")
        .await;
    browser.click("#referral-support-fund").await;
    browser.click("#referral-support-advice").await;
    browser.click("#referral-submit").await;
    browser
        .wait_until(
            "the referral listed as waiting for 11.11.11",
            "return document.querySelector('#referrals-list li.referral[data-status=\"referred\"] strong')?.textContent === 'Schoolbank Burkina';",
        )
        .await;
    let (_, referrals) = call(&app, &app.staff, "GET", "/api/v1/referrals", None).await;
    assert_eq!(referrals["items"][0]["support"], json!(["advice", "fund"]));
    assert_eq!(referrals["items"][0]["municipality_nis"], "44021");
    let initiative = referrals["items"][0]["initiative_id"].as_str().unwrap().to_owned();

    // Staff take it on from their queue; the contact sees what became of it.
    let Some(staff_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    sign_in(&staff_browser, &site, &app.staff, "/staff").await;
    let item = format!("#referral-queue li[data-initiative-id='{initiative}']");
    staff_browser
        .wait_until(
            "the referral in the staff's queue",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    staff_browser
        .click(&format!("{item} button[data-action='known']"))
        .await;
    staff_browser
        .wait_until(
            "the referral taken on",
            &format!("return document.querySelector(\"{item}\") === null;"),
        )
        .await;
    // Staff publish a training on the same section, its times on the Brussels clock.
    staff_browser
        .type_into("#training-title", "Fondsenwerving voor kleine organisaties")
        .await;
    staff_browser
        .eval(
            "const set = (id, v) => { const i = document.getElementById(id); i.value = v; i.dispatchEvent(new Event('input', { bubbles: true })); };
             set('training-starts', '2099-02-06T10:00');
             set('training-ends', '2099-02-06T13:00');",
            vec![],
        )
        .await;
    staff_browser
        .type_into("#training-place", "Vlasfabriekstraat 11, Brussel")
        .await;
    staff_browser.click("#training-publish").await;
    staff_browser
        .wait_until(
            "the training listed",
            "return [...document.querySelectorAll('#training-list li.training strong')].some((e) => e.textContent === 'Fondsenwerving voor kleine organisaties');",
        )
        .await;
    let (_, trainings) = call(&app, &app.staff, "GET", "/api/v1/trainings", None).await;
    let starts = chrono::DateTime::parse_from_rfc3339(trainings["items"][0]["starts_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        starts,
        chrono::DateTime::parse_from_rfc3339("2099-02-06T09:00:00Z").unwrap(),
        "10:00 in Brussels is 09:00 UTC in winter"
    );
    staff_browser.close().await;
    browser.refresh_page().await;
    browser
        .wait_until(
            "the referral followed up",
            "return document.querySelector('#referrals-list li.referral[data-status=\"known\"]') !== null;",
        )
        .await;
    browser
        .eval("document.querySelector('#referrals').scrollIntoView();", vec![])
        .await;
    browser.assert_accessible("contact page with referrals").await;
    browser.screenshot(&format!("contact-referrals-{backend:?}")).await;
    browser.close().await;
}

async fn an_initiative_applies_to_the_fund_and_sees_it_granted(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (status, created) = call(
        &app,
        &app.staff,
        "POST",
        "/api/v1/initiatives",
        Some(
            json!({ "name": "Vrienden van Kivu", "municipality_nis": "44021", "contact_email": "an@kivu.example.org" }),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let initiative = app
        .new_initiative_account(uuid::Uuid::parse_str(created["id"].as_str().unwrap()).unwrap())
        .await;
    let (status, opened) = call(
        &app,
        &app.staff,
        "POST",
        "/api/v1/fund-calls",
        Some(json!({ "year": 2099, "budget_cents": 5_000_000, "max_per_application_cents": 1_000_000 })),
    )
    .await;
    assert_eq!(status, 201, "{opened}");
    let Some(initiative_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let Some(staff_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;

    // The initiative keeps its profile, sees the call with its deadline in Brussels time,
    // drafts and submits.
    sign_in(&initiative_browser, &site, &initiative, "/initiative").await;
    initiative_browser
        .wait_until(
            "the profile",
            "return document.querySelector('#profile-volunteers') !== null;",
        )
        .await;
    initiative_browser.type_into("#profile-volunteers", "15").await;
    initiative_browser.type_into("#profile-countries", "CD, RW").await;
    initiative_browser.click("#profile-save").await;
    initiative_browser
        .wait_until(
            "the profile saved",
            "return document.querySelector('#profile-message .notice.ok') !== null;",
        )
        .await;
    let (_, profile) = call(
        &app,
        &app.staff,
        "GET",
        &format!("/api/v1/initiatives/{}", created["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        (profile["volunteers"].as_i64(), profile["countries"].clone()),
        (Some(15), json!(["CD", "RW"]))
    );
    initiative_browser
        .wait_until(
            "the open call with its deadline",
            "return document.querySelector('#open-call')?.textContent.includes('31/03/2099 23:59:59 (Brussels time)');",
        )
        .await;
    initiative_browser
        .type_into("#draft-title", "Waterputten in Kivu")
        .await;
    initiative_browser.type_into("#draft-country", "cd").await;
    initiative_browser.type_into("#draft-partner", "Action Paysanne").await;
    initiative_browser
        .type_into("#draft-summary", "Twee waterputten voor 400 gezinnen.")
        .await;
    initiative_browser.type_into("#draft-line-0-label", "Materiaal").await;
    initiative_browser.type_into("#draft-line-0-amount", "4.500").await;
    initiative_browser.type_into("#draft-line-1-label", "Vorming").await;
    initiative_browser.type_into("#draft-line-1-amount", "1500,50").await;
    initiative_browser.click("#draft-save").await;
    let id = initiative_browser
        .wait_until(
            "the draft listed",
            "const a = document.querySelector('#applications li.application[data-status=\"draft\"]');
             return a ? a.dataset.applicationId : null;",
        )
        .await;
    let id = id.as_str().unwrap().to_owned();
    let (_, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/applications/{id}"), None).await;
    assert_eq!(stored["requested_cents"], 600_050);
    assert_eq!(stored["country"], "CD");
    initiative_browser
        .click(&format!(
            "#applications li[data-application-id='{id}'] button[data-action='submit']"
        ))
        .await;
    initiative_browser
        .wait_until(
            "the application submitted",
            &format!("return document.querySelector(\"#applications li[data-application-id='{id}']\")?.dataset.status === 'submitted';"),
        )
        .await;
    initiative_browser.assert_accessible("initiative page").await;

    // Staff take it into review and grant it.
    sign_in(&staff_browser, &site, &app.staff, "/staff").await;
    let item = format!("#fund-applications li[data-application-id='{id}']");
    staff_browser
        .wait_until(
            "the submitted application in the fund section",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    staff_browser
        .click(&format!("{item} button[data-action='review']"))
        .await;
    staff_browser
        .wait_until(
            "the reviewed application gone from the submitted ones",
            &format!("return document.querySelector(\"{item}\") === null && document.querySelector('#fund-applications li.muted') !== null;"),
        )
        .await;
    staff_browser
        .eval(
            "const s = document.querySelector('#fund-status-filter');
             s.value = 'under_review';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    staff_browser
        .wait_until(
            "the application under review",
            &format!("return document.querySelector(\"{item}\")?.dataset.status === 'under_review';"),
        )
        .await;
    staff_browser
        .eval(
            &format!("const i = document.querySelector(\"{item} input[id^='grant-']\"); i.value = '5000'; i.dispatchEvent(new Event('input', {{ bubbles: true }}));"),
            vec![],
        )
        .await;
    staff_browser
        .click(&format!("{item} button[data-action='grant']"))
        .await;
    staff_browser
        .wait_until(
            "the granted application leaves the review list",
            &format!("return document.querySelector(\"{item}\") === null;"),
        )
        .await;
    staff_browser
        .eval("document.querySelector('#fund').scrollIntoView();", vec![])
        .await;
    staff_browser.screenshot(&format!("staff-fund-{backend:?}")).await;
    let (_, granted) = call(&app, &app.staff, "GET", &format!("/api/v1/applications/{id}"), None).await;
    assert_eq!(
        (granted["status"].as_str(), granted["granted_cents"].as_i64()),
        (Some("granted"), Some(500_000))
    );

    // The initiative reads the decision.
    initiative_browser.refresh_page().await;
    initiative_browser
        .wait_until(
            "the decision on the initiative's page",
            &format!(
                "const a = document.querySelector(\"#applications li[data-application-id='{id}']\");
                 return a && a.dataset.status === 'granted' && a.querySelector('.decision')?.textContent;"
            ),
        )
        .await;
    initiative_browser
        .eval("document.querySelector('#fund').scrollIntoView();", vec![])
        .await;
    initiative_browser
        .screenshot(&format!("initiative-fund-{backend:?}"))
        .await;
    initiative_browser.close().await;
    staff_browser.close().await;
}
