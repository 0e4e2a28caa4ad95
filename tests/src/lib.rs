//! Test harness: the real application (real router, real migrations) on a fresh database per
//! test, SQLite or PostgreSQL.
//!
//! PostgreSQL comes from `CAMPAIGN_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test gets a database of its own, dropped
//! afterwards. When PostgreSQL is unreachable the PostgreSQL half of each test is skipped with a
//! printed reason, except under `CI=true`, where it fails.
#![expect(clippy::expect_used, clippy::panic, reason = "a test whose set-up fails must stop")]

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

use campaign_api::auth::AuthState;
use campaign_api::http::TrustedProxies;
use campaign_api::{AppState, HttpSettings, WebhookSettings, WebhookWorker};
use campaign_domain::boundaries::{Boundary, DEFAULT_CODE_PROPERTY, EMBEDDED_2025, parse_feature_collection};
use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::{Email, Membership, PersonName};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::users::{NewUser, UserRepo};
use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::test::TestClient;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, EndpointExt, IntoResponse, Request, RequestParts, Response};
use sea_orm::{ConnectionTrait, Database};

pub use campaign_persistence::Backend;

pub mod browser;
pub mod site;
pub mod smtp_receiver;
pub mod webhook_receiver;
pub mod wire;

/// Every totals endpoint, `{year}` standing for the campaign year (the benchmarks measure them all),
/// and the municipality overview (a portal's home page: totals, groups, activities, requests,
/// programmes and questions in one answer).
pub const TOTALS_ENDPOINTS: [&str; 11] = [
    "/api/v1/campaigns/{year}/totals",
    "/api/v1/campaigns/{year}/totals/by/province",
    "/api/v1/campaigns/{year}/totals/by/municipality",
    "/api/v1/campaigns/{year}/totals/by/group",
    "/api/v1/campaigns/{year}/totals/by/product",
    "/api/v1/campaigns/{year}/totals/by/payment_method",
    "/api/v1/campaigns/{year}/totals/by/day",
    "/api/v1/campaigns/{year}/pacing",
    "/api/v1/campaigns/{year}/map",
    "/api/v1/public/campaigns/{year}/thermometer",
    "/api/v1/municipalities/44021/overview?campaign_year={year}",
];

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The JWT secret of the application under test, so tests can forge tokens on purpose.
pub const TEST_JWT_SECRET: &[u8] = b"test-secret-of-at-least-thirty-two-bytes!";
/// The password of every account the harness creates.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Runs one async test body against SQLite and against PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await;
            }
        }
    )+};
}

/// A database that exists for one test only.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[expect(dead_code, reason = "held so the directory lives as long as the database")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh, empty database; `None` when PostgreSQL is unreachable outside CI.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/campaign.db?mode=rwc", dir.path().display());
                Some(Self {
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let admin_url =
                    std::env::var("CAMPAIGN_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
                let admin = match Database::connect(admin_url.as_str()).await {
                    Ok(admin) => admin,
                    Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                        panic!("PostgreSQL at {admin_url} is unreachable and CI=true, so this test fails: {e}")
                    }
                    Err(e) => {
                        eprintln!("skipping the PostgreSQL half of this test: {admin_url} is unreachable ({e})");
                        return None;
                    }
                };
                let name = format!("campaign_test_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("CREATE DATABASE for the test");
                admin.close().await.ok();
                let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
                let url = format!("{base}/{name}");
                Some(Self {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime: use a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Database::connect(admin_url.as_str()).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop a test database; `DROP DATABASE` the campaign_test_* databases by hand");
        }
    }
}

/// A signed-in account of the application under test.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: uuid::Uuid,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Session {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.access_token)
    }
}

/// The application under test with its own database, and a staff account signed in.
pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static>>,
    pub db: DatabaseConnection,
    pub backend: Backend,
    pub staff: Session,
    pub database: TestDatabase,
    /// The application's state, to serve it over a real socket as well (browser tests).
    pub state: AppState,
}

