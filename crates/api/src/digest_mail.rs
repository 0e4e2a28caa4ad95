//! The daily digest by e-mail: every morning at 08:00 Brussels (`CAMPAIGN_DIGEST_AT`) one server
//! process claims the day in the database and mails the digest to every active staff account
//! (or to `CAMPAIGN_DIGEST_TO`) through SMTP (`CAMPAIGN_SMTP_URL`), in one message with every
//! recipient in Bcc; a failed sending is tried again every 10 minutes for about 8 hours. Without SMTP settings the digest is only at
//! `GET /digest`.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Context;
use campaign_domain::ledger::local_date;
use campaign_domain::user::Role;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::digest::DigestRepo;
use campaign_persistence::users::{UserFilter, UserRepo};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Europe::Brussels;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::routes::digest::{DigestAsk, DigestOut, compose};

/// How the digest is mailed.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:25`, `smtp://user:password@host:587?tls=required`, `smtps://host:465`.
    pub smtp_url: String,
    pub from: Mailbox,
    /// The recipients; empty: every active staff account.
    pub to: Vec<Mailbox>,
    /// When (Europe/Brussels) the digest goes out.
    pub send_at: NaiveTime,
}

/// Attempts at one day's sending before it is given up (the digest stays at `GET /digest`): a
/// claim lapses after 10 minutes, so a day is tried for about 8 hours.
const MAX_ATTEMPTS: i32 = 48;
/// How long a claim on a day's sending holds before another process may try again.
const CLAIM_FOR: chrono::Duration = chrono::Duration::minutes(10);

pub struct DigestMailer {
    db: DatabaseConnection,
    settings: MailSettings,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// Who claims a day: host and process, for the record.
    me: String,
}

impl DigestMailer {
    pub fn new(db: DatabaseConnection, settings: MailSettings) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .context("CAMPAIGN_SMTP_URL is not an SMTP URL (smtp://host:port, smtps://host:465)")?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let me = format!(
            "{}:{}:{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "campaign".to_owned()),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(Self {
            db,
            settings,
            transport,
            me,
        })
    }

    /// Runs until the process ends: a look at the clock every minute.
    pub async fn run(self) {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = self.tick(Utc::now()).await {
                tracing::warn!(error = %format!("{e:#}"), "the daily digest could not be sent; it is tried again");
            }
        }
    }

    /// At `now`: when it is past the sending time and this process wins today's claim, mails the
    /// digest. The number of recipients it went to; `None` when it was not this process's turn.
    pub async fn tick(&self, now: DateTime<Utc>) -> anyhow::Result<Option<usize>> {
        let local = now.with_timezone(&Brussels);
        if local.time() < self.settings.send_at {
            return Ok(None);
        }
        let day = local_date(now);
        let runs = DigestRepo::new(self.db.clone());
        if !runs
            .claim_day(day, &self.me, now, now + CLAIM_FOR, MAX_ATTEMPTS)
            .await?
        {
            return Ok(None);
        }
        let sent = self.send(now).await;
        match &sent {
            Ok(recipients) => {
                runs.record_day(
                    day,
                    &self.me,
                    Some(now),
                    i32::try_from(*recipients).unwrap_or(i32::MAX),
                    None,
                )
                .await?;
                tracing::info!(%day, recipients, "daily digest mailed");
            }
            Err(e) => runs.record_day(day, &self.me, None, 0, Some(format!("{e:#}"))).await?,
        }
        sent.map(Some)
    }

    async fn send(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let digest = compose(&self.db, DigestAsk::at(now))
            .await
            .context("composing the digest")?;
        let recipients = if self.settings.to.is_empty() {
            staff_mailboxes(&self.db).await?
        } else {
            self.settings.to.clone()
        };
        if recipients.is_empty() {
            anyhow::bail!("no recipients: no active staff account has an e-mail address (set CAMPAIGN_DIGEST_TO)");
        }
        let (subject, body) = render(&digest);
        // One message, every recipient in Bcc: it goes to all or (on a failure) to none, so a
        // retry never mails anyone twice, and no one sees the others' addresses.
        let mut message = Message::builder()
            .from(self.settings.from.clone())
            .to(self.settings.from.clone())
            .subject(subject);
        for to in &recipients {
            message = message.bcc(to.clone());
        }
        let message = message.body(body).context("building the digest's e-mail")?;
        self.transport.send(message).await.context("sending the digest")?;
        Ok(recipients.len())
    }
}

