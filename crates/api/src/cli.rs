//! The command line of `campaign`: every setting also comes from its environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "campaign",
    version,
    about = "Backend of 11.11.11's November campaign in Flanders and Brussels",
    long_about = "Backend of 11.11.11's November campaign in Flanders and Brussels.\n\n\
                  Without a command it runs the server (`campaign serve`) on SQLite by default."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: a SQLite file or `postgres://user@host/db` [default: sqlite://campaign.db?mode=rwc,
    /// and sqlite://campaign-demo.db?mode=rwc for the demo]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,

    /// Connections in the database pool
    #[arg(long, env = "CAMPAIGN_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: u32,

    /// Log format: `text` for people, `json` for log collectors (filter with RUST_LOG)
    #[arg(long, env = "CAMPAIGN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://campaign.db?mode=rwc";
/// The SQLite file of the demo when `DATABASE_URL` is not set, so the demo never mixes with
/// the data of `campaign.db`.
pub const DEMO_DATABASE_URL: &str = "sqlite://campaign-demo.db?mode=rwc";

impl GlobalArgs {
    /// The database to open: the configured one, or the default file (the demo's for the demo).
    pub fn database_url(&self, demo: bool) -> &str {
        match (&self.database_url, demo) {
            (Some(url), _) => url,
            (None, false) => DEFAULT_DATABASE_URL,
            (None, true) => DEMO_DATABASE_URL,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first)
    Serve(ServeArgs),
    /// Bring the database schema up to date; running it again is harmless
    Migrate,
    /// Import municipal boundaries from a GeoJSON FeatureCollection (replaces those loaded)
    ImportBoundaries(ImportBoundariesArgs),
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo campaign (this year's and last year's, groups, activities, about 100,000
    /// ledger entries, materials) into an empty database and print the demo accounts; on a
    /// database that holds the demo, give the demo accounts new passwords
    Demo(DemoArgs),
    /// Recompute every total from the ledger; exits non-zero and lists the differences when the
    /// kept totals disagree
    VerifyTotals(VerifyTotalsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Ledger entries to load over the two campaigns
    #[arg(long, env = "CAMPAIGN_DEMO_ENTRIES", default_value_t = 100_000)]
    pub demo_entries: usize,
    /// Seed of the random generator: the same seed loads the same campaign
    #[arg(long, default_value_t = 1111)]
    pub demo_seed: u64,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            demo_entries: 100_000,
            demo_seed: 1111,
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyTotalsArgs {
    /// Replace the kept totals with the recomputation, in one transaction that makes ledger writes
    /// wait meanwhile (safe while servers run)
    #[arg(long)]
    pub repair: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password comes from CAMPAIGN_USER_PASSWORD or the first line of
    /// standard input, never from the command line
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// E-mail address, used to sign in
    #[arg(long)]
    pub email: String,
    /// Display name
    #[arg(long)]
    pub name: String,
    /// staff, volunteer, municipal_contact, member_org or initiative
    #[arg(long, default_value = "staff")]
    pub role: String,
    /// The volunteer's group (volunteers only)
    #[arg(long)]
    pub group_id: Option<String>,
    /// The contact's municipality, a 5-digit NIS code (municipal contacts only)
    #[arg(long)]
    pub municipality_nis: Option<String>,
    /// The member organisation's id (member_org accounts only; GET /api/v1/member-organisations)
    #[arg(long)]
    pub member_org_id: Option<String>,
    /// The initiative's id (initiative accounts only; GET /api/v1/initiatives)
    #[arg(long)]
    pub initiative_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "CAMPAIGN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// GeoJSON file of boundaries to import at start-up when none are loaded (property
    /// `nis_code`); unset, the 2025 boundaries embedded in the binary are loaded
    #[arg(long, env = "CAMPAIGN_BOUNDARIES")]
    pub boundaries: Option<PathBuf>,

    /// Comma-separated origins allowed by CORS, e.g. `https://dashboard.11.be` (none by default)
    #[arg(long, env = "CAMPAIGN_CORS_ORIGINS", value_delimiter = ',', default_value = "")]
    pub cors_origins: Vec<String>,

    /// Seconds after which a request is abandoned with 503
    #[arg(long, env = "CAMPAIGN_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Writes a minute per signed-in user (per client address when anonymous); 0 turns it off
    #[arg(long, env = "CAMPAIGN_WRITE_RATE_LIMIT", default_value_t = 1200)]
    pub write_rate_limit: u32,

    /// Live totals streams one account may keep open (beyond: 429)
    #[arg(long, env = "CAMPAIGN_LIVE_STREAMS_PER_ACCOUNT", default_value_t = 3,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub live_streams_per_account: u16,

    /// Live totals streams the server keeps open in all (beyond: 503)
    #[arg(long, env = "CAMPAIGN_LIVE_STREAMS_TOTAL", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub live_streams_total: u32,

    /// Reads a minute per client address without a valid access token; 0 turns it off
    #[arg(long, env = "CAMPAIGN_READ_RATE_LIMIT", default_value_t = 1200)]
    pub read_rate_limit: u32,

    /// Comma-separated CIDRs of reverse proxies (e.g. `10.0.0.0/8`); the client is the right-most
    /// X-Forwarded-For entry not in them (none by default: proxy headers are ignored)
    #[arg(long, env = "CAMPAIGN_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// No longer read (replaced by CAMPAIGN_TRUSTED_PROXIES); set, it stops start-up
    #[arg(long, env = "CAMPAIGN_CLIENT_IP_HEADER", hide = true)]
    pub client_ip_header: Option<String>,

    /// Load the demo campaign first when the database is empty (campaign-demo.db unless
    /// DATABASE_URL is set), and print the demo accounts
    #[arg(long)]
    pub demo: bool,

    #[command(flatten)]
    pub demo_options: DemoArgs,

    #[command(flatten)]
    pub webhooks: WebhookArgs,

    #[command(flatten)]
    pub digest: DigestArgs,
}

/// How staff's daily digest is mailed.
#[derive(Debug, Clone, Default, Args)]
pub struct DigestArgs {
    /// SMTP server for the daily digest: smtp://host:25, smtp://user:password@host:587?tls=required
    /// or smtps://user:password@host:465; unset, the digest is only at GET /api/v1/digest
    #[arg(long, env = "CAMPAIGN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The digest's sender, e.g. "11.11.11 campagne <campagne@11.be>"
    #[arg(
        long,
        env = "CAMPAIGN_DIGEST_FROM",
        default_value = "11.11.11 campagne <campagne@localhost>"
    )]
    pub digest_from: String,

    /// Comma-separated recipients of the digest (default: every active staff account)
    #[arg(long, env = "CAMPAIGN_DIGEST_TO", value_delimiter = ',')]
    pub digest_to: Vec<String>,

    /// When the digest goes out each day, HH:MM on the Brussels clock
    #[arg(long, env = "CAMPAIGN_DIGEST_AT", default_value = "08:00")]
    pub digest_at: String,
}

/// How webhooks are sent.
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Allow webhook endpoints on loopback, private and link-local addresses, and plain http://
    /// (a receiver on the same network, tests); refused otherwise
    #[arg(long, env = "CAMPAIGN_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub webhook_allow_private: bool,

    /// Deliveries in flight per endpoint at most (over all replicas)
    #[arg(long, env = "CAMPAIGN_WEBHOOK_MAX_IN_FLIGHT", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub webhook_max_in_flight: u32,

    /// Seconds a receiver gets to answer
    #[arg(long, env = "CAMPAIGN_WEBHOOK_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub webhook_timeout_secs: u64,

    /// Seconds before the first retry of a failed delivery (each next wait doubles, at most 2 h,
    /// for 24 h)
    #[arg(long, env = "CAMPAIGN_WEBHOOK_FIRST_RETRY_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=30))]
    pub webhook_first_retry_secs: u32,
}

impl Default for WebhookArgs {
    fn default() -> Self {
        Self {
            webhook_allow_private: false,
            webhook_max_in_flight: 4,
            webhook_timeout_secs: 10,
            webhook_first_retry_secs: 15,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            boundaries: None,
            cors_origins: Vec::new(),
            request_timeout_secs: 30,
            write_rate_limit: 1200,
            live_streams_per_account: 3,
            live_streams_total: 500,
            read_rate_limit: 1200,
            trusted_proxies: String::new(),
            client_ip_header: None,
            demo: false,
            demo_options: DemoArgs::default(),
            webhooks: WebhookArgs::default(),
            digest: DigestArgs::default(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportBoundariesArgs {
    /// GeoJSON FeatureCollection in WGS84 longitude/latitude, one feature per municipality
    pub file: PathBuf,

    /// Feature property that holds the 5-digit NIS code
    #[arg(long, default_value = campaign_domain::boundaries::DEFAULT_CODE_PROPERTY)]
    pub code_property: String,

    /// Accept a file that leaves municipalities of the registry without boundary (their points
    /// then resolve to no municipality); without it such a file is refused, listing them
    #[arg(long)]
    pub allow_partial: bool,
}

impl Cli {
    /// Parses the command line and the environment, an empty environment variable counting as
    /// unset (as compose files and Kubernetes manifests write an unset setting).
    pub fn parse_with_env() -> Self {
        Self::parse_from_with_env(std::env::args_os())
    }

    pub fn parse_from_with_env<I, T>(args: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = without_empty_env(Self::command());
        let parsed = command
            .try_get_matches_from_mut(args)
            .and_then(|matches| Self::from_arg_matches(&matches));
        match parsed {
            Ok(cli) => cli,
            Err(e) => e.format(&mut command).exit(),
        }
    }
}

/// Drops the environment binding of every argument whose variable is set but empty, in the
/// command and all its subcommands, so the default applies.
fn without_empty_env(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| {
            let empty = arg
                .get_env()
                .and_then(std::env::var_os)
                .is_some_and(|value| value.to_string_lossy().trim().is_empty());
            if empty { arg.env(None) } else { arg }
        })
        .mut_subcommands(without_empty_env)
}

/// An environment variable, empty or blank counting as unset.
pub fn env_setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Shows a database URL without its password, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/campaign"),
            "postgres://app:***@db:5432/campaign"
        );
        assert_eq!(redact_url("postgres://app@db/campaign"), "postgres://app@db/campaign");
        assert_eq!(
            redact_url("sqlite://campaign.db?mode=rwc"),
            "sqlite://campaign.db?mode=rwc"
        );
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
