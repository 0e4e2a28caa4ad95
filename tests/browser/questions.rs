//! A municipal contact asks 11.11.11 a question on its page; staff find it in the queue of its
//! topic and answer it there; the contact reads the answer and closes the question.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(a_contact_asks_staff_answer_in_the_queue_and_the_contact_reads_it);

async fn a_contact_asks_staff_answer_in_the_queue_and_the_contact_reads_it(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let contact = app.new_contact("44021").await;
    let Some(contact_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let Some(staff_browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let site = app.serve_site().await;

    sign_in(&contact_browser, &site, &contact, "/contact").await;
    contact_browser
        .eval(
            "const s = document.querySelector('#question-topic');
             s.value = 'local_global_policy';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    contact_browser.type_into("#question-subject", "Het memorandum").await;
    contact_browser
        .type_into("#question-text", "Waar vinden we het memorandum?")
        .await;
    contact_browser.click("#question-submit").await;
    let id = contact_browser
        .wait_until(
            "the question listed as waiting",
            "const q = document.querySelector('#questions-list li.question[data-status=\"open\"]');
             return q ? q.dataset.questionId : null;",
        )
        .await;
    let id = id.as_str().unwrap().to_owned();
    let (status, stored) = call(&app, &app.staff, "GET", &format!("/api/v1/questions/{id}"), None).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["topic"], "local_global_policy");
    assert_eq!(stored["municipality_nis"], "44021");

    // Staff see it in the policy team's queue, not in the campaign team's, and answer it there.
    sign_in(&staff_browser, &site, &app.staff, "/staff").await;
    let item = format!("#question-queue li[data-question-id='{id}']");
    staff_browser
        .wait_until(
            "the question in the queue",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    staff_browser
        .eval(
            "const s = document.querySelector('#question-topic-filter');
             s.value = 'campaign_support';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    staff_browser
        .wait_until(
            "the campaign team's empty queue",
            "return document.querySelector('#question-queue li.muted') !== null;",
        )
        .await;
    staff_browser
        .eval(
            "const s = document.querySelector('#question-topic-filter');
             s.value = 'local_global_policy';
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await;
    staff_browser
        .wait_until(
            "the question in the policy queue",
            &format!("return document.querySelector(\"{item}\") !== null;"),
        )
        .await;
    staff_browser
        .type_into(&format!("{item} textarea"), "Op 11.be, bij Lokaal beleid.")
        .await;
    staff_browser.assert_accessible("staff page with questions").await;
    staff_browser
        .eval("document.querySelector('#question-queue').scrollIntoView();", vec![])
        .await;
    staff_browser.screenshot(&format!("staff-questions-{backend:?}")).await;
    staff_browser
        .click(&format!("{item} button[data-action='reply']"))
        .await;
    // Answered questions leave the list of waiting ones.
    staff_browser
        .wait_until(
            "the answered question gone from the waiting queue",
            &format!("return document.querySelector(\"{item}\") === null;"),
        )
        .await;

    // The contact reads the answer and closes the question.
    contact_browser.refresh_page().await;
    let answered = format!("#questions-list li[data-question-id='{id}']");
    contact_browser
        .wait_until(
            "the answer on the contact's page",
            &format!(
                "const q = document.querySelector(\"{answered}\");
                 return q && q.dataset.status === 'answered' && q.querySelector('.from-staff .message-text')?.textContent;"
            ),
        )
        .await;
    contact_browser
        .click(&format!("{answered} button[data-action='close']"))
        .await;
    contact_browser
        .wait_until(
            "the question closed",
            &format!("return document.querySelector(\"{answered}\")?.dataset.status === 'closed';"),
        )
        .await;
    contact_browser
        .eval("document.querySelector('#questions').scrollIntoView();", vec![])
        .await;
    contact_browser.assert_accessible("contact page with questions").await;
    contact_browser
        .screenshot(&format!("contact-questions-{backend:?}"))
        .await;
    let (_, closed) = call(&app, &app.staff, "GET", &format!("/api/v1/questions/{id}"), None).await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["messages"].as_array().map(Vec::len), Some(2));
    contact_browser.close().await;
    staff_browser.close().await;
}