/// How to start the application under test.
#[derive(Default)]
pub struct TestOptions {
    pub http: HttpSettings,
    /// Load the embedded boundaries before the application starts.
    pub boundaries: bool,
    /// The reverse proxies whose `X-Forwarded-For` the application believes.
    pub trusted_proxies: TrustedProxies,
    /// How webhooks are sent (private addresses refused by default, as in production).
    pub webhooks: WebhookSettings,
}

impl TestApp {
    /// The application with default settings and no boundaries; `None` means skipped.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, TestOptions::default()).await
    }

    /// The application with the embedded boundaries loaded; `None` means skipped (no
    /// PostgreSQL outside CI).
    pub async fn with_boundaries(backend: Backend) -> Option<Self> {
        Self::start_with(
            backend,
            TestOptions {
                boundaries: true,
                ..TestOptions::default()
            },
        )
        .await
    }

    pub async fn start_with(backend: Backend, options: TestOptions) -> Option<Self> {
        let database = TestDatabase::create(backend).await?;
        let db = campaign_persistence::connect(&database.url, 5)
            .await
            .expect("connect to the test database");
        campaign_persistence::migrate(&db).await.expect("migrations");
        if options.boundaries {
            let boundaries = reference_boundaries();
            MunicipalityRepo::new(db.clone())
                .replace_boundaries(boundaries, &AuditContext::default(), |_, _| {})
                .await
                .expect("store the reference boundaries");
        }
        let auth = AuthState::new(TEST_JWT_SECRET, options.trusted_proxies).expect("auth state");
        let mut state = AppState::load(db.clone(), options.http, auth)
            .await
            .expect("application state");
        state.webhooks = options.webhooks;
        let client = TestClient::new(campaign_api::app(state.clone()).around(from_test_peer).boxed());
        let mut app = Self {
            client,
            db,
            backend,
            staff: placeholder_session(),
            database,
            state,
        };
        app.staff = app.sign_in_new(Membership::Staff).await;
        Some(app)
    }

    /// Creates an account with this role and scope (straight in the database) and signs it in.
    pub async fn sign_in_new(&self, membership: Membership) -> Session {
        let email = format!(
            "{}-{}@example.org",
            membership.role().as_str(),
            uuid::Uuid::new_v4().simple()
        );
        let hash = campaign_api::auth::Passwords::new()
            .expect("argon2")
            .hash(TEST_PASSWORD.to_owned())
            .await
            .expect("hash");
        let user = NewUser {
            email: Email::parse(&email).expect("email"),
            name: PersonName::parse("Test person").expect("name"),
            membership,
            password_hash: hash,
        };
        UserRepo::new(self.db.clone())
            .create(user, &AuditContext::default())
            .await
            .expect("create the account");
        self.sign_in(&email, TEST_PASSWORD).await.expect("sign in")
    }

    /// Creates a volunteer group in this municipality (straight in the database).
    pub async fn new_group(&self, nis: &str) -> GroupId {
        let nis = NisCode::parse(nis).expect("a NIS code");
        GroupRepo::new(self.db.clone())
            .create(
                format!("Comité {}", uuid::Uuid::new_v4().simple()),
                nis,
                &AuditContext::default(),
            )
            .await
            .expect("create a group")
            .id
    }

    /// A second server on the same database, as another process would be: its own pool, its
    /// own copies kept in memory and its own listening connection.
    pub async fn second_server(&self) -> TestClient<BoxEndpoint<'static>> {
        let db = campaign_persistence::connect(&self.database.url, 3)
            .await
            .expect("connect the second server");
        let auth = AuthState::new(TEST_JWT_SECRET, TrustedProxies::default()).expect("auth state");
        let state = AppState::load(db, HttpSettings::default(), auth)
            .await
            .expect("load the second server");
        TestClient::new(campaign_api::app(state).boxed())
    }

    /// The webhook worker of this application, for a test to run its rounds.
    pub fn webhook_worker(&self) -> WebhookWorker {
        WebhookWorker::new(self.db.clone(), self.state.webhooks).expect("the webhook worker")
    }

    /// A municipal contact of this municipality, signed in.
    pub async fn new_contact(&self, nis: &str) -> Session {
        let municipality = NisCode::parse(nis).expect("a NIS code");
        self.sign_in_new(Membership::MunicipalContact { municipality }).await
    }

    /// A `member_org` account of this member organisation, signed in.
    pub async fn new_member_org(&self, organisation: uuid::Uuid) -> Session {
        let organisation = campaign_domain::ids::MemberOrgId::from_uuid(organisation);
        self.sign_in_new(Membership::MemberOrg { organisation }).await
    }

    /// An account of this 4th-pillar initiative, signed in.
    pub async fn new_initiative_account(&self, initiative: uuid::Uuid) -> Session {
        let initiative = campaign_domain::ids::InitiativeId::from_uuid(initiative);
        self.sign_in_new(Membership::Initiative { initiative }).await
    }

    /// A new group in Gent with a volunteer of it signed in.
    pub async fn new_volunteer(&self) -> (GroupId, Session) {
        let group = self.new_group("44021").await;
        (group, self.sign_in_new(Membership::Volunteer { group }).await)
    }

    /// Signs in through the API; `None` when the answer is not 200.
    pub async fn sign_in(&self, email: &str, password: &str) -> Option<Session> {
        let resp = self
            .client
            .post("/api/v1/auth/login")
            .body_json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await;
        if resp.0.status() != poem::http::StatusCode::OK {
            return None;
        }
        let body: serde_json::Value = resp.0.into_body().into_json().await.expect("token pair");
        let me = self
            .client
            .get("/api/v1/me")
            .header("authorization", format!("Bearer {}", body["access_token"].as_str()?))
            .send()
            .await;
        let me: serde_json::Value = me.0.into_body().into_json().await.expect("me");
        Some(Session {
            user_id: me["id"].as_str()?.parse().ok()?,
            email: email.to_owned(),
            access_token: body["access_token"].as_str()?.to_owned(),
            refresh_token: body["refresh_token"].as_str()?.to_owned(),
        })
    }
}

