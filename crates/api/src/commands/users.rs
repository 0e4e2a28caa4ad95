//! Accounts from the command line: `campaign user add`, and the first staff account from
//! `CAMPAIGN_ADMIN_EMAIL` / `CAMPAIGN_ADMIN_PASSWORD` at start-up.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use campaign_domain::ids::{GroupId, InitiativeId, MemberOrgId};
use campaign_domain::municipality::NisCode;
use campaign_domain::user::{Email, Membership, NewPassword, PersonName, Role, ScopeFields};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::users::{NewUser, StoredUser, UserRepo};

use crate::auth::Passwords;
use crate::cli::UserAddArgs;

/// Creates the first staff account from the environment when no staff account exists.
pub async fn ensure_first_staff(db: &DatabaseConnection, passwords: &Passwords) -> anyhow::Result<()> {
    let email = crate::cli::env_setting("CAMPAIGN_ADMIN_EMAIL");
    let password = crate::cli::env_setting("CAMPAIGN_ADMIN_PASSWORD");
    let (email, password) = match (email, password) {
        (None, None) => return Ok(()),
        (Some(email), Some(password)) => (email, password),
        _ => bail!("set both CAMPAIGN_ADMIN_EMAIL and CAMPAIGN_ADMIN_PASSWORD, or neither"),
    };
    let email = Email::parse(&email).context("CAMPAIGN_ADMIN_EMAIL")?;
    let password = NewPassword::parse(&password).context("CAMPAIGN_ADMIN_PASSWORD")?;
    let name = PersonName::parse("Campaign staff")?;
    let password_hash = passwords.hash(password.expose().to_owned()).await?;
    let user = NewUser {
        email,
        name,
        membership: Membership::Staff,
        password_hash,
    };
    if UserRepo::new(db.clone())
        .create_first_staff(user, &AuditContext::default())
        .await?
    {
        tracing::info!("created the first staff account from CAMPAIGN_ADMIN_EMAIL");
    }
    Ok(())
}

/// `campaign user add`: the password from `CAMPAIGN_USER_PASSWORD` or standard input.
pub async fn add_user(db: &DatabaseConnection, args: &UserAddArgs) -> anyhow::Result<StoredUser> {
    let email = Email::parse(&args.email)?;
    let name = PersonName::parse(&args.name)?;
    let role = Role::parse(&args.role)?;
    let group = args
        .group_id
        .as_deref()
        .map(|g| GroupId::parse_field("group_id", g))
        .transpose()?;
    let municipality = args.municipality_nis.as_deref().map(NisCode::parse).transpose()?;
    let member_org = args
        .member_org_id
        .as_deref()
        .map(|o| MemberOrgId::parse_field("member_org_id", o))
        .transpose()?;
    let initiative = args
        .initiative_id
        .as_deref()
        .map(|i| InitiativeId::parse_field("initiative_id", i))
        .transpose()?;
    let membership = Membership::new(
        role,
        ScopeFields {
            group,
            municipality,
            member_org,
            initiative,
        },
    )?;
    if let Some(nis) = membership.municipality()
        && MunicipalityRepo::new(db.clone()).get(nis).await?.is_none()
    {
        bail!("{nis} is not a municipality of Flanders or Brussels");
    }
    let password = match std::env::var("CAMPAIGN_USER_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => read_password_line()?,
    };
    let password = NewPassword::parse(&password)?;
    let password_hash = Passwords::new()?.hash(password.expose().to_owned()).await?;
    let user = NewUser {
        email,
        name,
        membership,
        password_hash,
    };
    Ok(UserRepo::new(db.clone()).create(user, &AuditContext::default()).await?)
}

fn read_password_line() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (at least 12 characters): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password given: pipe it on standard input or set CAMPAIGN_USER_PASSWORD");
    }
    Ok(password)
}
