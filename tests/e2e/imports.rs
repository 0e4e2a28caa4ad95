//! Spreadsheet imports: staff import groups with their volunteers and materials with their stock
//! from CSV or XLSX; a dry run answers per row and changes nothing; the real run is all or
//! nothing and audited; the same file twice changes nothing; every other role is refused.

use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, Session, TestApp, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    staff_import_groups_after_a_dry_run_and_the_same_file_again_changes_nothing,
    an_excel_workbook_is_read_like_its_csv,
    materials_are_set_to_the_counted_stock_never_below_what_is_reserved,
    only_staff_import,
    unreadable_files_are_named,
);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(app: &TestApp, who: Option<&Session>, uri: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let mut request = app.client.post(uri).content_type(content_type).body(body);
    if let Some(who) = who {
        request = request.header("authorization", who.bearer());
    }
    Answer::read(request.send().await).await
}

async fn import_csv(app: &TestApp, what: &str, dry_run: bool, csv: &str) -> Answer {
    let uri = format!("/api/v1/imports/{what}?dry_run={dry_run}");
    upload(
        app,
        Some(&app.staff),
        &uri,
        "text/csv; charset=utf-8",
        csv.as_bytes().to_vec(),
    )
    .await
}

fn outcomes(report: &Value) -> Vec<&str> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

