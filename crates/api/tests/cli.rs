//! The `campaign` binary itself: help, migrations, boundary import and graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_campaign");

fn campaign(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env_remove("CAMPAIGN_BOUNDARIES")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One HTTP/1.1 request over a fresh connection; the whole answer, head and body, as text.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.unwrap_or_default().as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The `access_token` of a sign-in answer.
fn access_token(response: &str) -> String {
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let json: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    json["access_token"].as_str().unwrap().to_owned()
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("help.db");
    let top = campaign(&db, &["--help"]);
    assert!(top.status.success());
    let top = text(&top.stdout);
    for word in ["serve", "migrate", "import-boundaries", "demo", "DATABASE_URL"] {
        assert!(top.contains(word), "`campaign --help` mentions {word}:\n{top}");
    }
    for (command, words) in [
        (
            "serve",
            &[
                "--bind",
                "CAMPAIGN_BIND",
                "CAMPAIGN_BOUNDARIES",
                "CAMPAIGN_CORS_ORIGINS",
                "--demo",
            ][..],
        ),
        ("migrate", &["DATABASE_URL"][..]),
        ("import-boundaries", &["--code-property", "FILE"][..]),
    ] {
        let out = campaign(&db, &[command, "--help"]);
        assert!(out.status.success(), "{command} --help");
        let help = text(&out.stdout);
        for word in words {
            assert!(
                help.contains(word),
                "`campaign {command} --help` mentions {word}:\n{help}"
            );
        }
    }
    assert!(!db.exists(), "--help touches no database");
}

#[test]
fn migrate_twice_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campaign.db");
    for _ in 0..2 {
        let out = campaign(&db, &["migrate"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

#[test]
fn verify_totals_reports_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campaign.db");
    let out = campaign(&db, &["verify-totals"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("the totals agree with the ledger"));
}

#[test]
fn demo_loads_once_and_prints_accounts_that_change_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let first = campaign(&db, &["demo", "--demo-entries", "1500"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let stdout = text(&first.stdout);
    assert!(stdout.contains("1500 ledger entries"), "{stdout}");
    for email in ["staff@demo.11.be", "volunteer@demo.11.be", "contact@demo.11.be"] {
        assert!(stdout.contains(email), "{stdout}");
    }
    assert!(
        text(&first.stderr).contains("ledger entries loaded=1500"),
        "progress is shown"
    );
    let second = campaign(&db, &["demo"]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    let again = text(&second.stdout);
    assert!(again.contains("loaded already"), "{again}");
    let password = |out: &str| {
        let line = out.lines().find(|l| l.contains("staff@demo.11.be")).unwrap().to_owned();
        line.split_whitespace().nth(3).unwrap().to_owned()
    };
    assert_ne!(password(&stdout), password(&again));
    let verify = campaign(&db, &["verify-totals"]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
}

#[test]
fn a_bad_database_url_is_explained() {
    let out = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", "mysql://nobody@nowhere/db")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("DATABASE_URL must start with sqlite: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn import_boundaries_lists_every_problem_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campaign.db");
    let file = dir.path().join("bad.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"nis_code":"99999"},"geometry":{"type":"Polygon","coordinates":[[[4.0,51.0],[4.1,51.0],[4.1,51.1],[4.0,51.0]]]}},
            {"type":"Feature","properties":{"code":"44021"},"geometry":{"type":"Polygon","coordinates":[[[3.7,51.0],[3.8,51.0],[3.8,51.1],[3.7,51.0]]]}}
        ]}"#,
    )
    .unwrap();
    let out = campaign(&db, &["import-boundaries", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("99999") && stderr.contains("feature 2 has no `nis_code` property"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    // A file that covers only some municipalities is refused unless asked for.
    let partial = dir.path().join("gent.geojson");
    std::fs::write(
        &partial,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"nis_code":"44021"},"geometry":{"type":"Polygon","coordinates":[[[3.7,51.0],[3.8,51.0],[3.8,51.1],[3.7,51.0]]]}}
        ]}"#,
    )
    .unwrap();
    let out = campaign(&db, &["import-boundaries", partial.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no boundary for 303 municipalities") && stderr.contains("--allow-partial"),
        "{stderr}"
    );
    let out = campaign(
        &db,
        &["import-boundaries", partial.to_str().unwrap(), "--allow-partial"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported the boundaries of 1 municipalities"));

    let reference = dir.path().join("reference.geojson");
    std::fs::write(&reference, campaign_domain::boundaries::EMBEDDED_2025).unwrap();
    let out = campaign(&db, &["import-boundaries", reference.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported the boundaries of 304 municipalities"));
    assert!(text(&out.stderr).contains("304/304"), "progress is shown");
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campaign.db");
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("CAMPAIGN_LOG_FORMAT", "json")
        .env("CAMPAIGN_JWT_SECRET", "a-secret-for-this-test-that-is-long-enough")
        .env("CAMPAIGN_ADMIN_EMAIL", "Admin@Example.org")
        .env("CAMPAIGN_ADMIN_PASSWORD", "the first staff password")
        // An empty setting means unset, as compose files and Kubernetes manifests write it: no
        // boundary file (the embedded boundaries load), the default limits and pool.
        .env("CAMPAIGN_BOUNDARIES", "")
        .env("CAMPAIGN_CORS_ORIGINS", "")
        .env("CAMPAIGN_WRITE_RATE_LIMIT", "")
        .env("CAMPAIGN_REQUEST_TIMEOUT_SECS", "")
        .env("CAMPAIGN_DB_POOL_SIZE", "")
        .env("CAMPAIGN_BIND", "")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let addr = loop {
        let mut line = String::new();
        if log.read_line(&mut line).unwrap() == 0 {
            panic!("the server exited before listening:\n{}", seen.join(""));
        }
        seen.push(line.clone());
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if event["message"] == "listening" {
            let addr = event["addr"].as_str().unwrap();
            break addr.trim_start_matches("socket://").to_owned();
        }
    };

    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.to_lowercase().contains("x-request-id:"), "{response}");
    assert!(
        response.contains("\"boundaries\":304"),
        "the embedded boundaries were loaded at start-up: {response}"
    );

    // The first staff account came from the environment.
    let login = r#"{"email":"admin@example.org","password":"the first staff password"}"#;
    let response = http(&addr, "POST", "/api/v1/auth/login", None, Some(login));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let token = access_token(&response);
    let lookup = http(
        &addr,
        "GET",
        "/api/v1/municipalities/lookup?lon=3.7210&lat=51.0546",
        Some(&token),
        None,
    );
    assert!(
        lookup.starts_with("HTTP/1.1 200") && lookup.contains("\"44021\""),
        "a fresh installation answers lookups: {lookup}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    log.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "exit status {status:?}; log:\n{rest}");
    assert!(rest.contains("SIGTERM received"), "{rest}");
    assert!(rest.contains("\"stopped\""), "{rest}");
}

fn with_stdin(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_add_takes_the_password_from_stdin_never_argv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("campaign.db");
    let add = |email: &str, extra: &[&str]| {
        let mut command = Command::new(BIN);
        command
            .args(["user", "add", "--email", email, "--name", "An Peeters"])
            .args(extra)
            .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
            .env_remove("CAMPAIGN_USER_PASSWORD");
        command
    };
    let out = with_stdin(add("an@example.org", &[]), "correct horse battery staple\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("created staff account an@example.org"),
        "{}",
        text(&out.stdout)
    );

    let out = with_stdin(add("AN@example.org", &[]), "correct horse battery staple\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("exists already"), "{}", text(&out.stderr));

    let out = with_stdin(add("short@example.org", &[]), "short\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("12 characters"), "{}", text(&out.stderr));

    let out = with_stdin(
        add(
            "gent@example.org",
            &["--role", "municipal_contact", "--municipality-nis", "44021"],
        ),
        "correct horse battery staple\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = with_stdin(
        add(
            "namen@example.org",
            &["--role", "municipal_contact", "--municipality-nis", "92094"],
        ),
        "correct horse battery staple\n",
    );
    assert!(!out.status.success());
    let out = with_stdin(
        add("vol@example.org", &["--role", "volunteer"]),
        "correct horse battery staple\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("group_id"), "{}", text(&out.stderr));
    // A person of Join For Water (a seeded member organisation), and one of no organisation.
    let out = with_stdin(
        add(
            "jfw@example.org",
            &[
                "--role",
                "member_org",
                "--member-org-id",
                "11111111-1111-4111-8111-00000000001b",
            ],
        ),
        "correct horse battery staple\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = with_stdin(
        add(
            "nobody@example.org",
            &[
                "--role",
                "member_org",
                "--member-org-id",
                "11111111-1111-4111-8111-999999999999",
            ],
        ),
        "correct horse battery staple\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("member_org_id"), "{}", text(&out.stderr));

    let help = campaign(&db, &["user", "add", "--help"]);
    assert!(
        !text(&help.stdout).contains("--password"),
        "no password option on the command line"
    );
}

#[test]
fn serve_refuses_a_short_jwt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/c.db?mode=rwc", dir.path().display()),
        )
        .env("CAMPAIGN_JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("at least 32"), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("too-short"),
        "the secret itself is never printed"
    );
}

#[test]
fn serve_demo_loads_the_demo_and_serves_it_with_the_printed_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--demo-entries", "800", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("CAMPAIGN_JWT_SECRET", "a-secret-for-this-test-that-is-long-enough")
        .env_remove("CAMPAIGN_BOUNDARIES")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read the printed lines on a thread, so that a server that never prints fails the test
    // within a minute instead of hanging it.
    let out = BufReader::new(child.stdout.take().unwrap());
    let (lines, printed_lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = String::new();
    while !printed.contains("/thermometer") {
        match printed_lines.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) => printed.push_str(&(line + "\n")),
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not print the demo accounts within 60 s:\n{printed}");
            }
        }
    }
    assert!(printed.contains("800 ledger entries"), "{printed}");
    let addr = printed
        .split("Try http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let password = printed
        .lines()
        .find(|l| l.contains("staff@demo.11.be"))
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap()
        .to_owned();

    let login = format!(r#"{{"email":"staff@demo.11.be","password":"{password}"}}"#);
    let response = http(&addr, "POST", "/api/v1/auth/login", None, Some(&login));
    let placed = response.starts_with("HTTP/1.1 200").then(|| {
        let token = access_token(&response);
        http(&addr, "GET", "/api/v1/activities?limit=50", Some(&token), None)
    });
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "the printed staff password signs in: {response}"
    );
    // Without CAMPAIGN_BOUNDARIES the embedded boundaries were loaded first: the demo's
    // activities have places on the map.
    let placed = placed.unwrap_or_default();
    assert!(
        placed.starts_with("HTTP/1.1 200") && placed.contains("\"lon\""),
        "demo activities have a location: {placed}"
    );
}
