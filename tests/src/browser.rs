//! A real browser for the page tests: Debian's headless Chromium driven over WebDriver
//! (chromedriver), one browser with a fresh profile per test.
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` (`CAMPAIGN_TEST_CHROMIUM`,
//! `CAMPAIGN_TEST_CHROMEDRIVER` name others) the browser tests are skipped with a printed reason,
//! except under `CI=true`, where they fail. Each journey leaves a screenshot of its end in
//! `target/browser-artefacts/`.
#![expect(clippy::expect_used, clippy::panic, reason = "a test whose set-up fails must stop")]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a journey waits for the page to show what it expects.
pub const PATIENCE: Duration = Duration::from_secs(15);

const AXE_SOURCE: &str = include_str!("../browser/vendor/axe-core-4.14.1/axe.min.js");

/// The screen a page is looked at on.
#[derive(Clone, Copy)]
pub enum Screen {
    /// 390×844, touch, as a recent phone.
    Phone,
    /// 1280×900.
    Desktop,
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn program(var: &str, default: &str) -> Option<String> {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    std::path::Path::new(&path).exists().then_some(path)
}

impl Browser {
    /// A new headless Chromium; `None` (with a printed reason) when it is not installed outside CI.
    pub async fn start(screen: Screen) -> Option<Self> {
        let chromium = program("CAMPAIGN_TEST_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = program("CAMPAIGN_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            let reason = "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{reason}, and CI=true, so this browser test fails");
            }
            eprintln!("skipping this browser test: {reason}");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--no-first-run".to_owned(),
            "--lang=nl-BE".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut options = json!({ "binary": chromium, "prefs": { "intl.accept_languages": "nl-BE,nl" } });
        match screen {
            Screen::Phone => {
                options["mobileEmulation"] = json!({
                    "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0, "touch": true }
                });
                args.push("--window-size=390,844".to_owned());
            }
            Screen::Desktop => args.push("--window-size=1280,900".to_owned()),
        }
        options["args"] = json!(args);
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".to_owned(), options);
        caps.insert("goog:loggingPrefs".to_owned(), json!({ "browser": "ALL" }));
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                // chromedriver needs a moment before it listens.
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::task::yield_now().await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("could not start a Chromium session: {e}"),
            }
        };
        Some(Self {
            client,
            driver,
            _profile: profile,
        })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
    }

    /// Loads the page again.
    pub async fn refresh_page(&self) {
        self.client.refresh().await.expect("reload the page");
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}` appeared within {PATIENCE:?}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("could not click `{css}`: {e}"));
    }

    /// Types `text` into the field `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear the field");
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("could not type into `{css}`: {e}"));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` (a function body answering a value) answers something truthy, and
    /// answers it; fails with `what` after PATIENCE.
    pub async fn wait_until(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.client.execute(script, vec![]).await.unwrap_or(Value::Null);
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if started.elapsed() > PATIENCE {
                let slug: String = what
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                let shot = self.screenshot(&format!("timed-out-{slug}")).await;
                panic!(
                    "waited {PATIENCE:?} for {what}; last answer {value}; screenshot {}",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("read the text")
    }

    /// Keeps a screenshot in `target/browser-artefacts/<name>.png` and answers its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = artefacts_dir();
        std::fs::create_dir_all(&dir).expect("the artefacts directory");
        let path = dir.join(format!("{name}.png"));
        if let Ok(png) = self.client.screenshot().await {
            std::fs::write(&path, png).expect("write the screenshot");
        }
        path
    }

    /// Runs axe-core on the page and answers its serious and critical violations.
    pub async fn accessibility_violations(&self) -> Vec<Value> {
        self.client
            .execute(&format!("{AXE_SOURCE}\n;return true;"), vec![])
            .await
            .expect("load axe-core into the page");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then((r) => done(r.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }))))
              .catch((e) => done([{ id: 'axe-failed', help: String(e) }]));
        "#;
        let found = self.client.execute_async(script, vec![]).await.expect("run axe-core");
        found.as_array().cloned().unwrap_or_default()
    }

    /// Fails when axe-core finds a serious or critical accessibility problem.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "{page}: serious or critical accessibility violations: {}",
            serde_json::to_string_pretty(&violations).unwrap_or_default()
        );
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// Where screenshots go: `target/browser-artefacts` (or `$CARGO_TARGET_DIR/browser-artefacts`).
pub fn artefacts_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("browser-artefacts")
}