/// The groups of a municipality, by name.
async fn group_names(app: &TestApp, nis: &str) -> Vec<String> {
    let answer = get(app, &format!("/api/v1/groups?municipality_nis={nis}")).await;
    let mut names: Vec<String> = answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn volunteer_account(app: &TestApp, email: &str) -> Option<Value> {
    let answer = get(app, "/api/v1/users?role=volunteer&limit=500").await;
    answer.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .cloned()
}

async fn audit_count(app: &TestApp) -> usize {
    let answer = get(app, "/api/v1/audit?entity=import").await;
    answer.expect(StatusCode::OK)["items"].as_array().unwrap().len()
}

const GROUPS: &str = "Groep;Gemeente;Naam;E-mail
Wereldwinkel Gent;gent;An Peeters;an@example.org
Oxfam Melle;Melle;Bo Claes;BO@example.org
Oxfam Melle;Merelbeke-Melle;;
Comité Atlantis;Atlantis;Cy Wouters;cy@example.org
";

async fn staff_import_groups_after_a_dry_run_and_the_same_file_again_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let existing = post_as(
        &app,
        &app.staff,
        "/api/v1/groups",
        &json!({ "name": "Wereldwinkel Gent", "municipality_nis": "44021" }),
    )
    .await
    .expect(StatusCode::CREATED)["id"]
        .clone();

    // The dry run answers per row and changes nothing.
    let dry = import_csv(&app, "groups", true, GROUPS).await;
    let dry = dry.expect(StatusCode::OK);
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["applied"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(outcomes(dry), vec!["created", "created", "unchanged", "refused"]);
    assert_eq!(dry["rows"][0]["row"], 2);
    assert_eq!(dry["rows"][3]["row"], 5);
    assert_eq!(dry["rows"][3]["errors"][0]["column"], "municipality");
    assert!(
        dry["rows"][1]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("Melle is part of Merelbeke-Melle (44088)")),
        "{dry}"
    );
    assert_eq!(dry["summary"]["refused"], 1);
    assert_eq!(dry["file_sha256"].as_str().unwrap().len(), 64);
    assert!(group_names(&app, "44088").await.is_empty());
    assert!(volunteer_account(&app, "an@example.org").await.is_none());

    // The real run with a refused row: 422 naming it, nothing imported.
    let refused = import_csv(&app, "groups", false, GROUPS).await;
    let problem = refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "row 5 municipality", "{problem}");
    assert!(group_names(&app, "44088").await.is_empty());
    assert!(volunteer_account(&app, "an@example.org").await.is_none());
    assert_eq!(audit_count(&app).await, 0);

    // Fixed: Atlantis is Sint-Niklaas, written as people write it.
    let fixed = GROUPS.replace("Comité Atlantis;Atlantis", "Comité Sint-Niklaas;St.-Niklaas");
    let done = import_csv(&app, "groups", false, &fixed).await;
    let done = done.expect(StatusCode::OK);
    assert_eq!(
        (done["dry_run"].as_bool(), done["applied"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(outcomes(done), vec!["created", "created", "unchanged", "created"]);
    assert_eq!(group_names(&app, "44088").await, vec!["Oxfam Melle"]);
    assert_eq!(group_names(&app, "46021").await, vec!["Comité Sint-Niklaas"]);
    assert_eq!(
        group_names(&app, "44021").await,
        vec!["Wereldwinkel Gent"],
        "the group is found, not made twice"
    );
    let an = volunteer_account(&app, "an@example.org").await.expect("An's account");
    assert_eq!(
        (an["group_id"].clone(), an["password_set"].as_bool()),
        (existing.clone(), Some(false))
    );
    assert_eq!(
        volunteer_account(&app, "bo@example.org").await.expect("Bo's account")["name"],
        "Bo Claes"
    );
    assert_eq!(audit_count(&app).await, 1);

    // An imported account cannot sign in until staff set a password; then it sees its group.
    assert!(
        app.sign_in("an@example.org", "een lang wachtwoord 2027")
            .await
            .is_none()
    );
    let an_id = an["id"].as_str().unwrap();
    patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/users/{an_id}"),
        &json!({ "password": "short" }),
    )
    .await
    .expect_field_error("password");
    let set = patch_as(
        &app,
        &app.staff,
        &format!("/api/v1/users/{an_id}"),
        &json!({ "password": "een lang wachtwoord 2027" }),
    )
    .await;
    assert_eq!(set.expect(StatusCode::OK)["password_set"], true);
    let an_session = app
        .sign_in("an@example.org", "een lang wachtwoord 2027")
        .await
        .expect("An signs in");
    let own = get_as(&app, &an_session, "/api/v1/groups").await;
    let own = own.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["id"], existing);

    // The same file again: every row unchanged, nothing written, not even an audit record.
    let again = import_csv(&app, "groups", false, &fixed).await;
    let again = again.expect(StatusCode::OK);
    assert_eq!(outcomes(again), vec!["unchanged"; 4]);
    assert_eq!(again["applied"], false);
    assert_eq!(audit_count(&app).await, 1);

    // A second file moves and renames a volunteer: updated.
    let moved =
        "group,municipality,volunteer_name,volunteer_email\nOxfam Melle,44088,An Peeters-Claes,an@example.org\n";
    let moved = import_csv(&app, "groups", false, moved).await;
    let moved = moved.expect(StatusCode::OK);
    assert_eq!(outcomes(moved), vec!["updated"]);
    let an = volunteer_account(&app, "an@example.org").await.expect("An's account");
    assert_eq!(an["name"], "An Peeters-Claes");
    assert_ne!(an["group_id"], existing);
    let now_in = get_as(&app, &an_session, "/api/v1/groups").await;
    assert_eq!(
        now_in.expect(StatusCode::OK)["items"][0]["name"],
        "Oxfam Melle",
        "the volunteer's scope follows the move at once"
    );

    // An address of a staff account is not taken over.
    let staff_row = format!(
        "groep,gemeente,naam,email\nOxfam Melle,Melle,Boss,{}\n",
        app.staff.email
    );
    let taken = import_csv(&app, "groups", true, &staff_row).await;
    let taken = taken.expect(StatusCode::OK);
    assert_eq!(outcomes(taken), vec!["refused"]);
    assert!(
        taken["rows"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("staff account")
    );
}

async fn an_excel_workbook_is_read_like_its_csv(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let workbook = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/groups.xlsx")).expect("the fixture");
    let dry = upload(
        &app,
        Some(&app.staff),
        "/api/v1/imports/groups?dry_run=true",
        XLSX,
        workbook.clone(),
    )
    .await;
    let dry = dry.expect(StatusCode::OK);
    assert_eq!(outcomes(dry), vec!["created", "created", "created"], "{dry}");
    // Rows as the spreadsheet numbers them: the blank row 4 is skipped.
    let numbers: Vec<i64> = dry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 3, 5]);
    assert_eq!(dry["ignored_columns"], json!(["Opmerking"]));

    // Sent as "CSV" by a careless client, the workbook is still read as a workbook.
    let done = upload(&app, Some(&app.staff), "/api/v1/imports/groups", "text/csv", workbook).await;
    done.expect(StatusCode::OK);
    assert_eq!(group_names(&app, "24062").await, vec!["Wereldwinkel Leuven"]);
    assert_eq!(group_names(&app, "34022").await, vec!["Comité Kortrijk"]);
    assert!(volunteer_account(&app, "els@example.org").await.is_some());
}

const MATERIALS: &str = "code,name,lent,stock_on_hand
flag,Vlag 11.11.11,nee,25
expo-kit,Tentoonstelling,ja,2
";

