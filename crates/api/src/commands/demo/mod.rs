//! `campaign demo` and `serve --demo`: a realistic campaign to look around in — this year's and
//! last year's, a few hundred groups over the municipalities, their activities, about 100,000
//! ledger entries, materials and requests in every state, engagement programmes for a few dozen
//! municipalities, questions to 11.11.11 in every state — and one account per role.
//!
//! It only loads into a fresh database: no campaigns, groups, activities, entries or materials,
//! and no account but a first staff account. On a database that holds the demo already it gives
//! the demo accounts new passwords instead (revoking their refresh tokens), so that every start
//! prints accounts that work.

mod calendar;
mod deposits;
mod engagements;
mod fourth_pillar;
mod generate;
mod load;
mod materials;
mod names;
mod offers;
mod questions;
mod webhooks;

use std::time::Instant;

use anyhow::{Context, bail};
use campaign_domain::engagement::EngagementStatus;
use campaign_domain::inquiry::InquiryStatus;
use campaign_domain::material::RequestStatus;
use campaign_domain::question::QuestionStatus;
use campaign_domain::user::{Email, Role};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::settings::SettingsRepo;
use campaign_persistence::users::{UserChanges, UserRepo};

use crate::auth::Passwords;

/// Marks a database that holds the demo.
const LOADED_KEY: &str = "demo.loaded_at";
/// Marks a database into which the demo started to load (it stays when a load is interrupted).
const LOADING_KEY: &str = "demo.loading_since";

/// What to load.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Ledger entries over both campaigns.
    pub entries: usize,
    /// The same seed loads the same campaign (ids and times of loading aside).
    pub seed: u64,
}

/// A demo account to sign in with.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub scope: String,
}

/// What was loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub years: Vec<i32>,
    pub groups: usize,
    pub activities: usize,
    pub entries: usize,
    pub corrections: usize,
    pub requests: Vec<(RequestStatus, usize)>,
    /// Municipalities per programme status reached (both programmes together).
    pub engagements: Vec<(EngagementStatus, usize)>,
    /// Questions to 11.11.11 per status.
    pub questions: Vec<(QuestionStatus, usize)>,
    /// Inquiries about the member organisations' offers per status.
    pub inquiries: Vec<(InquiryStatus, usize)>,
    /// Initiatives, referrals and fund applications.
    pub fourth_pillar: fourth_pillar::Loaded,
    /// Cash deposits (matched, short, over, closed).
    pub deposits: usize,
    /// Deliveries in the log of the demo's webhook endpoint.
    pub webhook_deliveries: usize,
    pub seconds: f64,
}

/// The accounts, and what was loaded (`None` when the demo was there already).
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub accounts: Vec<DemoAccount>,
    pub loaded: Option<Loaded>,
}

/// Loads the demo into an empty database, or refreshes the demo accounts' passwords.
pub async fn load_or_refresh(
    db: &DatabaseConnection,
    passwords: &Passwords,
    options: DemoOptions,
) -> anyhow::Result<DemoReport> {
    let settings = SettingsRepo::new(db.clone());
    if settings.get(LOADED_KEY).await?.is_some() {
        tracing::info!("the demo is loaded already; giving its accounts new passwords");
        let accounts = refresh_passwords(db, passwords).await?;
        return Ok(DemoReport { accounts, loaded: None });
    }
    if let Some(started) = settings.get(LOADING_KEY).await? {
        bail!(
            "a demo load started at {started} did not finish; the demo loads only into a fresh \
             database: delete campaign-demo.db (or drop the database) and start again"
        );
    }
    if let Some(what) = campaign_persistence::inventory::first_data(db).await? {
        bail!(
            "this database holds {what}: the demo loads only into a fresh database, never next to \
             real data (leave DATABASE_URL unset for campaign-demo.db, or point it at a new database)"
        );
    }
    settings
        .set(LOADING_KEY, chrono::Utc::now().to_rfc3339())
        .await
        .context("marking the database as being loaded with the demo")?;
    let started = Instant::now();
    let (accounts, mut loaded) = load::load(db, passwords, options).await?;
    loaded.seconds = started.elapsed().as_secs_f64();
    settings
        .set(LOADED_KEY, chrono::Utc::now().to_rfc3339())
        .await
        .context("marking the database as holding the demo")?;
    Ok(DemoReport {
        accounts,
        loaded: Some(loaded),
    })
}

/// A password nobody has to type twice: 20 random hexadecimal characters.
fn new_password() -> String {
    let mut password = uuid::Uuid::new_v4().simple().to_string();
    password.truncate(20);
    password
}

async fn refresh_passwords(db: &DatabaseConnection, passwords: &Passwords) -> anyhow::Result<Vec<DemoAccount>> {
    let users = UserRepo::new(db.clone());
    let mut accounts = Vec::new();
    for email in load::DEMO_EMAILS {
        let Some(user) = users.by_email(&Email::parse(email)?).await? else {
            tracing::warn!(email, "a demo account is missing");
            continue;
        };
        let password = new_password();
        let changes = UserChanges {
            password_hash: Some(passwords.hash(password.clone()).await?),
            ..UserChanges::default()
        };
        users.update(user.id, changes, &AuditContext::default()).await?;
        accounts.push(DemoAccount {
            role: user.membership.role(),
            email: email.to_owned(),
            password,
            scope: load::scope_of(db, &user.membership).await?,
        });
    }
    Ok(accounts)
}

/// The report for people: what was loaded, and how to sign in.
pub fn render(report: &DemoReport, base_url: &str) -> String {
    let mut out = String::new();
    if let Some(loaded) = &report.loaded {
        out.push_str(&format!(
            "Demo campaign loaded in {:.1} s: campaigns {:?}, {} groups, {} activities, {} ledger entries \
             ({} corrected), material requests {}, programme engagements {}, questions {}, inquiries {}; \
             {} initiatives ({} referred by municipalities), fund applications {}; {} cash deposits; \
             a webhook endpoint with {} deliveries in its log.\n",
            loaded.seconds,
            loaded.years,
            loaded.groups,
            loaded.activities,
            loaded.entries,
            loaded.corrections,
            loaded
                .requests
                .iter()
                .map(|(status, n)| format!("{} {n}", status.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            loaded
                .engagements
                .iter()
                .map(|(status, n)| format!("{} {n}", status.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            loaded
                .questions
                .iter()
                .map(|(status, n)| format!("{} {n}", status.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            loaded
                .inquiries
                .iter()
                .map(|(status, n)| format!("{} {n}", status.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            loaded.fourth_pillar.initiatives,
            loaded.fourth_pillar.referrals,
            loaded
                .fourth_pillar
                .applications
                .iter()
                .map(|(status, n)| format!("{} {n}", status.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            loaded.deposits,
            loaded.webhook_deliveries,
        ));
    } else {
        out.push_str("The demo campaign is loaded already; its accounts have new passwords.\n");
    }
    out.push_str("\nDemo accounts (sign in on the page /login, or with POST /api/v1/auth/login):\n");
    for account in &report.accounts {
        out.push_str(&format!(
            "  {:<18} {:<24} password {}   {}\n",
            account.role.as_str(),
            account.email,
            account.password,
            account.scope
        ));
    }
    out.push_str(&format!(
        "\nTry {base_url}/ in a browser (each account has its page after signing in at {base_url}/login),\n{base_url}/docs for the API, or\n  curl -s {base_url}/api/v1/public/campaigns/{}/thermometer\n",
        calendar::current_year(campaign_domain::ledger::local_date(chrono::Utc::now()))
    ));
    out
}