/// Every active staff account's address.
async fn staff_mailboxes(db: &DatabaseConnection) -> anyhow::Result<Vec<Mailbox>> {
    let filter = UserFilter {
        role: Some(Role::Staff),
        ..UserFilter::default()
    };
    Ok(UserRepo::new(db.clone())
        .list(&filter, 10_000)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .filter_map(|u| match u.email.parse() {
            Ok(address) => Some(Mailbox::new(Some(u.name.clone()), address)),
            Err(e) => {
                tracing::warn!(user = %u.id, error = %e, "a staff account's address cannot receive the digest");
                None
            }
        })
        .collect())
}

/// One section of the e-mail: its title with a count, and at most 20 lines.
fn list(b: &mut String, title: &str, lines: Vec<String>) {
    let _ = writeln!(b, "{title}: {}", lines.len());
    for line in lines.iter().take(20) {
        let _ = writeln!(b, "  - {line}");
    }
    if lines.len() > 20 {
        let _ = writeln!(b, "  … en {} meer (zie de pagina)", lines.len() - 20);
    }
    let _ = writeln!(b);
}

/// The digest as a plain-text e-mail in Dutch: its subject and body.
pub fn render(d: &DigestOut) -> (String, String) {
    let waiting = d.requests_waiting.len()
        + d.deliveries_due.len()
        + d.returns_overdue.len()
        + d.unanswered_questions.len()
        + d.disabled_webhooks.len();
    let subject = format!(
        "Campagne: wat vandaag wacht ({}, {waiting} punten)",
        d.date.format("%d-%m-%Y")
    );
    let mut b = String::new();
    let _ = writeln!(
        b,
        "Goedemorgen,\n\nDit wacht vandaag ({}) op jullie.\n",
        d.date.format("%d-%m-%Y")
    );
    list(
        &mut b,
        "Materiaalaanvragen om goed te keuren",
        d.requests_waiting
            .iter()
            .map(|r| {
                format!(
                    "{} ({}), nodig op {}",
                    r.municipality_name,
                    r.municipality_nis,
                    r.needed_by.format("%d-%m")
                )
            })
            .collect(),
    );
    list(
        &mut b,
        "Leveringen binnen 3 dagen (nog niet verzonden)",
        d.deliveries_due
            .iter()
            .map(|r| format!("{}, nodig op {}", r.municipality_name, r.needed_by.format("%d-%m")))
            .collect(),
    );
    list(
        &mut b,
        "Uitgeleend materiaal te laat terug",
        d.returns_overdue
            .iter()
            .map(|r| {
                format!(
                    "{}: {} (terug op {})",
                    r.municipality_name,
                    r.materials.join(", "),
                    r.due_back.format("%d-%m")
                )
            })
            .collect(),
    );
    list(
        &mut b,
        &format!("Groepen zonder bedrag sinds {}", d.quiet_groups.since.format("%d-%m")),
        d.quiet_groups
            .items
            .iter()
            .map(|g| format!("{} ({})", g.name, g.municipality_name))
            .collect(),
    );
    list(
        &mut b,
        &format!(
            "Groepen met cash die langer dan {} dagen wacht (samen {:.2} euro)",
            d.cash_waiting.older_than_days,
            d.cash_waiting.total_cents as f64 / 100.0
        ),
        d.cash_waiting
            .items
            .iter()
            .map(|c| {
                format!(
                    "{}: {:.2} euro sinds {}",
                    c.name,
                    c.outstanding_cents as f64 / 100.0,
                    c.waiting_since.format("%d-%m")
                )
            })
            .collect(),
    );
    let _ = writeln!(
        b,
        "Afgiftes af te sluiten: {} te weinig, {} te veel, {} kloppend\n",
        d.open_deposits.short, d.open_deposits.over, d.open_deposits.matched
    );
    list(
        &mut b,
        "Vragen langer dan 2 werkdagen zonder antwoord",
        d.unanswered_questions.iter().map(|q| q.subject.clone()).collect(),
    );
    list(
        &mut b,
        "Koppelingen (webhooks) uitgezet na 5 dagen mislukken",
        d.disabled_webhooks.iter().map(|w| w.url.clone()).collect(),
    );
    let _ = writeln!(b, "Alles in detail: de pagina /staff, of GET /api/v1/digest.");
    (subject, b)
}