async fn materials_are_set_to_the_counted_stock_never_below_what_is_reserved(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    post_as(
        &app,
        &app.staff,
        "/api/v1/materials",
        &json!({ "code": "flag", "name": "Vlag", "lent": false, "stock_on_hand": 10 }),
    )
    .await
    .expect(StatusCode::CREATED);
    // A municipality's approved request reserves 8 flags.
    let gent = app.new_contact("44021").await;
    let request = json!({ "lines": [{ "material_code": "flag", "quantity": 8 }],
                          "needed_by": "2099-11-01", "delivery_address": "Botermarkt 1, 9000 Gent" });
    let created = post_as(&app, &gent, "/api/v1/municipalities/44021/material-requests", &request).await;
    let id = created.expect(StatusCode::CREATED)["id"].as_str().unwrap().to_owned();
    let approve = app
        .client
        .post(format!("/api/v1/material-requests/{id}/approve"))
        .header("authorization", app.staff.bearer())
        .send()
        .await;
    Answer::read(approve).await.expect(StatusCode::OK);

    let dry = import_csv(&app, "materials", true, MATERIALS).await;
    let dry = dry.expect(StatusCode::OK);
    assert_eq!(outcomes(dry), vec!["updated", "created"]);
    let notes = dry["rows"][0]["notes"].to_string();
    assert!(
        notes.contains("10 → 25 (+15)") && notes.contains("renames flag from Vlag"),
        "{dry}"
    );

    let done = import_csv(&app, "materials", false, MATERIALS).await;
    done.expect(StatusCode::OK);
    let list = get(&app, "/api/v1/materials").await;
    let items = list.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    let flag = items.iter().find(|m| m["code"] == "flag").unwrap();
    assert_eq!(
        (&flag["name"], &flag["stock_on_hand"], &flag["reserved"]),
        (&json!("Vlag 11.11.11"), &json!(25), &json!(8))
    );
    let kit = items.iter().find(|m| m["code"] == "expo-kit").unwrap();
    assert_eq!((&kit["lent"], &kit["stock_on_hand"]), (&json!(true), &json!(2)));

    // Counted again: fewer flags than the 8 reserved is refused, the whole file with it.
    let short = "code;name;stock\nflag;Vlag 11.11.11;5\nposter;Affiche;100\n";
    let refused = import_csv(&app, "materials", false, short).await;
    let problem = refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "row 2 stock_on_hand");
    let list = get(&app, "/api/v1/materials").await;
    let codes: Vec<&str> = list.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"poster"),
        "nothing of a refused file is imported: {codes:?}"
    );

    // Whether flags are lent cannot change while a request holds them (a return depends on it).
    let lent = import_csv(
        &app,
        "materials",
        true,
        "code,name,lent,stock\nflag,Vlag 11.11.11,ja,25\n",
    )
    .await;
    let lent = lent.expect(StatusCode::OK);
    assert_eq!(outcomes(lent), vec!["refused"]);
    assert_eq!(lent["rows"][0]["errors"][0]["column"], "lent");

    // The same file again changes nothing.
    let again = import_csv(&app, "materials", false, MATERIALS).await;
    assert_eq!(outcomes(again.expect(StatusCode::OK)), vec!["unchanged", "unchanged"]);
}

async fn only_staff_import(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    let contact = app.new_contact("44021").await;
    let organisations = get(&app, "/api/v1/member-organisations").await;
    let organisation = organisations.expect(StatusCode::OK)["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let member = app.new_member_org(organisation).await;
    let initiative = post_as(
        &app,
        &app.staff,
        "/api/v1/initiatives",
        &json!({ "name": "Water voor Kara", "municipality_nis": "44021", "contact_email": "kara@example.org" }),
    )
    .await;
    let initiative = initiative.expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let initiative = app.new_initiative_account(initiative).await;
    for what in ["groups", "materials"] {
        let uri = format!("/api/v1/imports/{what}?dry_run=true");
        for who in [&volunteer, &contact, &member, &initiative] {
            upload(&app, Some(who), &uri, "text/csv", GROUPS.as_bytes().to_vec())
                .await
                .expect_problem(StatusCode::FORBIDDEN);
        }
        upload(&app, None, &uri, "text/csv", GROUPS.as_bytes().to_vec())
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    assert!(
        volunteer_account(&app, "an@example.org").await.is_none(),
        "nothing was imported"
    );
}

async fn unreadable_files_are_named(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let uri = "/api/v1/imports/groups?dry_run=true";
    for (body, says) in [
        (Vec::new(), "empty"),
        (b"naam,email\nAn,an@example.org\n".to_vec(), "missing: group"),
        (b"group,municipality\n".to_vec(), "no data rows"),
        (b"PK\x03\x04not really a workbook".to_vec(), "not an XLSX workbook"),
    ] {
        let answer = upload(&app, Some(&app.staff), uri, "text/csv", body).await;
        let problem = answer.expect_field_error("file");
        assert!(problem["detail"].as_str().unwrap().contains(says), "{problem}");
    }
    upload(&app, Some(&app.staff), uri, "application/json", b"{}".to_vec())
        .await
        .expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    upload(
        &app,
        Some(&app.staff),
        uri,
        XLSX,
        b"group,municipality\nA,Gent\n".to_vec(),
    )
    .await
    .expect_field_error("file");
    let too_big = vec![b'a'; 2 * 1024 * 1024];
    upload(&app, Some(&app.staff), uri, "text/csv", too_big)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE);
}
