//! Staff see what waits today (a request to approve), then link another system: register the
//! receiver's address, keep the secret shown once, send a test event and see it delivered in the
//! endpoint's log, then pause the endpoint.
use campaign_api::WebhookSettings;
use campaign_tests::TestOptions;
use campaign_tests::browser::{Browser, Screen};
use campaign_tests::webhook_receiver::Receiver;

use super::*;

on_both_databases!(staff_link_a_receiver_and_see_the_test_event_delivered);

async fn staff_link_a_receiver_and_see_the_test_event_delivered(backend: Backend) {
    let options = TestOptions {
        webhooks: WebhookSettings {
            allow_private: true,
            ..WebhookSettings::default()
        },
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let receiver = Receiver::start().await;
    // A material request waiting for approval: the first thing in "what waits today".
    let (status, _) = call(
        &app,
        &app.staff,
        "POST",
        "/api/v1/materials",
        Some(json!({ "code": "flag", "name": "Vlag", "lent": false, "stock_on_hand": 10 })),
    )
    .await;
    assert_eq!(status, 201);
    let contact = app.new_contact("44021").await;
    let needed_by = chrono::Utc::now().date_naive() + chrono::Duration::days(10);
    let (status, body) = call(
        &app,
        &contact,
        "POST",
        "/api/v1/municipalities/44021/material-requests",
        Some(
            json!({ "lines": [{ "material_code": "flag", "quantity": 2 }], "needed_by": needed_by,
                     "delivery_address": "Stadhuis, Botermarkt 1, 9000 Gent" }),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;
    sign_in(&browser, &site, &app.staff, "/staff").await;
    browser
        .wait_until(
            "the request waiting today, linked to the request queue",
            "const item = document.querySelector(\"#digest-list li[data-digest='requests']\"); \
             return item?.dataset.count === '1' && item.querySelector('a').getAttribute('href') === '#materials' \
               && item.textContent.includes('Gent');",
        )
        .await;
    browser
        .wait_until(
            "the empty list of links",
            "return document.querySelector('#webhook-list .muted') !== null;",
        )
        .await;
    browser.type_into("#webhook-url", &receiver.url).await;
    browser.type_into("#webhook-description", "Boekhouding").await;
    browser.click("#webhook-event-deposit-closed").await;
    browser.click("#webhook-form button[type=submit]").await;
    let secret = browser
        .wait_until(
            "the secret, shown once",
            "return document.querySelector('#webhook-secret')?.textContent || false;",
        )
        .await;
    let secret = secret.as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.set_secret(&secret);
    let item = browser
        .wait_until(
            "the new link in the list",
            "return document.querySelector('#webhook-list li.webhook')?.dataset.webhookId || false;",
        )
        .await;
    let item = format!("#webhook-list li[data-webhook-id='{}']", item.as_str().unwrap());
    let (_, listed) = call(&app, &app.staff, "GET", "/api/v1/webhooks", None).await;
    assert_eq!(
        listed["items"][0]["events"],
        json!(["entry.created", "deposit.closed"]),
        "{listed}"
    );

    browser.click(&format!("{item} button[data-action='test']")).await;
    browser
        .wait_until(
            "the test event waiting in the log",
            &format!("return document.querySelector(\"{item} tr[data-status='pending']\") !== null;"),
        )
        .await;
    // The worker's round (the server runs it every second).
    assert_eq!(app.webhook_worker().deliver_due(None).await.unwrap(), 1);
    browser
        .click(&format!("{item} button[data-action='refresh-log']"))
        .await;
    browser
        .wait_until(
            "the test event delivered",
            &format!(
                "const row = document.querySelector(\"{item} tr[data-status='succeeded']\"); \
                 return row !== null && row.textContent.includes('204');"
            ),
        )
        .await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].verified, "signed with the secret the page showed");
    assert_eq!(got[0].body["type"], "webhook.test");

    browser.click(&format!("{item} button[data-action='pause']")).await;
    browser
        .wait_until(
            "the link paused",
            "return document.querySelector(\"#webhook-list li[data-enabled='false'] button[data-action='enable']\") !== null;",
        )
        .await;
    browser
        .eval("document.querySelector('#webhooks').scrollIntoView();", vec![])
        .await;
    browser.assert_accessible("staff page with webhooks").await;
    browser.screenshot(&format!("staff-webhooks-{backend:?}")).await;
    browser.close().await;
}
