//! The public page: the thermometer, and activities near a place typed in.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(public_page_shows_the_thermometer_and_finds_activities_near_gent);

async fn public_page_shows_the_thermometer_and_finds_activities_near_gent(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    let year = campaign_of_today(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    let group = group.to_string();
    let quiz = activity_in_gent(&app, &volunteer, &group, "Quiz voor het Zuiden").await;
    let sale = sale_through_api(&app, &volunteer, &group, 3).await;
    let raised = sale["amount_cents"].as_i64().unwrap();
    let Some(browser) = Browser::start(Screen::Phone).await else {
        return;
    };
    let site = app.serve_site().await;

    browser.goto(&site.url("/")).await;
    let shown = browser
        .wait_until(
            "the thermometer with the money raised",
            "return document.querySelector('#thermometer')?.dataset.raisedCents;",
        )
        .await;
    assert_eq!(shown.as_str(), Some(raised.to_string().as_str()), "campaign {year}");
    let figure = browser.text("#thermometer-raised").await;
    assert!(
        figure.contains("36"),
        "€ 36 raised (3 cards at € 12), shown as {figure}"
    );
    assert!(
        browser
            .find("#sign-in-link")
            .await
            .attr("href")
            .await
            .unwrap()
            .as_deref()
            == Some("/login")
    );

    browser.type_into("#place", "Gent").await;
    browser.click("#place-search").await;
    // A search may offer several municipalities: pick Gent.
    browser
        .wait_until(
            "Gent found",
            r#"const pick = [...document.querySelectorAll('#place-results button')].find((b) => b.textContent.startsWith('Gent '));
               if (pick) pick.click();
               return document.querySelector('#agenda-list li') !== null;"#,
        )
        .await;
    let item = browser
        .find(&format!("#agenda-list li[data-activity-id='{quiz}']"))
        .await;
    assert!(item.text().await.unwrap().contains("Quiz voor het Zuiden"));
    browser
        .wait_until(
            "the map with the activity",
            "return document.querySelectorAll('#agenda-map svg circle.dot').length === 1;",
        )
        .await;
    let outlines = browser
        .eval(
            "return document.querySelectorAll('#agenda-map svg path').length;",
            vec![],
        )
        .await;
    assert!(
        outlines.as_u64().unwrap_or(0) >= 1,
        "municipal outlines drawn around Gent: {outlines}"
    );

    browser.screenshot(&format!("public-{backend:?}")).await;
    browser.assert_accessible("public page").await;
    browser.close().await;
}
