//! A municipal contact searches the member organisations' offer for "water" and asks Join For
//! Water about its water walk; the organisation's person finds the inquiry on its page and
//! answers; the contact reads the answer and agrees.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(a_contact_finds_a_water_offer_and_the_organisation_answers);

const JOIN_FOR_WATER: &str = "11111111-1111-4111-8111-00000000001b";
const OXFAM: &str = "11111111-1111-4111-8111-00000000001f";

async fn a_contact_finds_a_water_offer_and_the_organisation_answers(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let organisation = app.new_member_org(uuid::Uuid::parse_str(JOIN_FOR_WATER).unwrap()).await;
    let contact = app.new_contact("44021").await;
    for (who, offer) in [
        (
            JOIN_FOR_WATER,
            json!({ "title": "Waterwandeling", "description": "Een wandeling langs de waterlopen van je gemeente.",
                    "formats": ["walk"], "themes": ["water"], "audiences": ["citizens"] }),
        ),
        (
            OXFAM,
            json!({ "title": "Eerlijke receptie", "description": "Fairtrade-producten voor je recepties.",
                    "formats": ["products"], "themes": ["fair-trade"], "audiences": ["civil_servants"] }),
        ),
    ] {
        let uri = format!("/api/v1/member-organisations/{who}/offers");
        let (status, body) = call(&app, &app.staff, "POST", &uri, Some(offer)).await;
        assert_eq!(status, 201, "{body}");
    }
    let campaign = json!({ "year": 2026, "starts_on": "2026-10-15", "ends_on": "2026-11-30", "target_cents": 1000 });
    let (status, body) = call(&app, &app.staff, "POST", "/api/v1/campaigns", Some(campaign)).await;
    assert_eq!(status, 201, "{body}");
    let Some(contact_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let Some(organisation_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;

    // The contact searches for water: only the water walk is left, and asks about it.
    sign_in(&contact_browser, &site, &contact, "/contact").await;
    contact_browser
        .wait_until(
            "both offers listed before searching",
            "return document.querySelectorAll('#offer-results li.offer').length === 2;",
        )
        .await;
    contact_browser.type_into("#offer-q", "water").await;
    contact_browser.click("#offer-search").await;
    contact_browser
        .wait_until(
            "only the water walk found",
            "const found = [...document.querySelectorAll('#offer-results li.offer h3')].map((e) => e.textContent);
             return found.length === 1 && found[0] === 'Waterwandeling';",
        )
        .await;
    contact_browser
        .click("#offer-results li.offer button[data-action='ask']")
        .await;
    contact_browser
        .type_into(
            "#offer-results li.offer textarea",
            "Kunnen jullie in april een waterwandeling begeleiden?",
        )
        .await;
    contact_browser
        .type_into("#offer-results li.offer input[name='preferred_period']", "april 2027")
        .await;
    contact_browser
        .type_into("#offer-results li.offer input[name='audience_size']", "30")
        .await;
    contact_browser
        .click("#offer-results li.offer button[data-action='send']")
        .await;
    let id = contact_browser
        .wait_until(
            "the inquiry listed as waiting for the organisation",
            "const i = document.querySelector('#inquiries-list li.inquiry[data-status=\"sent\"]');
             return i ? i.dataset.inquiryId : null;",
        )
        .await;
    let id = id.as_str().unwrap().to_owned();
    let (status, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/inquiries/{id}"), None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["organisation_id"], JOIN_FOR_WATER);
    assert_eq!(stored["municipality_nis"], "44021");
    assert_eq!(stored["audience_size"], 30);
    contact_browser
        .eval("document.querySelector('#offers').scrollIntoView();", vec![])
        .await;
    contact_browser.assert_accessible("contact page with the offer").await;
    contact_browser.screenshot(&format!("contact-offers-{backend:?}")).await;

    // The organisation's person lands on its page, finds the inquiry and answers it.
    sign_in(&organisation_browser, &site, &organisation, "/organisation").await;
    let item = format!("#inbox-list li[data-inquiry-id='{id}']");
    organisation_browser
        .wait_until(
            "the inquiry in the organisation's inbox",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    organisation_browser
        .wait_until(
            "its own offer listed",
            "return [...document.querySelectorAll('#own-offers-list li.offer h3')].map((e) => e.textContent).join() === 'Waterwandeling';",
        )
        .await;
    organisation_browser
        .type_into(&format!("{item} textarea"), "Graag! Zaterdag 12 april om 10 uur?")
        .await;
    organisation_browser
        .click(&format!("{item} button[data-action='reply']"))
        .await;
    organisation_browser
        .wait_until(
            "the inquiry answered",
            &format!("return document.querySelector(\"{item}\")?.dataset.status === 'answered';"),
        )
        .await;
    organisation_browser.assert_accessible("member organisation page").await;
    organisation_browser
        .screenshot(&format!("organisation-inbox-{backend:?}"))
        .await;

    // The contact reads the answer and agrees; the overview counts the inquiry while it is open.
    contact_browser.refresh_page().await;
    contact_browser
        .wait_until(
            "one open inquiry in the overview",
            "return document.querySelector('#overview-beyond li[data-open=\"inquiries\"] .contact-count')?.textContent === '1';",
        )
        .await;
    let answered = format!("#inquiries-list li[data-inquiry-id='{id}']");
    contact_browser
        .wait_until(
            "the answer on the contact's page",
            &format!(
                "const i = document.querySelector(\"{answered}\");
                 return i && i.dataset.status === 'answered' && i.querySelector('.from-organisation .message-text')?.textContent;"
            ),
        )
        .await;
    contact_browser
        .click(&format!("{answered} button[data-action='agreed']"))
        .await;
    contact_browser
        .wait_until(
            "the inquiry agreed",
            &format!("return document.querySelector(\"{answered}\")?.dataset.status === 'agreed';"),
        )
        .await;
    let (_, agreed) = call(&app, &app.staff, "GET", &format!("/api/v1/inquiries/{id}"), None).await;
    assert_eq!(agreed["status"], "agreed");
    assert_eq!(agreed["messages"].as_array().map(Vec::len), Some(2));
    contact_browser.close().await;
    organisation_browser.close().await;
}
