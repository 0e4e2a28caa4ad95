//! Signing in, tokens and their abuse.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::Membership;
use campaign_tests::{TEST_JWT_SECRET, TEST_PASSWORD, TEST_PEER_HEADER};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use poem::http::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, Backend, TestApp, TestOptions, get, get_as, on_both_databases, patch_as, post_as};

on_both_databases!(
    a_login_gives_a_working_token_pair,
    unknown_email_and_wrong_password_answer_alike,
    repeated_failures_for_an_account_are_throttled,
    repeated_failures_from_a_client_are_throttled,
    a_burst_of_wrong_passwords_is_counted_whole,
    an_attacker_cannot_lock_the_owner_out,
    the_account_bound_stops_guessing_from_many_addresses,
    the_client_behind_a_trusted_proxy_is_the_right_most_untrusted_hop,
    two_refreshes_at_once_keep_the_session,
    bad_login_input_is_a_4xx_never_a_5xx,
    refresh_tokens_rotate_and_reuse_revokes_the_chain,
    logout_revokes_the_refresh_token,
    a_deactivated_user_is_locked_out_at_once,
    forged_and_stale_tokens_are_refused,
    the_development_secret_is_made_once_and_kept,
);

async fn login(app: &TestApp, email: &str, password: &str) -> Answer {
    Answer::read(
        app.client
            .post("/api/v1/auth/login")
            .body_json(&json!({ "email": email, "password": password }))
            .send()
            .await,
    )
    .await
}

/// A sign-in attempt from the client at `peer`.
async fn login_from(app: &TestApp, peer: &str, email: &str, password: &str) -> Answer {
    Answer::read(
        app.client
            .post("/api/v1/auth/login")
            .header(TEST_PEER_HEADER, peer)
            .body_json(&json!({ "email": email, "password": password }))
            .send()
            .await,
    )
    .await
}

/// How many answers have each of these statuses; panics on any other status.
fn tally(answers: &[Answer], statuses: [StatusCode; 2]) -> [usize; 2] {
    for a in answers {
        assert!(statuses.contains(&a.status), "unexpected {}: {}", a.status, a.body);
    }
    statuses.map(|s| answers.iter().filter(|a| a.status == s).count())
}

/// Makes every spent refresh token look spent `seconds` ago (past the grace window).
async fn age_spent_refresh_tokens(app: &TestApp, seconds: i64) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let when = chrono::Utc::now() - chrono::Duration::seconds(seconds);
    let stmt = Query::update()
        .table("refresh_token")
        .value("spent_at", when)
        .and_where(Expr::col("spent_at").is_not_null())
        .to_owned();
    app.db.execute(&stmt).await.unwrap();
}

async fn refresh(app: &TestApp, token: &str) -> Answer {
    Answer::read(
        app.client
            .post("/api/v1/auth/refresh")
            .body_json(&json!({ "refresh_token": token }))
            .send()
            .await,
    )
    .await
}

async fn me_with(app: &TestApp, authorization: &str) -> Answer {
    Answer::read(
        app.client
            .get("/api/v1/me")
            .header("authorization", authorization)
            .send()
            .await,
    )
    .await
}

async fn a_login_gives_a_working_token_pair(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let answer = login(&app, &app.staff.email.to_uppercase(), TEST_PASSWORD).await;
    let pair = answer.expect(StatusCode::OK);
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let me = me_with(&app, &format!("Bearer {}", pair["access_token"].as_str().unwrap())).await;
    let me = me.expect(StatusCode::OK);
    assert_eq!(me["email"], app.staff.email.as_str());
    assert_eq!(me["role"], "staff");
    assert_eq!(me["group_id"], Value::Null);

    // The claims carry the role and scope, issuer, audience and an id.
    let token = pair["access_token"].as_str().unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    for claim in ["sub", "role", "iss", "aud", "exp", "iat", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim} in {claims}");
    }
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);

    let audit = get(&app, "/api/v1/audit?entity=user").await;
    let actions: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"auth.login"), "{actions:?}");
}

async fn unknown_email_and_wrong_password_answer_alike(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let wrong = login(&app, &app.staff.email, "not the password at all").await;
    let unknown = login(&app, "nobody@example.org", "not the password at all").await;
    let (wrong, unknown) = (
        wrong.expect_problem(StatusCode::UNAUTHORIZED),
        unknown.expect_problem(StatusCode::UNAUTHORIZED),
    );
    assert_eq!(wrong, unknown, "the answers must not tell which accounts exist");

    let audit = get(&app, "/api/v1/audit?entity=user").await;
    let failures = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "auth.login_failed")
        .count();
    assert_eq!(failures, 2, "every failed attempt is audited");
}

