//! A municipal contact moves Gent into Faire Gemeente on its page (interest with evidence, then
//! committed with the council decision); staff recognise it; the contact sees the title, and the
//! public list names Gent.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(a_contact_commits_gent_to_faire_gemeente_and_sees_it_recognised);

const CARD: &str = "#programmes article[data-programme='faire-gemeente']";

async fn choose_status(browser: &Browser, status: &str) {
    browser
        .eval(
            "const s = document.querySelector('#programme-faire-gemeente-status');
             s.value = arguments[0];
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(status)],
        )
        .await;
}

async fn card_shows(browser: &Browser, status: &str) {
    browser
        .wait_until(
            &format!("Faire Gemeente shown as {status}"),
            &format!("return document.querySelector(\"{CARD}\")?.dataset.status === '{status}';"),
        )
        .await;
}

async fn a_contact_commits_gent_to_faire_gemeente_and_sees_it_recognised(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let contact = app.new_contact("44021").await;
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;
    let uri = "/api/v1/municipalities/44021/engagements/faire-gemeente";

    sign_in(&browser, &site, &contact, "/contact").await;
    card_shows(&browser, "not_engaged").await;
    choose_status(&browser, "interested").await;
    browser
        .type_into(
            "#programme-faire-gemeente-evidence-shops-horeca",
            "14 winkels en 9 horecazaken schenken fairtrade",
        )
        .await;
    browser.click("#programme-faire-gemeente-save").await;
    card_shows(&browser, "interested").await;
    let (status, stored) = call(&app, &app.staff, "GET", uri, None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(
        stored["evidence"]["shops-horeca"],
        "14 winkels en 9 horecazaken schenken fairtrade"
    );

    // Committed needs the council decision: the page shows the server's reason, then it goes.
    choose_status(&browser, "committed").await;
    browser.click("#programme-faire-gemeente-save").await;
    let refused = browser
        .wait_until(
            "the reason a commitment needs a date",
            &format!("return document.querySelector(\"{CARD} .programme-message .notice.error\")?.textContent;"),
        )
        .await;
    assert!(refused.as_str().unwrap().contains("council_decision_on"), "{refused}");
    // The date picker's typing order follows the browser's locale; its value is ISO everywhere.
    browser
        .eval(
            "document.querySelector('#programme-faire-gemeente-council').value = '2026-03-12';",
            vec![],
        )
        .await;
    browser.click("#programme-faire-gemeente-save").await;
    card_shows(&browser, "committed").await;
    let (_, stored) = call(&app, &app.staff, "GET", uri, None).await;
    assert_eq!(stored["council_decision_on"], "2026-03-12");
    assert_eq!(stored["history"].as_array().map(Vec::len), Some(2));
    browser.assert_accessible("contact page with programmes").await;

    // Staff recognise the title; the contact sees it with its dates, and so does the public.
    let (status, body) = call(
        &app,
        &app.staff,
        "PATCH",
        uri,
        Some(json!({ "status": "recognised", "recognised_on": "2026-06-01", "renewal_due_on": "2028-06-01" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    browser.refresh_page().await;
    card_shows(&browser, "recognised").await;
    let shown = browser.text(CARD).await;
    assert!(shown.contains("Erkend op"), "{shown}");
    assert!(shown.contains("2028"), "{shown}");
    browser
        .eval("document.querySelector(\"#programmes\").scrollIntoView();", vec![])
        .await;
    browser.screenshot(&format!("contact-programmes-{backend:?}")).await;
    let (status, public) = call(
        &app,
        &app.staff,
        "GET",
        "/api/v1/public/programmes/faire-gemeente/municipalities",
        None,
    )
    .await;
    assert_eq!(status, 200, "{public}");
    assert_eq!(public["items"][0]["nis_code"], "44021");
    browser.close().await;
}
