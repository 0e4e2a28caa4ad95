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
    /// Database: a SQLite file (`sqlite://campaign.db?mode=rwc`) or `postgres://user@host/db`
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://campaign.db?mode=rwc",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Connections in the database pool
    #[arg(long, env = "CAMPAIGN_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: u32,

    /// Log format: `text` for people, `json` for log collectors (filter with RUST_LOG)
    #[arg(long, env = "CAMPAIGN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
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
    /// Recompute every total from the ledger; exits non-zero and lists the differences when the
    /// kept totals disagree
    VerifyTotals(VerifyTotalsArgs),
}

#[derive(Debug, Args)]
pub struct VerifyTotalsArgs {
    /// Replace the kept totals with the recomputation (after reading the differences)
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
    /// staff, volunteer or municipal_contact
    #[arg(long, default_value = "staff")]
    pub role: String,
    /// The volunteer's group (volunteers only)
    #[arg(long)]
    pub group_id: Option<String>,
    /// The contact's municipality, a 5-digit NIS code (municipal contacts only)
    #[arg(long)]
    pub municipality_nis: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "CAMPAIGN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// GeoJSON file of boundaries to import at start-up when none are loaded
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

    /// Header with the client's address, set by a trusted reverse proxy (e.g. `x-forwarded-for`)
    #[arg(long, env = "CAMPAIGN_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            boundaries: None,
            cors_origins: Vec::new(),
            request_timeout_secs: 30,
            client_ip_header: None,
            write_rate_limit: 1200,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportBoundariesArgs {
    /// GeoJSON FeatureCollection in WGS84 longitude/latitude, one feature per municipality
    pub file: PathBuf,

    /// Feature property that holds the 5-digit NIS code
    #[arg(long, default_value = "nis_code")]
    pub code_property: String,
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
