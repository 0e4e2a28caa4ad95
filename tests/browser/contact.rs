//! A municipal contact requests materials; staff approve them in the queue; the contact sees the
//! request approved and the stock go down.
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(a_contact_requests_flags_and_a_banner_and_staff_approve_them);

async fn material(app: &TestApp, code: &str, name: &str, stock: i64) {
    let (status, body) = call(
        app,
        &app.staff,
        "POST",
        "/api/v1/materials",
        Some(json!({ "code": code, "name": name, "lent": true, "stock_on_hand": stock })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// The number in the `available` cell of a material's row.
async fn available(browser: &Browser, table: &str, code: &str) -> i64 {
    let cell = browser
        .text(&format!("{table} tr[data-code='{code}'] td.available"))
        .await;
    cell.trim()
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("a number: {cell}"))
}

async fn a_contact_requests_flags_and_a_banner_and_staff_approve_them(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    campaign_of_today(&app).await;
    material(&app, "flag", "Vlag 11.11.11", 10).await;
    material(&app, "banner", "Spandoek", 3).await;
    let nis = NisCode::parse("44021").unwrap();
    let contact = app
        .sign_in_new(Membership::MunicipalContact { municipality: nis })
        .await;
    let Some(contact_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let Some(staff_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;

    // A group of the municipality sold 3 cards.
    let (group, volunteer) = app.new_volunteer().await;
    sale_through_api(&app, &volunteer, &group.to_string(), 3).await;

    // The contact sees the municipality's money at a glance, then asks for 2 flags and a banner.
    sign_in(&contact_browser, &site, &contact, "/contact").await;
    contact_browser
        .wait_until(
            "the municipality's money",
            "return document.querySelector('#overview #raised')?.dataset.raisedCents === '3600';",
        )
        .await;
    assert_eq!(available(&contact_browser, "#materials", "flag").await, 10);
    contact_browser.type_into("input[name='qty-flag']", "2").await;
    contact_browser.type_into("input[name='qty-banner']", "1").await;
    let needed_by = (chrono::Utc::now() + chrono::Duration::days(14))
        .format("%d-%m-%Y")
        .to_string();
    // A date input takes the date as typed in the browser's locale (nl-BE: dd-mm-yyyy).
    contact_browser.type_into("#needed-by", &needed_by).await;
    contact_browser
        .type_into("#delivery-address", "Botermarkt 1, 9000 Gent")
        .await;
    contact_browser.click("#request-submit").await;
    let id = contact_browser
        .wait_until(
            "the new request listed as submitted",
            "const r = document.querySelector('#requests [data-request-id] .status[data-status=\"submitted\"]');
             return r ? r.closest('[data-request-id]').dataset.requestId : null;",
        )
        .await;
    let id = id.as_str().unwrap().to_owned();
    let (status, stored) = call(
        &app,
        &app.staff,
        "GET",
        &format!("/api/v1/material-requests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["municipality_nis"], "44021");
    let mut lines: Vec<(String, i64)> = stored["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["material_code"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(lines, vec![("banner".to_owned(), 1), ("flag".to_owned(), 2)]);
    contact_browser.assert_accessible("contact page").await;

    // Staff approve it in the queue; the stock table shows what is left.
    sign_in(&staff_browser, &site, &app.staff, "/staff").await;
    assert_eq!(available(&staff_browser, "#stock", "flag").await, 10);
    staff_browser
        .click(&format!(
            "#request-queue [data-request-id='{id}'] button[data-action='approve']"
        ))
        .await;
    staff_browser
        .wait_until(
            "the request approved in the queue",
            &format!("return document.querySelector(\"#request-queue [data-request-id='{id}']\")?.dataset.status === 'approved';"),
        )
        .await;
    staff_browser
        .wait_until(
            "the stock table after approval",
            "return document.querySelector(\"#stock tr[data-code='flag'] td.available\")?.textContent.trim() === '8';",
        )
        .await;
    staff_browser.screenshot(&format!("staff-queue-{backend:?}")).await;

    // The contact sees it approved and less available.
    contact_browser.click("#requests-refresh").await;
    contact_browser
        .wait_until(
            "the request approved for the contact",
            &format!("return document.querySelector(\"#requests [data-request-id='{id}'] .status\")?.dataset.status === 'approved';"),
        )
        .await;
    contact_browser.refresh_page().await;
    contact_browser
        .wait_until(
            "fewer flags available",
            "return document.querySelector(\"#materials tr[data-code='flag'] td.available\")?.textContent.trim() === '8';",
        )
        .await;
    assert_eq!(available(&contact_browser, "#materials", "banner").await, 2);
    contact_browser.screenshot(&format!("contact-{backend:?}")).await;
    contact_browser.close().await;
    staff_browser.close().await;
}