/// The boundaries embedded in the binary (2025, Statbel), parsed once per test process.
pub fn reference_boundaries() -> &'static [Boundary] {
    static PARSED: OnceLock<Vec<Boundary>> = OnceLock::new();
    PARSED.get_or_init(|| {
        parse_feature_collection(
            EMBEDDED_2025,
            DEFAULT_CODE_PROPERTY,
            |c| c.province().is_some(),
            |_, _| {},
        )
        .expect("the embedded boundaries are valid")
    })
}

/// The header with which a test says from which address its request comes (the connection's
/// peer); without it, requests come from `DEFAULT_TEST_PEER`.
pub const TEST_PEER_HEADER: &str = "x-test-peer";
pub const DEFAULT_TEST_PEER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

/// Gives the in-process request the peer address a socket would have given it.
async fn from_test_peer<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let peer = req
        .headers()
        .get(TEST_PEER_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.parse::<IpAddr>().expect("x-test-peer is an IP address"))
        .unwrap_or(DEFAULT_TEST_PEER);
    let (parts, body) = req.into_parts();
    let (mut head, ()) = poem::http::Request::new(()).into_parts();
    head.method = parts.method;
    head.uri = parts.uri;
    head.version = parts.version;
    head.headers = parts.headers;
    head.extensions = parts.extensions;
    let parts = RequestParts::from((
        head,
        LocalAddr(Addr::SocketAddr(SocketAddr::from(([127, 0, 0, 1], 8080)))),
        RemoteAddr(Addr::SocketAddr(SocketAddr::new(peer, 40_000))),
        Scheme::HTTP,
    ));
    next.call(Request::from_parts(parts, body))
        .await
        .map(IntoResponse::into_response)
}

fn placeholder_session() -> Session {
    Session {
        user_id: uuid::Uuid::nil(),
        email: String::new(),
        access_token: String::new(),
        refresh_token: String::new(),
    }
}
