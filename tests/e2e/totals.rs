//! Totals: kept with every ledger write, equal to the ledger, broken down, scoped, public.

use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use campaign_persistence::totals::TotalsRepo;
use chrono::{Duration, Utc};
use poem::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{Answer, Backend, TestApp, get, get_as, on_both_databases, post_as};

on_both_databases!(
    totals_follow_the_ledger_in_every_dimension,
    totals_are_scoped_and_the_thermometer_is_public,
    verify_totals_finds_and_repairs_a_difference,
    verify_totals_reads_one_snapshot_and_repairs_under_concurrent_sales,
    pacing_compares_with_the_previous_campaign,
    the_map_shows_every_municipality,
    the_stream_sends_totals_at_connect_and_after_a_write,
    breakdowns_as_csv_are_negotiated_and_safe_in_a_spreadsheet,
    every_replica_streams_a_write_made_through_another,
    csv_answers_are_named_attachments_and_pacing_has_one_too,
    by_municipality_can_list_every_municipality_with_zeros,
);

fn year() -> String {
    campaign_domain::ledger::local_date(Utc::now()).format("%Y").to_string()
}

async fn setup(app: &TestApp) {
    let y = year();
    let body = json!({ "year": y.parse::<i64>().unwrap(), "starts_on": format!("{y}-01-01"), "ends_on": format!("{y}-12-31"), "target_cents": 1_000_000 });
    post_as(app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    post_as(
        app,
        &app.staff,
        &format!("/api/v1/campaigns/{y}/products"),
        &json!({ "code": "cards-6", "name": "Wenskaarten", "unit_price_cents": 1200 }),
    )
    .await
    .expect(StatusCode::CREATED);
}

fn entry(kind: &str, amount_or_quantity: i64, method: &str) -> Value {
    let at = (Utc::now() - Duration::minutes(2)).to_rfc3339();
    if kind == "sale" {
        json!({ "kind": "sale", "product_code": "cards-6", "quantity": amount_or_quantity, "payment_method": method, "occurred_at": at })
    } else {
        json!({ "kind": kind, "amount_cents": amount_or_quantity, "payment_method": method, "occurred_at": at })
    }
}

async fn totals_follow_the_ledger_in_every_dimension(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let gent = app.new_group("44021").await;
    let leuven = app.new_group("24062").await;
    let staff = app.staff.clone();
    let log = |group, body: Value| {
        let (app, staff) = (&app, staff.clone());
        async move {
            post_as(app, &staff, &format!("/api/v1/groups/{group}/entries"), &body)
                .await
                .expect(StatusCode::CREATED)
                .clone()
        }
    };
    log(gent, entry("sale", 3, "cash")).await; // 3600
    log(gent, entry("donation", 2500, "payconiq")).await;
    let wrong = log(leuven, entry("activity_income", 10_000, "transfer")).await;
    log(leuven, entry("sale", 1, "card")).await; // 1200
    post_as(
        &app,
        &staff,
        &format!("/api/v1/entries/{}/corrections", wrong["id"].as_str().unwrap()),
        &json!({ "reason": "double" }),
    )
    .await
    .expect(StatusCode::CREATED);
    let batch = json!({ "entries": [ { "client_id": "b1", "kind": "donation", "amount_cents": 700, "payment_method": "cash", "occurred_at": (Utc::now() - Duration::minutes(1)).to_rfc3339() } ] });
    post_as(&app, &staff, &format!("/api/v1/groups/{gent}/entries/batch"), &batch)
        .await
        .expect(StatusCode::OK);
    post_as(&app, &staff, &format!("/api/v1/groups/{gent}/entries/batch"), &batch)
        .await
        .expect(StatusCode::OK);

    let totals = get(&app, &format!("/api/v1/campaigns/{y}/totals")).await;
    let t = totals.expect(StatusCode::OK);
    assert_eq!(t["raised_cents"], 3600 + 2500 + 1200 + 700);
    assert_eq!(
        (t["entries"].as_i64(), t["target_cents"].as_i64()),
        (Some(6), Some(1_000_000))
    );
    assert_eq!(
        (t["groups_reporting"].as_i64(), t["municipalities_reporting"].as_i64()),
        (Some(2), Some(2))
    );
    let kinds: Vec<(String, i64)> = t["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_owned(),
                k["raised_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("activity_income".into(), 10_000),
            ("correction".into(), -10_000),
            ("donation".into(), 3200),
            ("sale".into(), 4800)
        ]
    );

    let by = |dimension: &'static str| {
        let app = &app;
        let y = y.clone();
        async move {
            let answer = get(app, &format!("/api/v1/campaigns/{y}/totals/by/{dimension}")).await;
            answer.expect(StatusCode::OK)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["label"].as_str().unwrap().to_owned(),
                        i["raised_cents"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by("province").await,
        [("Oost-Vlaanderen".into(), 6800), ("Vlaams-Brabant".into(), 1200)]
    );
    assert_eq!(
        by("municipality").await,
        [("Gent".into(), 6800), ("Leuven".into(), 1200)]
    );
    assert_eq!(
        by("product").await,
        [("Wenskaarten".into(), 4800), ("(no product)".into(), 3200)]
    );
    assert_eq!(
        by("payment_method").await,
        [
            ("cash".into(), 4300),
            ("payconiq".into(), 2500),
            ("card".into(), 1200),
            ("transfer".into(), 0)
        ]
    );
    assert_eq!(by("group").await.len(), 2);
    let today = campaign_domain::ledger::local_date(Utc::now() - Duration::minutes(2)).to_string();
    assert_eq!(by("day").await.iter().map(|(_, r)| r).sum::<i64>(), 8000);
    assert!(by("day").await.iter().any(|(label, _)| *label == today));
    get(&app, &format!("/api/v1/campaigns/{y}/totals/by/color"))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
    get(&app, "/api/v1/campaigns/2031/totals")
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    let csv = app
        .client
        .get(format!("/api/v1/campaigns/{y}/totals/by/municipality"))
        .header("authorization", staff.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status_is_ok();
    assert!(
        csv.0
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.0.into_body().into_string().await.unwrap();
    assert_eq!(
        text,
        "key,label,raised_cents,entries\r\n44021,Gent,6800,3\r\n24062,Leuven,1200,3\r\n"
    );

    assert!(
        TotalsRepo::new(app.db.clone()).verify().await.unwrap().is_empty(),
        "the kept totals equal the ledger"
    );
}

async fn totals_are_scoped_and_the_thermometer_is_public(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let (group, volunteer) = app.new_volunteer().await; // Gent
    let other = app.new_group("24062").await;
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 500, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{other}/entries"),
        &entry("donation", 900, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    let gent = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("44021").unwrap(),
        })
        .await;

    let whole = get_as(&app, &volunteer, &format!("/api/v1/campaigns/{y}/totals")).await;
    assert_eq!(
        whole.expect(StatusCode::OK)["raised_cents"],
        1400,
        "volunteers see the campaign-wide totals"
    );
    let share = get_as(&app, &gent, &format!("/api/v1/campaigns/{y}/totals")).await;
    let share = share.expect(StatusCode::OK);
    assert_eq!(
        (share["raised_cents"].as_i64(), share["municipality_nis"].as_str()),
        (Some(500), Some("44021"))
    );
    let own = get_as(&app, &volunteer, &format!("/api/v1/campaigns/{y}/totals/by/group")).await;
    let own = own.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["key"], group.to_string());
    get_as(
        &app,
        &volunteer,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality"),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    get_as(&app, &gent, &format!("/api/v1/campaigns/{y}/totals/by/group"))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    Answer::read(app.client.get(format!("/api/v1/campaigns/{y}/totals")).send().await)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    let uri = format!("/api/v1/public/campaigns/{y}/thermometer");
    let first = Answer::read(app.client.get(&uri).send().await).await;
    assert_eq!(first.expect(StatusCode::OK)["raised_cents"], 1400);
    assert_eq!(first.header("cache-control"), Some("public, max-age=30"));
    let etag = first.header("etag").unwrap().to_owned();
    let again = app.client.get(&uri).header("if-none-match", &etag).send().await;
    again.assert_status(StatusCode::NOT_MODIFIED);
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 100, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    let changed = Answer::read(app.client.get(&uri).header("if-none-match", &etag).send().await).await;
    assert_eq!(changed.expect(StatusCode::OK)["raised_cents"], 1500);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    Answer::read(app.client.get("/api/v1/public/campaigns/2031/thermometer").send().await)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
}

async fn verify_totals_finds_and_repairs_a_difference(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let (group, volunteer) = app.new_volunteer().await;
    for cents in [100, 200, 300] {
        post_as(
            &app,
            &volunteer,
            &format!("/api/v1/groups/{group}/entries"),
            &entry("donation", cents, "cash"),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let totals = TotalsRepo::new(app.db.clone());
    assert!(totals.verify().await.unwrap().is_empty());
    app.db
        .execute_unprepared("UPDATE ledger_rollup SET raised_cents = raised_cents + 1 WHERE dimension = 'kind'")
        .await
        .unwrap();
    let differences = totals.verify().await.unwrap();
    assert_eq!(differences.len(), 1);
    assert!(
        differences[0].contains("ledger says 600 cents in 3 entries"),
        "{}",
        differences[0]
    );
    let repair = totals.repair().await.unwrap();
    assert_eq!(repair.differences, differences);
    assert!(totals.verify().await.unwrap().is_empty());
    assert!(totals.repair().await.unwrap().differences.is_empty());
}

/// Sales from several groups at once, through the API; the number acknowledged.
async fn concurrent_sales(app: &TestApp, sellers: &[(campaign_domain::ids::GroupId, crate::Session)]) -> i64 {
    let posts = (0..6).flat_map(|_| {
        sellers.iter().map(|(group, volunteer)| {
            let uri = format!("/api/v1/groups/{group}/entries");
            async move { post_as(app, volunteer, &uri, &entry("sale", 1, "cash")).await }
        })
    });
    let answers = futures_util::future::join_all(posts).await;
    for answer in &answers {
        answer.expect(StatusCode::CREATED);
    }
    answers.len() as i64
}

async fn verify_totals_reads_one_snapshot_and_repairs_under_concurrent_sales(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let mut sellers = Vec::new();
    for _ in 0..4 {
        sellers.push(app.new_volunteer().await);
    }
    concurrent_sales(&app, &sellers).await;
    let totals = TotalsRepo::new(app.db.clone());
    // Checks while sales are being written: each sees ledger and totals at one moment.
    let (sold, checks) = futures_util::future::join(concurrent_sales(&app, &sellers), async {
        let mut found = Vec::new();
        for _ in 0..8 {
            found.extend(totals.verify().await.unwrap());
            tokio::task::yield_now().await;
        }
        found
    })
    .await;
    assert!(
        checks.is_empty(),
        "a consistent snapshot shows no difference: {checks:?}"
    );
    assert_eq!(sold, 24);

    // Repairs while sales are being written, after breaking the totals.
    app.db
        .execute_unprepared("UPDATE ledger_rollup SET raised_cents = raised_cents + 7")
        .await
        .unwrap();
    // Rounds of sales, each with repairs running while they are written.
    let (mut sold, mut repairs) = (0, 0);
    for _ in 0..4 {
        let (round, repaired) = futures_util::future::join(concurrent_sales(&app, &sellers), async {
            let mut repaired = 0;
            for _ in 0..3 {
                repaired += totals.repair().await.unwrap().differences.len();
            }
            repaired
        })
        .await;
        sold += round;
        repairs += repaired;
    }
    assert!(repairs > 0, "the first repair found the broken totals");
    assert_eq!(sold, 4 * 24);
    assert!(
        totals.verify().await.unwrap().is_empty(),
        "no sale is lost from the totals"
    );
    let summary = get(&app, &format!("/api/v1/campaigns/{y}/totals")).await;
    let body = summary.expect(StatusCode::OK);
    assert_eq!(body["entries"], 6 * 24);
    assert_eq!(body["raised_cents"], 6 * 24 * 1200);
}

async fn pacing_compares_with_the_previous_campaign(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y: i64 = year().parse().unwrap();
    let last = y - 1;
    let body = json!({ "year": last, "starts_on": format!("{last}-01-01"), "ends_on": format!("{last}-12-31"), "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    let group = app.new_group("44021").await;
    let staff = app.staff.clone();
    for (at, cents) in [
        (format!("{last}-01-01T12:00:00+01:00"), 1000),
        (format!("{last}-01-03T23:30:00+01:00"), 500),
        (format!("{y}-01-01T00:30:00+01:00"), 700),
    ] {
        if at.as_str() > Utc::now().to_rfc3339().as_str() {
            continue;
        }
        let body = json!({ "kind": "donation", "amount_cents": cents, "payment_method": "cash", "occurred_at": at });
        post_as(&app, &staff, &format!("/api/v1/groups/{group}/entries"), &body)
            .await
            .expect(StatusCode::CREATED);
    }
    let answer = get(&app, &format!("/api/v1/campaigns/{y}/pacing")).await;
    let pacing = answer.expect(StatusCode::OK);
    assert_eq!(pacing["previous_campaign_year"], last);
    let days = pacing["days"].as_array().unwrap();
    assert_eq!(days[0]["date"], format!("{y}-01-01"));
    assert_eq!(days[0]["previous_date"], format!("{last}-01-01"));
    assert_eq!(
        (
            days[0]["raised_cents"].as_i64(),
            days[0]["previous_cumulative_cents"].as_i64()
        ),
        (Some(700), Some(1000))
    );
    assert_eq!(days[1]["previous_cumulative_cents"], 1000);
    assert_eq!(
        days[2]["previous_cumulative_cents"], 1500,
        "23:30 in Brussels on the 3rd counts on the 3rd"
    );
    assert_eq!(days.last().unwrap()["cumulative_cents"], 700);
    let first = get(&app, &format!("/api/v1/campaigns/{last}/pacing")).await;
    assert_eq!(first.expect(StatusCode::OK)["previous_campaign_year"], Value::Null);
    let (_, volunteer) = app.new_volunteer().await;
    get_as(&app, &volunteer, &format!("/api/v1/campaigns/{y}/pacing"))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
}

async fn the_map_shows_every_municipality(backend: Backend) {
    let Some(app) = TestApp::with_boundaries(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let (group, volunteer) = app.new_volunteer().await; // Gent
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 4200, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    let activity = json!({ "kind": "quiz", "title": "Quiz", "starts_at": format!("{y}-11-07T19:00:00+01:00"), "ends_at": format!("{y}-11-07T22:00:00+01:00"), "public": true });
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/activities"),
        &activity,
    )
    .await
    .expect(StatusCode::CREATED);

    let answer = get(&app, &format!("/api/v1/campaigns/{y}/map")).await;
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/geo+json")
    );
    let map = answer.expect(StatusCode::OK);
    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), 304);
    let gent = features.iter().find(|f| f["id"] == "44021").unwrap();
    assert_eq!(
        gent["properties"],
        json!({ "nis_code": "44021", "name_nl": "Gent", "raised_cents": 4200, "groups": 1, "activities": 1 })
    );
    assert_eq!(gent["geometry"]["type"], "MultiPolygon");
    let leuven = features.iter().find(|f| f["id"] == "24062").unwrap();
    assert_eq!(leuven["properties"]["raised_cents"], 0);
    get_as(&app, &volunteer, &format!("/api/v1/campaigns/{y}/map"))
        .await
        .expect_problem(StatusCode::FORBIDDEN);
}

async fn the_stream_sends_totals_at_connect_and_after_a_write(backend: Backend) {
    use futures_util::StreamExt;
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let (group, volunteer) = app.new_volunteer().await;
    get_as(&app, &volunteer, &format!("/api/v1/campaigns/{y}/totals/stream"))
        .await
        .expect_problem(StatusCode::FORBIDDEN);

    let resp = app
        .client
        .get(format!("/api/v1/campaigns/{y}/totals/stream"))
        .header("authorization", app.staff.bearer())
        .send()
        .await;
    resp.assert_status_is_ok();
    resp.assert_content_type("text/event-stream");
    let mut events = resp.json_sse_stream();
    let first = events.next().await.expect("a first event at connect");
    first.value().object().get("raised_cents").assert_i64(0);

    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 4200, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    // Bounded wait for the server's event (at most one a second), not a sleep.
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), events.next())
        .await
        .expect("an event after the write");
    let next = next.expect("the stream is open");
    next.value().object().get("raised_cents").assert_i64(4200);
    next.value().object().get("entries").assert_i64(1);
}

async fn every_replica_streams_a_write_made_through_another(backend: Backend) {
    use futures_util::StreamExt;
    // Replicas share PostgreSQL; a SQLite deployment is one process.
    if backend == Backend::Sqlite {
        return;
    }
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let (group, volunteer) = app.new_volunteer().await;
    // A second server process on the same database.
    let replica = app.second_server().await;
    let resp = replica
        .get(format!("/api/v1/campaigns/{y}/totals/stream"))
        .header("authorization", app.staff.bearer())
        .send()
        .await;
    resp.assert_status_is_ok();
    let mut events = resp.json_sse_stream();
    events
        .next()
        .await
        .expect("a first event")
        .value()
        .object()
        .get("raised_cents")
        .assert_i64(0);
    post_as(
        &app,
        &volunteer,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 900, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), events.next())
        .await
        .expect("the replica hears of the write");
    next.expect("the stream is open")
        .value()
        .object()
        .get("raised_cents")
        .assert_i64(900);
}

async fn breakdowns_as_csv_are_negotiated_and_safe_in_a_spreadsheet(backend: Backend) {
    use campaign_persistence::audit::AuditContext;
    use campaign_persistence::groups::GroupRepo;
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let groups = GroupRepo::new(app.db.clone());
    let gent = NisCode::parse("44021").unwrap();
    let mut names = Vec::new();
    for name in ["=1+1", "@SUM(A1)", "-2+3", "+CMD", "Comité, \"Gent\""] {
        let group = groups
            .create(name.to_owned(), gent, &AuditContext::default())
            .await
            .unwrap();
        post_as(
            &app,
            &app.staff,
            &format!("/api/v1/groups/{}/entries", group.id),
            &entry("donation", 100, "cash"),
        )
        .await
        .expect(StatusCode::CREATED);
        names.push((group.id.to_string(), name));
    }
    // A negative total is a number, not a formula.
    app.db
        .execute_unprepared(&format!(
            "UPDATE ledger_rollup SET raised_cents = -500 WHERE dimension = 'group' AND key = '{}'",
            names[2].0
        ))
        .await
        .unwrap();
    let uri = format!("/api/v1/campaigns/{y}/totals/by/group");
    let ask = |accept: Option<&'static str>| {
        let mut request = app.client.get(&uri).header("authorization", app.staff.bearer());
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        async move { Answer::read(request.send().await).await }
    };
    let csv_answer = app
        .client
        .get(&uri)
        .header("authorization", app.staff.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    csv_answer.assert_status_is_ok();
    csv_answer.assert_content_type("text/csv");
    let text = csv_answer.0.into_body().into_string().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["key", "label", "raised_cents", "entries"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let label_of = |key: &str| {
        rows.iter()
            .find(|r| &r[0] == key)
            .map(|r| (r[1].to_owned(), r[2].to_owned()))
            .unwrap()
    };
    assert_eq!(label_of(&names[0].0), ("'=1+1".to_owned(), "100".to_owned()));
    assert_eq!(label_of(&names[1].0).0, "'@SUM(A1)");
    assert_eq!(label_of(&names[2].0), ("'-2+3".to_owned(), "-500".to_owned()));
    assert_eq!(label_of(&names[3].0).0, "'+CMD");
    assert_eq!(label_of(&names[4].0).0, "Comité, \"Gent\"");
    assert!(text.contains(",-500,1\r\n"), "numbers stay numbers: {text}");

    // RFC 9110 weights: CSV only when preferred.
    for (accept, csv) in [
        (None, false),
        (Some("*/*"), false),
        (Some("application/json, text/csv;q=0"), false),
        (Some("text/csv;q=0"), false),
        (Some("text/csv, application/json"), false),
        (Some("application/json;q=0.4, text/csv;q=0.5"), true),
        (Some("text/*"), true),
    ] {
        let answer = ask(accept).await;
        assert_eq!(answer.status, StatusCode::OK, "{accept:?}");
        let content_type = answer.header("content-type").unwrap_or_default().to_owned();
        assert_eq!(content_type.starts_with("text/csv"), csv, "{accept:?}: {content_type}");
        assert_eq!(answer.header("vary"), Some("accept"), "{accept:?}");
    }
}

async fn csv(app: &TestApp, uri: &str) -> (StatusCode, Option<String>, Option<String>, String) {
    let resp = app
        .client
        .get(uri)
        .header("authorization", app.staff.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    let header = |name: &str| {
        resp.0
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, kind, disposition) = (resp.0.status(), header("content-type"), header("content-disposition"));
    (
        status,
        kind,
        disposition,
        resp.0.into_body().into_string().await.unwrap(),
    )
}

async fn csv_answers_are_named_attachments_and_pacing_has_one_too(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let last = y.parse::<i64>().unwrap() - 1;
    let body = json!({ "year": last, "starts_on": format!("{last}-01-01"), "ends_on": format!("{last}-12-31"), "target_cents": 0 });
    post_as(&app, &app.staff, "/api/v1/campaigns", &body)
        .await
        .expect(StatusCode::CREATED);
    let group = app.new_group("44021").await;
    let staff = app.staff.clone();
    post_as(
        &app,
        &staff,
        &format!("/api/v1/groups/{group}/entries"),
        &entry("donation", 700, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);
    let old = json!({ "kind": "donation", "amount_cents": 1000, "payment_method": "cash", "occurred_at": format!("{last}-01-01T12:00:00+01:00") });
    post_as(&app, &staff, &format!("/api/v1/groups/{group}/entries"), &old)
        .await
        .expect(StatusCode::CREATED);

    for dimension in ["province", "municipality", "group", "product", "payment_method", "day"] {
        let (status, kind, disposition, _) = csv(&app, &format!("/api/v1/campaigns/{y}/totals/by/{dimension}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.unwrap().starts_with("text/csv"));
        assert_eq!(
            disposition.as_deref(),
            Some(format!("attachment; filename=\"totals-{y}-by-{dimension}.csv\"").as_str())
        );
    }
    let json_answer = get(&app, &format!("/api/v1/campaigns/{y}/totals/by/province")).await;
    assert_eq!(
        json_answer.header("content-disposition"),
        None,
        "JSON is not an attachment"
    );

    let (status, kind, disposition, text) = csv(&app, &format!("/api/v1/campaigns/{y}/pacing")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.unwrap().starts_with("text/csv"));
    assert_eq!(
        disposition.as_deref(),
        Some(format!("attachment; filename=\"pacing-{y}.csv\"").as_str())
    );
    let pacing = get(&app, &format!("/api/v1/campaigns/{y}/pacing")).await;
    let days = pacing.expect(StatusCode::OK)["days"].as_array().unwrap().clone();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "day,date,raised_cents,cumulative_cents,previous_date,previous_cumulative_cents"
    );
    assert_eq!(lines.len(), days.len() + 1, "one row per day of the JSON");
    assert_eq!(
        lines[1],
        format!(
            "1,{y}-01-01,{},{},{last}-01-01,1000",
            days[0]["raised_cents"], days[0]["cumulative_cents"]
        )
    );
    let end = lines.last().unwrap();
    assert!(
        end.ends_with(&format!(",700,{last}-12-31,1000")) || end.ends_with(",700,,1000"),
        "the last day, with an empty previous_date when last year was shorter: {end}"
    );
    // The first campaign has no previous one: empty cells.
    let (_, _, disposition, text) = csv(&app, &format!("/api/v1/campaigns/{last}/pacing")).await;
    assert_eq!(
        disposition.as_deref(),
        Some(format!("attachment; filename=\"pacing-{last}.csv\"").as_str())
    );
    assert_eq!(
        text.split("\r\n").nth(1),
        Some(format!("1,{last}-01-01,1000,1000,,").as_str())
    );
    // Volunteers still may not read pacing, in either format.
    let (_, volunteer) = app.new_volunteer().await;
    let refused = app
        .client
        .get(format!("/api/v1/campaigns/{y}/pacing"))
        .header("authorization", volunteer.bearer())
        .header("accept", "text/csv")
        .send()
        .await;
    Answer::read(refused).await.expect_problem(StatusCode::FORBIDDEN);
}

async fn by_municipality_can_list_every_municipality_with_zeros(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    setup(&app).await;
    let y = year();
    let gent = app.new_group("44021").await;
    post_as(
        &app,
        &app.staff,
        &format!("/api/v1/groups/{gent}/entries"),
        &entry("donation", 900, "cash"),
    )
    .await
    .expect(StatusCode::CREATED);

    let all = get(
        &app,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality?include_empty=true"),
    )
    .await;
    let items = all.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 304, "every municipality of the registry");
    assert_eq!(
        (items[0]["key"].as_str(), items[0]["raised_cents"].as_i64()),
        (Some("44021"), Some(900))
    );
    assert_eq!(
        items[1],
        json!({ "key": "11001", "label": "Aartselaar", "raised_cents": 0, "entries": 0 }),
        "then zeros in NIS-code order"
    );
    let only = get(
        &app,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality?include_empty=false"),
    )
    .await;
    assert_eq!(only.expect(StatusCode::OK)["items"].as_array().unwrap().len(), 1);
    let (status, _, _, text) = csv(
        &app,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality?include_empty=true"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        text.split("\r\n").filter(|l| !l.is_empty()).count(),
        305,
        "a header and 304 rows"
    );
    assert!(text.contains("\r\n11001,Aartselaar,0,0\r\n"));

    let provinces = get(
        &app,
        &format!("/api/v1/campaigns/{y}/totals/by/province?include_empty=true"),
    )
    .await;
    let provinces = provinces.expect(StatusCode::OK)["items"].as_array().unwrap().clone();
    assert_eq!(provinces.len(), 6);
    assert_eq!(provinces[0]["key"], "Oost-Vlaanderen");
    assert!(
        provinces[1..]
            .iter()
            .all(|p| p["raised_cents"] == 0 && p["entries"] == 0)
    );

    for dimension in ["group", "product", "payment_method", "day"] {
        get(
            &app,
            &format!("/api/v1/campaigns/{y}/totals/by/{dimension}?include_empty=true"),
        )
        .await
        .expect_field_error("include_empty");
        get(
            &app,
            &format!("/api/v1/campaigns/{y}/totals/by/{dimension}?include_empty=false"),
        )
        .await
        .expect(StatusCode::OK);
    }
    get(
        &app,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality?include_empty=maybe"),
    )
    .await
    .expect_field_error("include_empty");
    let (_, volunteer) = app.new_volunteer().await;
    get_as(
        &app,
        &volunteer,
        &format!("/api/v1/campaigns/{y}/totals/by/municipality?include_empty=true"),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
}
