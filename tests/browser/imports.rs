//! Staff import groups from a spreadsheet: a dry run shows a refused row (a municipality that
//! does not exist) and imports nothing; the file fixed, the dry run is clean and the import
//! creates the groups and their volunteers, who show in the accounts list without a password
//! until staff set one.
use campaign_tests::browser::{Browser, Screen};

use super::*;

on_both_databases!(staff_import_a_csv_after_a_dry_run_with_a_refused_row);

const FILE: &str = "Groep;Gemeente;Naam;E-mail
Oxfam Melle;Melle;An Peeters;an.peeters@example.org
Comité Atlantis;Atlantis;Bo Claes;bo.claes@example.org
";

async fn staff_import_a_csv_after_a_dry_run_with_a_refused_row(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let Some(browser) = Browser::start(Screen::Desktop).await else {
        return;
    };
    let dir = tempfile::tempdir().expect("a folder for the file");
    let path = dir.path().join("groepen-2027.csv");
    std::fs::write(&path, FILE).expect("write the file");
    let site = app.serve_site().await;
    sign_in(&browser, &site, &app.staff, "/staff").await;

    // The dry run: one row refused, named with its reason; nothing imported, no import button.
    let choose = |path: std::path::PathBuf| {
        let browser = &browser;
        async move {
            let input = browser.find("#import-file").await;
            input
                .send_keys(path.to_str().expect("a UTF-8 path"))
                .await
                .expect("choose the file");
        }
    };
    choose(path.clone()).await;
    browser.click("#import-dry-run").await;
    browser
        .wait_until(
            "the dry run with row 3 refused for its municipality",
            "const row = document.querySelector(\"#import-rows tr[data-row='3']\"); \
             return document.querySelector('#import-summary')?.dataset.refused === '1' \
               && row?.dataset.outcome === 'refused' && row.textContent.includes('Atlantis') \
               && document.querySelector(\"#import-rows tr[data-row='2']\")?.dataset.outcome === 'created' \
               && document.querySelector('#import-apply') === null;",
        )
        .await;
    let (_, groups) = call(&app, &app.staff, "GET", "/api/v1/groups?municipality_nis=44088", None).await;
    assert_eq!(groups["items"], json!([]), "a dry run imports nothing");
    browser
        .eval("document.querySelector('#import-result').scrollIntoView();", vec![])
        .await;
    browser.screenshot(&format!("staff-import-refused-{backend:?}")).await;

    // The file fixed (Atlantis was Sint-Niklaas) and chosen again: clean dry run, then import.
    std::fs::write(
        &path,
        FILE.replace("Comité Atlantis;Atlantis", "Comité Sint-Niklaas;St.-Niklaas"),
    )
    .expect("fix the file");
    choose(path.clone()).await;
    browser.click("#import-dry-run").await;
    browser
        .wait_until(
            "a clean dry run offering the import",
            "return document.querySelector('#import-summary')?.dataset.refused === '0' \
               && document.querySelector('#import-apply') !== null;",
        )
        .await;
    browser.click("#import-apply").await;
    browser
        .wait_until(
            "the import done",
            "return document.querySelector('#import-summary')?.dataset.applied === 'true' \
               && document.querySelector('#import-done') !== null;",
        )
        .await;
    let (_, melle) = call(&app, &app.staff, "GET", "/api/v1/groups?municipality_nis=44088", None).await;
    assert_eq!(melle["items"][0]["name"], "Oxfam Melle", "{melle}");
    let (_, sint_niklaas) = call(&app, &app.staff, "GET", "/api/v1/groups?municipality_nis=46021", None).await;
    assert_eq!(
        sint_niklaas["items"][0]["name"], "Comité Sint-Niklaas",
        "{sint_niklaas}"
    );

    // The new volunteers show in the accounts list, without a password until staff set one.
    browser
        .wait_until(
            "the imported volunteer listed without a password",
            "const row = [...document.querySelectorAll('.accounts tr[data-user-id]')] \
               .find((r) => r.textContent.includes('an.peeters@example.org')); \
             return row !== undefined && row.querySelector('.no-password') !== null;",
        )
        .await;
    let row = browser
        .eval(
            "const row = [...document.querySelectorAll('.accounts tr[data-user-id]')] \
               .find((r) => r.textContent.includes('an.peeters@example.org')); \
             return row.dataset.userId;",
            vec![],
        )
        .await;
    let row = format!(
        ".accounts tr[data-user-id='{}']",
        row.as_str().expect("the row's account id")
    );
    browser
        .click(&format!("{row} button[data-action='set-password']"))
        .await;
    browser
        .type_into(&format!("{row} input.new-password"), "een lang wachtwoord 2027")
        .await;
    browser
        .click(&format!("{row} form.set-password button[type=submit]"))
        .await;
    browser
        .wait_until(
            "the password set",
            &format!("const row = document.querySelector(\"{row}\"); return row !== null && row.querySelector('.no-password') === null;"),
        )
        .await;
    assert!(
        app.sign_in("an.peeters@example.org", "een lang wachtwoord 2027")
            .await
            .is_some(),
        "the imported volunteer signs in with the password staff set"
    );
    browser
        .eval("document.querySelector('#imports').scrollIntoView();", vec![])
        .await;
    browser.assert_accessible("staff page with an import").await;
    browser.screenshot(&format!("staff-import-done-{backend:?}")).await;
    browser.close().await;
}
