//! The staff dashboard in the week of 11 November: totals moving live, the map of 304
//! municipalities.
use std::time::{Duration, Instant};

use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(the_dashboard_follows_a_sale_live_and_maps_every_municipality);

async fn the_dashboard_follows_a_sale_live_and_maps_every_municipality(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    sale_through_api(&app, &volunteer, &group, 1).await;
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;

    sign_in(&browser, &site, &app.staff, "/staff").await;
    browser
        .wait_until(
            "the live thermometer",
            "return document.querySelector('#thermometer')?.dataset.raisedCents === '1200'
                 && document.querySelector('#live-state')?.dataset.state === 'live';",
        )
        .await;
    let paths = browser
        .wait_until(
            "the map of every municipality",
            "const n = document.querySelectorAll('#map svg path[data-nis]').length; return n >= 304 ? n : 0;",
        )
        .await;
    assert_eq!(paths.as_u64(), Some(304));

    // The same shapes show a programme: Gent committed, Leuven recognised, the rest neither.
    let engagement = |nis: &str| format!("/api/v1/municipalities/{nis}/engagements/faire-gemeente");
    for (nis, body) in [
        ("44021", json!({ "status": "interested" })),
        (
            "44021",
            json!({ "status": "committed", "council_decision_on": "2026-03-12" }),
        ),
        ("24062", json!({ "status": "interested" })),
        (
            "24062",
            json!({ "status": "committed", "council_decision_on": "2025-03-12" }),
        ),
        (
            "24062",
            json!({ "status": "recognised", "recognised_on": "2025-06-01", "renewal_due_on": "2027-06-01" }),
        ),
    ] {
        let (status, answer) = call(&app, &app.staff, "PATCH", &engagement(nis), Some(body)).await;
        assert_eq!(status, 200, "{answer}");
    }
    browser
        .eval(
            "const s = document.querySelector('#map-layer');
             s.value = 'faire-gemeente';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    let classes = browser
        .wait_until(
            "Faire Gemeente on the map",
            "const m = document.querySelector(\"#map[data-programme='faire-gemeente']\");
             if (!m) return null;
             const of = (nis) => m.querySelector(`path[data-nis='${nis}']`)?.getAttribute('class');
             return [of('44021'), of('24062'), of('11002'), m.querySelectorAll('path[data-nis]').length].join(' ');",
        )
        .await;
    assert_eq!(classes, "p-committed p-recognised p-none 304");
    browser.screenshot(&format!("staff-programme-map-{backend:?}")).await;
    browser
        .eval(
            "const s = document.querySelector('#map-layer');
             s.value = '';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    browser
        .wait_until(
            "the money map back",
            "return document.querySelector('#map:not([data-programme]) svg path[data-nis]') !== null;",
        )
        .await;

    // A sale logged elsewhere reaches the open dashboard within 2 s (the stream pushes at most
    // once a second).
    sale_through_api(&app, &volunteer, &group, 2).await;
    let logged = Instant::now();
    loop {
        let shown = browser
            .eval(
                "return document.querySelector('#thermometer')?.dataset.raisedCents;",
                vec![],
            )
            .await;
        if shown.as_str() == Some("3600") {
            break;
        }
        assert!(
            logged.elapsed() < Duration::from_secs(2),
            "the thermometer still shows {shown} 2 s after the sale"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "the dashboard showed the sale {} ms after it was logged",
        logged.elapsed().as_millis()
    );

    for dimension in ["province", "product", "payment_method", "day"] {
        browser
            .find(&format!("#breakdowns table[data-dimension='{dimension}']"))
            .await;
    }
    browser.find("#pacing svg").await;
    browser.screenshot(&format!("staff-dashboard-{backend:?}")).await;
    browser.assert_accessible("staff dashboard").await;
    browser.close().await;
}

on_both_databases!(staff_create_a_group_and_its_volunteer_and_deactivate_both);

async fn staff_create_a_group_and_its_volunteer_and_deactivate_both(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;
    sign_in(&browser, &site, &app.staff, "/staff").await;

    // A group in Gent, the municipality found by name.
    browser.type_into("#group-name", "Wereldgroep Sint-Amandsberg").await;
    browser.type_into("#group-municipality-q", "Gent").await;
    browser
        .wait_until(
            "Gent offered",
            "const s = document.querySelector('#group-municipality');
             if (!s.querySelector(\"option[value='44021']\")) return false;
             s.value = '44021';
             return true;",
        )
        .await;
    browser.click("#group-create").await;
    let group = browser
        .wait_until(
            "the new group listed",
            "const row = [...document.querySelectorAll('#groups tr[data-group-id]')]
               .find((r) => r.textContent.includes('Wereldgroep Sint-Amandsberg'));
             return row ? row.dataset.groupId : null;",
        )
        .await;
    let group = group.as_str().unwrap().to_owned();
    let (status, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/groups/{group}"), None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["municipality_nis"], "44021");

    // A volunteer account of that group.
    browser.type_into("#account-name", "An Vrijwilliger").await;
    browser.type_into("#account-email", "an@example.org").await;
    browser
        .type_into("#account-password", "a long enough password 42")
        .await;
    browser
        .wait_until(
            "the new group offered for the account",
            &format!(
                "const s = document.querySelector('#account-group');
                 if (!s.querySelector(\"option[value='{group}']\")) return false;
                 s.value = '{group}';
                 return true;"
            ),
        )
        .await;
    browser.click("#account-create").await;
    let user = browser
        .wait_until(
            "the new account listed",
            "const row = [...document.querySelectorAll('#accounts tr[data-user-id]')]
               .find((r) => r.textContent.includes('an@example.org'));
             return row ? row.dataset.userId : null;",
        )
        .await;
    let user = user.as_str().unwrap().to_owned();
    let (_, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/users/{user}"), None).await;
    assert_eq!(
        (stored["role"].as_str(), stored["group_id"].as_str()),
        (Some("volunteer"), Some(group.as_str()))
    );
    assert!(
        app.sign_in("an@example.org", "a long enough password 42")
            .await
            .is_some()
    );

    // Both deactivated from the page.
    browser
        .click(&format!(
            "#groups tr[data-group-id='{group}'] button[data-action='deactivate']"
        ))
        .await;
    browser
        .wait_until(
            "the group inactive",
            &format!(
                "return document.querySelector(\"#groups tr[data-group-id='{group}']\")?.dataset.active === 'false';"
            ),
        )
        .await;
    browser
        .click(&format!(
            "#accounts tr[data-user-id='{user}'] button[data-action='deactivate']"
        ))
        .await;
    browser
        .wait_until(
            "the account inactive",
            &format!(
                "return document.querySelector(\"#accounts tr[data-user-id='{user}']\")?.dataset.active === 'false';"
            ),
        )
        .await;
    let (_, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/groups/{group}"), None).await;
    assert_eq!(stored["active"], false);
    assert!(
        app.sign_in("an@example.org", "a long enough password 42")
            .await
            .is_none(),
        "a deactivated account cannot sign in"
    );
    browser.screenshot(&format!("staff-groups-accounts-{backend:?}")).await;
    browser.close().await;
}