async fn repeated_failures_for_an_account_are_throttled(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let victim = app.sign_in_new(Membership::Staff).await;
    for _ in 0..5 {
        login(&app, &victim.email, "wrong password, again")
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    let throttled = login(&app, &victim.email, TEST_PASSWORD).await;
    throttled.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    // An unknown address is throttled the same way: 429 does not reveal which accounts exist.
    for _ in 0..5 {
        login(&app, "ghost@example.org", "wrong password, again").await;
    }
    login(&app, "ghost@example.org", "wrong password, again")
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not affected.
    login(&app, &app.staff.email, TEST_PASSWORD)
        .await
        .expect(StatusCode::OK);
}

async fn repeated_failures_from_a_client_are_throttled(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let from = |ip: &'static str, email: String, password: &'static str| {
        let client = &app.client;
        async move {
            Answer::read(
                client
                    .post("/api/v1/auth/login")
                    .header(TEST_PEER_HEADER, ip)
                    .body_json(&json!({ "email": email, "password": password }))
                    .send()
                    .await,
            )
            .await
        }
    };
    for i in 0..30 {
        from("203.0.113.7", format!("guess{i}@example.org"), "a wrong password")
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    let blocked = from("203.0.113.7", app.staff.email.clone(), TEST_PASSWORD).await;
    blocked.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.header("retry-after").is_some());
    from("198.51.100.1", app.staff.email.clone(), TEST_PASSWORD)
        .await
        .expect(StatusCode::OK);
}

async fn a_burst_of_wrong_passwords_is_counted_whole(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let victim = app
        .sign_in_new(Membership::Volunteer {
            group: app.new_group("44021").await,
        })
        .await;
    // Twelve guesses at the same moment: each is counted before any password is checked, so
    // no more than five reach the check.
    let burst =
        futures_util::future::join_all((0..12).map(|_| login_from(&app, "203.0.113.7", &victim.email, "a guess")))
            .await;
    let [checked, _] = tally(&burst, [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    // At most five reach the check; when all twelve are counted before any is checked, none do.
    assert!(checked <= 5, "{checked} passwords checked in a burst of 12");
    // Attempts that were refused do not count: more guesses, one at a time, reach exactly five.
    let mut failures = checked;
    loop {
        let answer = login_from(&app, "203.0.113.7", &victim.email, "a guess").await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        answer.expect_problem(StatusCode::UNAUTHORIZED);
        failures += 1;
    }
    assert_eq!(failures, 5);
    login_from(&app, "203.0.113.7", &victim.email, TEST_PASSWORD)
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);
}

async fn an_attacker_cannot_lock_the_owner_out(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    let attacker = "203.0.113.66";
    let phone = "198.51.100.23";
    // The attacker guesses while the volunteer signs in from their phone.
    let guesses =
        futures_util::future::join_all((0..8).map(|_| login_from(&app, attacker, &volunteer.email, "a guess")));
    let (guesses, owner) =
        futures_util::future::join(guesses, login_from(&app, phone, &volunteer.email, TEST_PASSWORD)).await;
    owner.expect(StatusCode::OK);
    let [checked, _] = tally(&guesses, [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    assert!(checked <= 5, "{checked}");
    for _ in checked..5 {
        login_from(&app, attacker, &volunteer.email, "a guess")
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    // The attacker's address is closed to this account, even with the right password ...
    login_from(&app, attacker, &volunteer.email, TEST_PASSWORD)
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);
    // ... and the owner, elsewhere, signs in as before; so does anyone else from that address.
    login_from(&app, phone, &volunteer.email, TEST_PASSWORD)
        .await
        .expect(StatusCode::OK);
    login_from(&app, attacker, &app.staff.email, TEST_PASSWORD)
        .await
        .expect(StatusCode::OK);
}

async fn the_account_bound_stops_guessing_from_many_addresses(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    let bound = campaign_api::auth::LoginThrottle::default().per_account.attempts as usize;
    // Eleven addresses guess five times each, all at once: never more than 50 checks.
    let peers: Vec<String> = (1..=11).map(|i| format!("203.0.113.{i}")).collect();
    let burst = futures_util::future::join_all(
        peers
            .iter()
            .flat_map(|peer| (0..5).map(move |_| peer))
            .map(|peer| login_from(&app, peer, &volunteer.email, "a guess")),
    )
    .await;
    let [mut failures, _] = tally(&burst, [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    assert!(failures <= bound, "{failures} passwords checked");
    // New addresses, one guess each, one at a time, until the account is closed: exactly 50.
    for i in 1.. {
        let answer = login_from(&app, &format!("198.51.100.{i}"), &volunteer.email, "a guess").await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        answer.expect_problem(StatusCode::UNAUTHORIZED);
        failures += 1;
    }
    assert_eq!(failures, bound);
    let closed = login_from(&app, "192.0.2.200", &volunteer.email, TEST_PASSWORD).await;
    closed.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = closed.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
}

async fn the_client_behind_a_trusted_proxy_is_the_right_most_untrusted_hop(backend: Backend) {
    let options = TestOptions {
        trusted_proxies: campaign_api::http::TrustedProxies::parse("10.0.0.0/8").unwrap(),
        ..TestOptions::default()
    };
    let Some(app) = TestApp::start_with(backend, options).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    // A client behind the balancer (10.0.0.2) writes a new address of its own choosing into
    // X-Forwarded-For each time; the balancer appends the one it saw, 203.0.113.7.
    let through_proxy = |i: usize, password: &'static str| {
        let client = &app.client;
        let email = volunteer.email.clone();
        async move {
            Answer::read(
                client
                    .post("/api/v1/auth/login")
                    .header(TEST_PEER_HEADER, "10.0.0.2")
                    .header("x-forwarded-for", format!("192.0.2.{i}, 203.0.113.7"))
                    .body_json(&json!({ "email": email, "password": password }))
                    .send()
                    .await,
            )
            .await
        }
    };
    for i in 0..5 {
        through_proxy(i, "a guess")
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    through_proxy(5, TEST_PASSWORD)
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);
    // A client that is not a proxy cannot choose its address at all.
    let direct = Answer::read(
        app.client
            .post("/api/v1/auth/login")
            .header(TEST_PEER_HEADER, "198.51.100.9")
            .header("x-forwarded-for", "10.0.0.3, 203.0.113.99")
            .body_json(&json!({ "email": volunteer.email, "password": "a guess" }))
            .send()
            .await,
    )
    .await;
    direct.expect_problem(StatusCode::UNAUTHORIZED);

    let audit = get(&app, "/api/v1/audit?entity=user").await;
    let mut addresses: Vec<&str> = audit.expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "auth.login_failed" || r["action"] == "auth.login_throttled")
        .map(|r| r["client_addr"].as_str().unwrap())
        .collect();
    addresses.sort_unstable();
    addresses.dedup();
    assert_eq!(addresses, ["198.51.100.9", "203.0.113.7"]);
}

async fn two_refreshes_at_once_keep_the_session(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let first = app.staff.refresh_token.clone();
    // Two tabs and a retry, at the same moment: every one gets the same new pair.
    let answers = futures_util::future::join_all((0..4).map(|_| refresh(&app, &first))).await;
    let tokens: Vec<&str> = answers
        .iter()
        .map(|a| a.expect(StatusCode::OK)["refresh_token"].as_str().unwrap())
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0] && *t != first), "{tokens:?}");
    for a in &answers {
        me_with(&app, &format!("Bearer {}", a.body["access_token"].as_str().unwrap()))
            .await
            .expect(StatusCode::OK);
    }
    // The chain lives on: the new token trades for the next one.
    let second = tokens[0].to_owned();
    let third = refresh(&app, &second).await.expect(StatusCode::OK)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The first token again, still within the window but after its successor was traded: a
    // clear 409 that revokes nothing.
    refresh(&app, &first).await.expect_problem(StatusCode::CONFLICT);
    let fourth = refresh(&app, &third).await.expect(StatusCode::OK)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // After the window, a replay revokes the whole chain.
    age_spent_refresh_tokens(&app, 11).await;
    refresh(&app, &first).await.expect_problem(StatusCode::UNAUTHORIZED);
    refresh(&app, &fourth).await.expect_problem(StatusCode::UNAUTHORIZED);
}

async fn bad_login_input_is_a_4xx_never_a_5xx(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    login(&app, "not an address", "whatever password")
        .await
        .expect_field_error("email");
    let long = "p".repeat(1025);
    login(&app, &app.staff.email, &long)
        .await
        .expect_field_error("password");
    // Long, odd and empty passwords are just wrong.
    for password in [
        "p".repeat(1024),
        "\u{0}\u{1}\u{7f}".to_owned(),
        "😀".repeat(200),
        String::new(),
    ] {
        login(&app, &app.staff.email, &password)
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
    }
    for body in [
        json!({ "email": app.staff.email }),
        json!({ "email": 5, "password": [] }),
        json!([]),
        json!({ "email": "a@b.org", "password": "x", "admin": true }),
    ] {
        let answer = Answer::read(app.client.post("/api/v1/auth/login").body_json(&body).send().await).await;
        answer.expect_problem(StatusCode::BAD_REQUEST);
    }
    // A unicode password of a real account works.
    let staff = app.staff.clone();
    let created = post_as(
        &app,
        &staff,
        "/api/v1/users",
        &json!({
            "email": "unicode@example.org", "name": "Ünïcødé", "password": "wachtwoord-😀-ünïcødé", "role": "staff",
        }),
    )
    .await;
    created.expect(StatusCode::CREATED);
    login(&app, "unicode@example.org", "wachtwoord-😀-ünïcødé")
        .await
        .expect(StatusCode::OK);
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_chain(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let first = app.staff.refresh_token.clone();
    let second = refresh(&app, &first).await;
    let second = second.expect(StatusCode::OK).clone();
    let second_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first);
    me_with(&app, &format!("Bearer {}", second["access_token"].as_str().unwrap()))
        .await
        .expect(StatusCode::OK);

    // The first token is spent: presenting it again after the grace window revokes the whole
    // chain, the newest too.
    age_spent_refresh_tokens(&app, 11).await;
    refresh(&app, &first).await.expect_problem(StatusCode::UNAUTHORIZED);
    refresh(&app, &second_refresh)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    // A new login starts a new chain that works.
    let again = app.sign_in(&app.staff.email, TEST_PASSWORD).await.unwrap();
    refresh(&app, &again.refresh_token).await.expect(StatusCode::OK);

    for garbage in [
        "",
        "rt_",
        "nonsense",
        &"x".repeat(150),
        "rt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        refresh(&app, garbage).await.expect_problem(StatusCode::UNAUTHORIZED);
    }
    // An access token is not a refresh token.
    refresh(&app, &again.access_token)
        .await
        .expect_problem(StatusCode::BAD_REQUEST);
}

async fn logout_revokes_the_refresh_token(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let logout = |token: String| {
        let client = &app.client;
        async move {
            client
                .post("/api/v1/auth/logout")
                .body_json(&json!({ "refresh_token": token }))
                .send()
                .await
        }
    };
    logout(app.staff.refresh_token.clone())
        .await
        .assert_status(StatusCode::NO_CONTENT);
    refresh(&app, &app.staff.refresh_token)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    logout(app.staff.refresh_token.clone())
        .await
        .assert_status(StatusCode::NO_CONTENT);
    logout("rt_garbage".to_owned())
        .await
        .assert_status(StatusCode::NO_CONTENT);
}

async fn a_deactivated_user_is_locked_out_at_once(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let (_, volunteer) = app.new_volunteer().await;
    get_as(&app, &volunteer, "/api/v1/me").await.expect(StatusCode::OK);

    let staff = app.staff.clone();
    let uri = format!("/api/v1/users/{}", volunteer.user_id);
    let answer = patch_as(&app, &staff, &uri, &json!({ "active": false })).await;
    assert_eq!(answer.expect(StatusCode::OK)["active"], false);

    // The access token still within its 15 minutes stops working now.
    get_as(&app, &volunteer, "/api/v1/me")
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    refresh(&app, &volunteer.refresh_token)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    login(&app, &volunteer.email, TEST_PASSWORD)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);

    // Reactivated, the account signs in again (old refresh tokens stay revoked).
    patch_as(&app, &staff, &uri, &json!({ "active": true }))
        .await
        .expect(StatusCode::OK);
    login(&app, &volunteer.email, TEST_PASSWORD)
        .await
        .expect(StatusCode::OK);
    refresh(&app, &volunteer.refresh_token)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
}

