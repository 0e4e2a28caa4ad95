//! The volunteer's page on a phone: a sale in three taps, and sales logged offline that reach
//! the server exactly once.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(
    a_volunteer_logs_a_sale_on_a_phone_and_sees_the_group_total_change,
    sales_logged_offline_are_stored_exactly_once_even_when_the_upload_is_cut,
    a_volunteer_hands_in_the_days_cash_and_sees_it_match,
);

/// Product, quantity, payment method: the third tap logs the sale.
async fn three_taps(browser: &Browser, product: &str, quantity: u32, payment: &str) {
    browser.click(&format!("button[data-product='{product}']")).await;
    browser.click(&format!("button[data-quantity='{quantity}']")).await;
    browser.click(&format!("button[data-payment='{payment}']")).await;
}

async fn pending(browser: &Browser) -> i64 {
    let count = browser
        .eval(
            "return Number(document.querySelector('#pending-count')?.dataset.count ?? -1);",
            vec![],
        )
        .await;
    count.as_i64().unwrap()
}

async fn entries_of(app: &TestApp, group: &str) -> Vec<Value> {
    let (status, body) = call(
        app,
        &app.staff,
        "GET",
        &format!("/api/v1/groups/{group}/entries?limit=100"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn a_volunteer_logs_a_sale_on_a_phone_and_sees_the_group_total_change(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    sale_through_api(&app, &volunteer, &group, 1).await;
    let Some(browser) = Browser::start(Screen::Phone).await else {
        return;
    };
    let site = app.serve_site().await;

    sign_in(&browser, &site, &volunteer, "/volunteer").await;
    // Fifteen minutes later the access token has run out: the page swaps the kept refresh token
    // for a new pair instead of asking to sign in again.
    let before_refresh = browser
        .eval(
            "const s = JSON.parse(localStorage.getItem('campaign.session'));
             s.expires_at = 0;
             localStorage.setItem('campaign.session', JSON.stringify(s));
             return s.refresh_token;",
            vec![],
        )
        .await;
    browser.refresh_page().await;
    browser.find("button[data-product='cards']").await;
    let after_refresh = browser
        .wait_until(
            "a new token pair kept",
            "const s = JSON.parse(localStorage.getItem('campaign.session'));
             return s.expires_at > Date.now() ? s.refresh_token : null;",
        )
        .await;
    assert_ne!(after_refresh, before_refresh, "the refresh token was rotated");
    assert_eq!(browser.eval("return location.pathname;", vec![]).await, "/volunteer");
    browser.click("#tab-totals").await;
    let before = browser
        .wait_until(
            "the group total",
            "return document.querySelector('#group-total')?.dataset.raisedCents;",
        )
        .await;
    assert_eq!(before.as_str(), Some("1200"), "one card sold before");

    browser.click("#tab-sale").await;
    three_taps(&browser, "cards", 2, "cash").await;
    browser
        .wait_until(
            "the page confirming the sale",
            "return document.querySelector('#sale-message')?.textContent.includes('2 × Wenskaarten');",
        )
        .await;
    browser
        .wait_until(
            "the sale sent",
            "return document.querySelector('#pending-count')?.dataset.count === '0';",
        )
        .await;

    browser.click("#tab-totals").await;
    browser
        .wait_until(
            "the group total with the new sale",
            "return document.querySelector('#group-total')?.dataset.raisedCents === '3600';",
        )
        .await;
    let newest = browser.text("#entries li").await;
    assert!(newest.contains("2 × cards"), "newest entry first: {newest}");

    let stored = entries_of(&app, &group).await;
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .any(|e| e["quantity"] == 2 && e["payment_method"] == "cash" && e["amount_cents"] == 2400)
    );

    // A donation typed in euros, the Belgian way.
    browser.click("#tab-sale").await;
    browser.type_into("#amount-euro", "12,50").await;
    browser.click("#amount-submit").await;
    browser
        .wait_until(
            "the donation confirmed",
            "return document.querySelector('#amount-message')?.textContent.includes('12,50');",
        )
        .await;
    let started = std::time::Instant::now();
    while !entries_of(&app, &group)
        .await
        .iter()
        .any(|e| e["kind"] == "donation" && e["amount_cents"] == 1250)
    {
        assert!(
            started.elapsed() < campaign_tests::browser::PATIENCE,
            "the donation never reached the server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.click("#tab-totals").await;
    browser.screenshot(&format!("volunteer-sale-{backend:?}")).await;
    browser.assert_accessible("volunteer page (totals)").await;
    browser.click("#tab-sale").await;
    browser.assert_accessible("volunteer page (sale)").await;
    browser.close().await;
}

async fn sales_logged_offline_are_stored_exactly_once_even_when_the_upload_is_cut(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    let Some(browser) = Browser::start(Screen::Phone).await else {
        return;
    };
    let site = app.serve_site().await;

    sign_in(&browser, &site, &volunteer, "/volunteer").await;
    browser.find("button[data-product='cards']").await;
    // The service worker controls the page and keeps the shell before the network goes.
    browser
        .wait_until(
            "the service worker keeping the page",
            "return navigator.serviceWorker.controller !== null;",
        )
        .await;
    let kept = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             caches.open('campaign-shell').then((c) => Promise.all(['/volunteer', '/assets/js/pages/volunteer.js'].map((u) => c.match(u))))
               .then((found) => done(found.every(Boolean)), () => done(false));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, Value::Bool(true), "the shell is kept for offline use");

    site.set_online(false);
    three_taps(&browser, "cards", 1, "cash").await;
    three_taps(&browser, "chocolate", 3, "payconiq").await;
    three_taps(&browser, "cards", 2, "card").await;
    browser
        .wait_until(
            "three sales waiting",
            "return document.querySelector('#pending-count')?.dataset.count === '3';",
        )
        .await;

    // A reload without network: the page comes from the service worker, the sales from IndexedDB.
    browser.client.refresh().await.unwrap();
    browser.find("button[data-product='cards']").await;
    browser
        .wait_until(
            "three sales still waiting",
            "return document.querySelector('#pending-count')?.dataset.count === '3';",
        )
        .await;
    assert!(
        entries_of(&app, &group).await.is_empty(),
        "nothing reached the server while offline"
    );

    // The network comes back, and the first upload is cut after the server stored it.
    site.cut_next_batch_answer();
    site.set_online(true);
    browser.click("#send-now").await;
    let started = std::time::Instant::now();
    while site.batch_answers_cut() == 0 {
        assert!(
            started.elapsed() < campaign_tests::browser::PATIENCE,
            "the upload never reached the server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(entries_of(&app, &group).await.len(), 3, "the cut upload was stored");
    // The page did not hear back, so it sends again; the server knows every client_id.
    browser
        .wait_until(
            "the outbox empty",
            "const n = document.querySelector('#pending-count')?.dataset.count;
             if (n !== '0') document.querySelector('#send-now')?.click();
             return n === '0';",
        )
        .await;
    assert!(pending(&browser).await == 0);
    let stored = entries_of(&app, &group).await;
    assert_eq!(stored.len(), 3, "exactly three entries: {stored:?}");
    let total: i64 = stored.iter().map(|e| e["amount_cents"].as_i64().unwrap()).sum();
    assert_eq!(total, 1200 + 3 * 500 + 2 * 1200);
    let mut client_ids: Vec<&str> = stored.iter().map(|e| e["client_id"].as_str().unwrap()).collect();
    client_ids.dedup();
    assert_eq!(client_ids.len(), 3, "each sale has its own client_id");

    browser.screenshot(&format!("volunteer-offline-{backend:?}")).await;
    browser.close().await;
}

on_both_databases!(a_volunteer_plans_an_activity_marks_it_held_and_cancels_another);

/// Fills the activity form (opened) and saves it; answers the new activity's id.
async fn plan_activity(browser: &Browser, title: &str, starts: &str, ends: &str) -> String {
    let before: Vec<Value> = browser
        .eval("return [...document.querySelectorAll('#activities li[data-activity-id]')].map((li) => li.dataset.activityId);", vec![])
        .await
        .as_array()
        .cloned()
        .unwrap_or_default();
    browser
        .eval("window.__activitiesBefore = arguments[0];", vec![json!(before)])
        .await;
    browser.click("#activity-add").await;
    browser.type_into("#activity-title", title).await;
    // The browser's own date-time widget is not what is tested here: the value is set as it would
    // be after picking (a time on the Brussels clock).
    browser
        .eval(
            "document.querySelector('#activity-starts').value = arguments[0];
             document.querySelector('#activity-ends').value = arguments[1];",
            vec![json!(starts), json!(ends)],
        )
        .await;
    browser.type_into("#activity-address", "Sint-Pietersplein, Gent").await;
    browser.click("#activity-save").await;
    let id = browser
        .wait_until(
            "the new activity in the list",
            "const before = window.__activitiesBefore ?? [];
             const li = [...document.querySelectorAll('#activities li[data-activity-id]')].find((l) => !before.includes(l.dataset.activityId));
             return li ? li.dataset.activityId : null;",
        )
        .await;
    id.as_str().unwrap().to_owned()
}

async fn a_volunteer_plans_an_activity_marks_it_held_and_cancels_another(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (_, volunteer) = app.new_volunteer().await;
    let Some(browser) = Browser::start(Screen::Phone).await else {
        return;
    };
    let site = app.serve_site().await;

    sign_in(&browser, &site, &volunteer, "/volunteer").await;
    browser.click("#tab-activities").await;
    let yesterday =
        (chrono::Utc::now().with_timezone(&chrono_tz::Europe::Brussels) - chrono::Duration::days(1)).date_naive();
    let quiz = plan_activity(
        &browser,
        "Quiz in de parochiezaal",
        &format!("{yesterday}T19:30"),
        &format!("{yesterday}T22:30"),
    )
    .await;
    let (status, stored) = call(&app, &volunteer, "GET", &format!("/api/v1/activities/{quiz}"), None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["title"], "Quiz in de parochiezaal");
    assert_eq!(stored["status"], "planned");
    // 19:30 on the Brussels clock, whatever the browser's zone.
    let starts = chrono::DateTime::parse_from_rfc3339(stored["starts_at"].as_str().unwrap()).unwrap();
    let local = starts.with_timezone(&chrono_tz::Europe::Brussels);
    assert_eq!(local.format("%Y-%m-%d %H:%M").to_string(), format!("{yesterday} 19:30"));

    browser.type_into(&format!("#attendance-{quiz}"), "42").await;
    browser
        .click(&format!(
            "#activities li[data-activity-id='{quiz}'] button[data-action='held']"
        ))
        .await;
    browser
        .wait_until(
            "the quiz marked held",
            &format!("return document.querySelector(\"#activities li[data-activity-id='{quiz}']\")?.dataset.status === 'held';"),
        )
        .await;
    let (_, stored) = call(&app, &volunteer, "GET", &format!("/api/v1/activities/{quiz}"), None).await;
    assert_eq!(stored["status"], "held");
    assert_eq!(stored["attendance"], 42);

    let tomorrow = yesterday + chrono::Duration::days(2);
    let walk = plan_activity(
        &browser,
        "Wandeling",
        &format!("{tomorrow}T10:00"),
        &format!("{tomorrow}T12:00"),
    )
    .await;
    browser
        .click(&format!(
            "#activities li[data-activity-id='{walk}'] button[data-action='cancel']"
        ))
        .await;
    browser
        .click(&format!(
            "#activities li[data-activity-id='{walk}'] button[data-action='cancel-confirm']"
        ))
        .await;
    browser
        .wait_until(
            "the walk cancelled",
            &format!("return document.querySelector(\"#activities li[data-activity-id='{walk}']\")?.dataset.status === 'cancelled';"),
        )
        .await;
    let (_, stored) = call(&app, &volunteer, "GET", &format!("/api/v1/activities/{walk}"), None).await;
    assert_eq!(stored["status"], "cancelled");

    browser.screenshot(&format!("volunteer-activities-{backend:?}")).await;
    browser.assert_accessible("volunteer page (activities)").await;
    browser.close().await;
}

async fn a_volunteer_hands_in_the_days_cash_and_sees_it_match(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    // Two cards sold today in cash: 24 euro.
    sale_through_api(&app, &volunteer, &group, 2).await;
    let Some(browser) = Browser::start(Screen::Phone).await else {
        return;
    };
    let site = app.serve_site().await;
    sign_in(&browser, &site, &volunteer, "/volunteer").await;
    // Four tabs fit a phone's width: a page wider than the screen would make the phone zoom out.
    let fits = browser
        .eval("return document.documentElement.scrollWidth <= screen.width;", vec![])
        .await;
    assert_eq!(fits, json!(true), "the volunteer page is no wider than the phone");
    browser.click("#tab-deposits").await;
    browser.type_into("#deposit-amount", "24").await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Brussels)
        .date_naive()
        .to_string();
    // Date inputs are set as ISO values (the browser's own date order differs per locale).
    browser
        .eval(
            "for (const id of ['deposit-from', 'deposit-to', 'deposit-on']) {
               const i = document.getElementById(id);
               i.value = arguments[0];
               i.dispatchEvent(new Event('input', { bubbles: true }));
             }",
            vec![json!(today)],
        )
        .await;
    browser.type_into("#deposit-reference", "afgegeven aan 11.11.11").await;
    browser.click("#deposit-save").await;
    browser
        .wait_until(
            "the deposit listed as matching the cash logged",
            "return document.querySelector('#deposits li.deposit[data-status=\"matched\"]') !== null;",
        )
        .await;
    let (status, deposits) = call(
        &app,
        &app.staff,
        "GET",
        &format!("/api/v1/deposits?group_id={group}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deposits}");
    assert_eq!(deposits["items"][0]["amount_cents"], 2400);
    assert_eq!(deposits["items"][0]["expected_cents"], 2400);
    browser.assert_accessible("volunteer page, deposits").await;
    browser.screenshot(&format!("volunteer-deposit-{backend:?}")).await;
    browser.close().await;
}
