//! Staff close a deposit that came up short: refused without a reason, closed with one; the
//! campaign's cash per province is on the same section.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(staff_close_a_short_deposit_with_a_reason);

async fn staff_close_a_short_deposit_with_a_reason(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    sale_through_api(&app, &volunteer, &group, 2).await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Brussels)
        .date_naive();
    let (status, deposit) = call(
        &app,
        &volunteer,
        "POST",
        &format!("/api/v1/groups/{group}/deposits"),
        Some(
            json!({ "amount_cents": 2000, "deposited_on": today, "reference": "BE68 5390 0754 7034",
                     "covers_from": today, "covers_to": today }),
        ),
    )
    .await;
    assert_eq!((status, deposit["status"].as_str()), (201, Some("short")), "{deposit}");
    let id = deposit["id"].as_str().unwrap().to_owned();
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;
    sign_in(&browser, &site, &app.staff, "/staff").await;
    let item = format!("#deposit-queue li[data-deposit-id='{id}']");
    browser
        .wait_until(
            "the short deposit in the queue",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    browser
        .wait_until(
            "the cash per province",
            "return document.querySelector('#cash-by-province tr[data-key=\"Oost-Vlaanderen\"]') !== null;",
        )
        .await;
    browser.click(&format!("{item} button[data-action='close']")).await;
    browser
        .wait_until(
            "the refusal without a reason",
            &format!(
                "return document.querySelector(\"{item} .notice.error\")?.textContent.includes('short by 400 cents');"
            ),
        )
        .await;
    browser
        .type_into(&format!("{item} input"), "Vier euro wisselgeld teruggegeven")
        .await;
    browser.click(&format!("{item} button[data-action='close']")).await;
    browser
        .wait_until(
            "the closed deposit gone from the short ones",
            &format!("return document.querySelector(\"{item}\") === null;"),
        )
        .await;
    let (_, closed) = call(&app, &app.staff, "GET", &format!("/api/v1/deposits/{id}"), None).await;
    assert_eq!(
        (closed["status"].as_str(), closed["close_reason"].as_str()),
        (Some("closed"), Some("Vier euro wisselgeld teruggegeven"))
    );
    browser
        .eval("document.querySelector('#deposits').scrollIntoView();", vec![])
        .await;
    browser.assert_accessible("staff page with deposits").await;
    browser.screenshot(&format!("staff-deposits-{backend:?}")).await;
    browser.close().await;
}