fn sign(header: &Header, claims: &Value, secret: &[u8]) -> String {
    encode(header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn forged_and_stale_tokens_are_refused(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let contact = app
        .sign_in_new(Membership::MunicipalContact {
            municipality: NisCode::parse("44021").unwrap(),
        })
        .await;
    let now = chrono::Utc::now().timestamp();
    let claims = |overrides: Value| {
        let mut base = json!({
            "sub": app.staff.user_id.to_string(), "role": "staff", "iss": "campaign-api", "aud": "campaign-api/v1",
            "exp": now + 600, "iat": now, "jti": "x",
        });
        for (k, v) in overrides.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    };
    let at = Header {
        typ: Some("at+jwt".to_owned()),
        ..Header::new(Algorithm::HS256)
    };
    // The harness's own forgery with the right secret works: the cases below fail for their reason only.
    let good = sign(&at, &claims(json!({})), TEST_JWT_SECRET);
    me_with(&app, &format!("Bearer {good}")).await.expect(StatusCode::OK);

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
    let none_claims = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "Bearer not.a.token".to_owned()),
        ("empty bearer", "Bearer ".to_owned()),
        (
            "another secret",
            format!(
                "Bearer {}",
                sign(&at, &claims(json!({})), b"another-secret-of-at-least-thirty-two-bytes")
            ),
        ),
        ("alg none", format!("Bearer {none_header}.{none_claims}.")),
        (
            "HS512 instead of HS256",
            format!(
                "Bearer {}",
                sign(
                    &Header {
                        typ: Some("at+jwt".into()),
                        ..Header::new(Algorithm::HS512)
                    },
                    &claims(json!({})),
                    TEST_JWT_SECRET
                )
            ),
        ),
        (
            "expired",
            format!(
                "Bearer {}",
                sign(
                    &at,
                    &claims(json!({ "exp": now - 3600, "iat": now - 4500 })),
                    TEST_JWT_SECRET
                )
            ),
        ),
        (
            "string exp",
            format!(
                "Bearer {}",
                sign(
                    &at,
                    &claims(json!({ "exp": (now - 3600).to_string() })),
                    TEST_JWT_SECRET
                )
            ),
        ),
        (
            "no exp",
            format!("Bearer {}", sign(&at, &claims(json!({ "exp": null })), TEST_JWT_SECRET)),
        ),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                sign(&at, &claims(json!({ "aud": "another-api" })), TEST_JWT_SECRET)
            ),
        ),
        (
            "no audience",
            format!("Bearer {}", sign(&at, &claims(json!({ "aud": null })), TEST_JWT_SECRET)),
        ),
        (
            "wrong issuer",
            format!(
                "Bearer {}",
                sign(&at, &claims(json!({ "iss": "someone-else" })), TEST_JWT_SECRET)
            ),
        ),
        (
            "not an access token (typ JWT)",
            format!(
                "Bearer {}",
                sign(&Header::new(Algorithm::HS256), &claims(json!({})), TEST_JWT_SECRET)
            ),
        ),
        (
            "unknown user",
            format!(
                "Bearer {}",
                sign(
                    &at,
                    &claims(json!({ "sub": uuid::Uuid::new_v4().to_string() })),
                    TEST_JWT_SECRET
                )
            ),
        ),
        ("a refresh token", format!("Bearer {}", app.staff.refresh_token)),
        ("basic auth", "Basic dXNlcjpwYXNz".to_owned()),
    ];
    for (case, authorization) in cases {
        let answer = me_with(&app, &authorization).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{case}: {}", answer.body);
        answer.expect_problem(StatusCode::UNAUTHORIZED);
        assert!(
            answer
                .header("www-authenticate")
                .is_some_and(|h| h.starts_with("Bearer")),
            "{case}"
        );
    }
    let missing = Answer::read(app.client.get("/api/v1/me").send().await).await;
    assert!(
        missing.expect_problem(StatusCode::UNAUTHORIZED)["detail"]
            .as_str()
            .unwrap()
            .contains("auth/login")
    );

    // Role claims are not trusted: a contact's token edited to say staff is refused (bad
    // signature), and a validly signed token acts with the account's real role.
    let mut parts: Vec<String> = contact.access_token.split('.').map(str::to_owned).collect();
    let mut body: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    body["role"] = json!("staff");
    parts[1] = URL_SAFE_NO_PAD.encode(body.to_string());
    me_with(&app, &format!("Bearer {}", parts.join(".")))
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    let lying = sign(
        &at,
        &claims(json!({ "sub": contact.user_id.to_string(), "role": "staff" })),
        TEST_JWT_SECRET,
    );
    let answer = Answer::read(
        app.client
            .get("/api/v1/users")
            .header("authorization", format!("Bearer {lying}"))
            .send()
            .await,
    )
    .await;
    answer.expect_problem(StatusCode::FORBIDDEN);
}

async fn the_development_secret_is_made_once_and_kept(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let first = campaign_api::auth::resolve_jwt_secret(None, &app.db).await.unwrap();
    let second = campaign_api::auth::resolve_jwt_secret(Some(String::new()), &app.db)
        .await
        .unwrap();
    assert_eq!(first, second, "kept in the database, so tokens survive a restart");
    assert!(first.len() >= 32);
    let configured = campaign_api::auth::resolve_jwt_secret(Some("x".repeat(40)), &app.db)
        .await
        .unwrap();
    assert_eq!(configured, "x".repeat(40).into_bytes());
    assert!(
        campaign_api::auth::resolve_jwt_secret(Some("x".repeat(31)), &app.db)
            .await
            .is_err()
    );
}
