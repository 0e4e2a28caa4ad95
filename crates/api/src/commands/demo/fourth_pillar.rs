//! The demo's 4th pillar: a few dozen citizen initiatives over the demo's municipalities (one of
//! them, in the demo contact's municipality, with the printed account), referrals from demo
//! contacts in every state, last call of the fund with its decisions and this year's call open,
//! and trainings ahead.

use anyhow::Context;
use campaign_domain::fund::{ApplicationDetails, ApplicationStatus, CallTerms, default_deadline};
use campaign_domain::ids::{InitiativeId, UserId};
use campaign_domain::initiative::{BudgetBand, InitiativeStatus, Profile, ProfileDraft, Support};
use campaign_domain::municipality::NisCode;
use campaign_domain::training::{SessionDetails, SessionKind};
use campaign_domain::user::Membership;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::fund::{Decision, FundRepo, StepError};
use campaign_persistence::idempotency::Created;
use campaign_persistence::initiatives::{InitiativeError, InitiativeRepo};
use campaign_persistence::trainings::TrainingRepo;
use chrono::{Datelike, Duration, NaiveDate};

/// The printed initiative account.
pub const DEMO_INITIATIVE_EMAIL: &str = "initiative@demo.11.be";

const INITIATIVES: usize = 30;

/// (name pattern, countries, themes, partner abroad)
const KINDS: [(&str, &[&str], &[&str], &str); 10] = [
    ("Vrienden van Kivu", &["CD"], &["water", "landbouw"], "Action Paysanne"),
    ("Schoolbank Burkina", &["BF"], &["onderwijs"], "Association Wend-Yam"),
    ("Peru Solidair", &["PE"], &["gezondheid", "vrouwen"], "Casa de la Mujer"),
    (
        "Guatemala Dichtbij",
        &["GT"],
        &["onderwijs", "inheemse rechten"],
        "Asociación Ixim",
    ),
    ("Handen voor Senegal", &["SN"], &["landbouw", "klimaat"], "Jappo"),
    ("Benin Kinderhulp", &["BJ"], &["kinderrechten"], "ONG Enfance Active"),
    ("Ecuador Vzw", &["EC"], &["water", "klimaat"], "Fundación Agua Viva"),
    ("Bolivia Onderweg", &["BO"], &["gezondheid"], "Salud Comunitaria"),
    ("Olijfboom Palestina", &["PS"], &["landbouw", "vrede"], "Al-Zaytoun"),
    ("Rwanda Samen", &["RW", "CD"], &["onderwijs", "vrede"], "Duhozanye"),
];

/// What was loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub initiatives: usize,
    pub referrals: usize,
    pub applications: Vec<(ApplicationStatus, usize)>,
}

fn profile(name: &str, nis: NisCode, kind: usize) -> anyhow::Result<Profile> {
    let (_, countries, themes, partner) = KINDS[kind % KINDS.len()];
    let nis_text = nis.to_string();
    let email = format!(
        "contact.{}@initiatieven.demo.11.be",
        name.to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    );
    Ok(Profile::new(ProfileDraft {
        name,
        municipality_nis: &nis_text,
        countries: countries.to_vec(),
        themes: themes.to_vec(),
        partner_abroad: Some(partner),
        contact_name: Some("Demo contactpersoon"),
        contact_email: &email,
        volunteers: Some(i64::try_from(5 + kind * 3).unwrap_or(5)),
        budget_band: Some(BudgetBand::ALL[kind % BudgetBand::ALL.len()]),
    })?)
}

fn application(title: &str, country: &str, partner: &str, requested: i64) -> anyhow::Result<ApplicationDetails> {
    let materials = requested * 3 / 5;
    Ok(ApplicationDetails::new(
        title,
        country,
        partner,
        "Een project met de partner ter plaatse; de lokale gemeenschap beslist mee en draagt het verder.",
        requested,
        vec![
            ("Materiaal".to_owned(), materials),
            ("Vorming en begeleiding".to_owned(), requested - materials),
        ],
        requested,
    )?)
}

/// Loads it: `contacts` are the demo's municipal contacts (the demo contact first), `staff` the
/// demo's staff account, `create_account` makes the printed initiative account.
pub async fn load(
    db: &DatabaseConnection,
    contacts: &[(UserId, NisCode, String)],
    municipalities: &[NisCode],
    staff: UserId,
    today: NaiveDate,
    create_account: impl AsyncFn(&str, &str, Membership) -> anyhow::Result<UserId>,
) -> anyhow::Result<Loaded> {
    let ctx = AuditContext::default();
    let repo = InitiativeRepo::new(db.clone());
    let failed = |e: InitiativeError| anyhow::anyhow!("{e:?}");
    let home = contacts.first().map(|c| c.1).context("a demo contact")?;

    // Referrals first (they create their initiatives), from the first contacts.
    let supports = [
        vec![Support::Fund],
        vec![Support::Advice, Support::Training],
        vec![Support::Advice, Support::Fund],
        vec![Support::Training],
        vec![Support::Advice],
        vec![Support::Fund, Support::Training],
    ];
    let ends = [
        InitiativeStatus::Referred,
        InitiativeStatus::Known,
        InitiativeStatus::Referred,
        InitiativeStatus::Known,
        InitiativeStatus::Inactive,
        InitiativeStatus::Referred,
    ];
    let mut referrals = 0;
    let mut initiatives: Vec<(InitiativeId, String)> = Vec::new();
    for (i, ((by, nis, name), (support, end))) in contacts.iter().zip(supports.into_iter().zip(ends)).enumerate() {
        let (kind, _, _, _) = KINDS[(i + 1) % KINDS.len()];
        let title = format!("{kind} {name}");
        let Created::New(referral) = repo
            .refer(
                profile(&title, *nis, i + 1)?,
                support,
                Some("Doorverwezen door de dienst Noord-Zuid van de gemeente.".to_owned()),
                *by,
                &ctx,
                None,
                |_| (201, String::new()),
            )
            .await?
        else {
            anyhow::bail!("the demo referral of {title} was answered as a replay");
        };
        if end != InitiativeStatus::Referred {
            let current = repo.get(referral.initiative).await?.context("a referred initiative")?;
            repo.update(referral.initiative, current.profile, Some(end), &ctx)
                .await
                .map_err(failed)?;
        }
        initiatives.push((referral.initiative, title));
        referrals += 1;
    }
    // The rest known to 11.11.11, the first of them in the demo contact's municipality.
    let mut n = 0;
    while initiatives.len() < INITIATIVES {
        let nis = if n == 0 {
            home
        } else {
            municipalities
                .get((n * 37) % municipalities.len().max(1))
                .copied()
                .unwrap_or(home)
        };
        let (kind, _, _, _) = KINDS[n % KINDS.len()];
        let name = if n < KINDS.len() {
            kind.to_owned()
        } else {
            format!("{kind} {}", n / KINDS.len() + 1)
        };
        let created = repo.create(profile(&name, nis, n)?, &ctx).await?;
        initiatives.push((created.id, name));
        n += 1;
    }
    let (demo_initiative, demo_name) = initiatives.get(referrals).cloned().context("the demo initiative")?;
    let demo_account = create_account(
        DEMO_INITIATIVE_EMAIL,
        "Demo initiatief",
        Membership::Initiative {
            initiative: demo_initiative,
        },
    )
    .await?;

    // Last call, closed and decided; this year's call open. A call is "this year's" until its
    // 31 March has passed.
    let open_year = if today > NaiveDate::from_ymd_opt(today.year(), 3, 31).context("a date")? {
        today.year() + 1
    } else {
        today.year()
    };
    let fund = FundRepo::new(db.clone());
    let step = |e: StepError| anyhow::anyhow!("{e:?}");
    let mut reached: Vec<(ApplicationStatus, usize)> = ApplicationStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for year in [open_year - 1, open_year] {
        fund.open_call(CallTerms::new(i64::from(year), 25_000_000, 1_000_000, None)?, &ctx)
            .await?;
    }
    let closed_deadline = default_deadline(open_year - 1).context("a deadline")?;
    let past = [
        Some(Decision::Grant(500_000)),
        Some(Decision::Grant(600_000)),
        Some(Decision::Grant(450_000)),
        Some(Decision::Refuse(
            "Het project valt buiten de doelstellingen van het fonds.".to_owned(),
        )),
        Some(Decision::Grant(600_000)),
        Some(Decision::Refuse(
            "Het budget is op; dien volgend jaar opnieuw in.".to_owned(),
        )),
        Some(Decision::Review),
        None,
    ];
    for (i, decision) in past.into_iter().enumerate() {
        let (initiative, name) = initiatives.get(referrals + 1 + i).cloned().context("an initiative")?;
        let (_, countries, _, partner) = KINDS[(i + 1) % KINDS.len()];
        let requested = 600_000 + i64::try_from(i).unwrap_or(0) * 50_000;
        let drafted = fund
            .draft(
                open_year - 1,
                initiative,
                application(&format!("Project van {name}"), countries[0], partner, requested)?,
                staff,
                &ctx,
            )
            .await?;
        let mut status = fund
            .submit(drafted.id, closed_deadline - Duration::days(10), &ctx)
            .await
            .map_err(step)?
            .status;
        if let Some(decision) = decision {
            status = fund
                .decide(drafted.id, Decision::Review, staff, &ctx)
                .await
                .map_err(step)?
                .status;
            if !matches!(decision, Decision::Review) {
                status = fund
                    .decide(drafted.id, decision, staff, &ctx)
                    .await
                    .map_err(step)?
                    .status;
            }
        }
        if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == status) {
            slot.1 += 1;
        }
    }
    // This year's call: the demo initiative's draft, and another initiative's submission.
    let draft = fund
        .draft(
            open_year,
            demo_initiative,
            application(
                &format!("Waterputten met {demo_name}"),
                "CD",
                "Action Paysanne",
                750_000,
            )?,
            staff,
            &ctx,
        )
        .await?;
    let (other, other_name) = initiatives.get(referrals + 10).cloned().context("an initiative")?;
    let submitted = fund
        .draft(
            open_year,
            other,
            application(
                &format!("Project van {other_name}"),
                "BF",
                "Association Wend-Yam",
                400_000,
            )?,
            staff,
            &ctx,
        )
        .await?;
    fund.submit(submitted.id, chrono::Utc::now(), &ctx)
        .await
        .map_err(step)?;
    for status in [draft.status, ApplicationStatus::Submitted] {
        if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == status) {
            slot.1 += 1;
        }
    }
    // Trainings and network meetings ahead, the demo initiative registered for the first.
    let trainings = TrainingRepo::new(db.clone());
    let now = chrono::Utc::now();
    let sessions = [
        (
            SessionKind::Training,
            "Fondsenwerving voor kleine organisaties",
            21,
            Some("11.11.11, Vlasfabriekstraat 11, Brussel"),
            None,
            25,
        ),
        (
            SessionKind::Training,
            "Projectbeheer met je partner in het Zuiden",
            14,
            None,
            Some("https://meet.example.org/vierde-pijler"),
            30,
        ),
        (
            SessionKind::NetworkMeeting,
            "Netwerkdag van de vierde pijler",
            42,
            Some("De Centrale, Gent"),
            None,
            120,
        ),
    ];
    let mut first = None;
    for (kind, title, days, place, link, capacity) in sessions {
        let starts = now + Duration::days(days);
        let details = SessionDetails::new(
            kind,
            title,
            None,
            starts,
            starts + Duration::hours(3),
            place,
            link,
            capacity,
        )?;
        let created = trainings.create(details, &ctx).await?;
        first.get_or_insert(created.id);
    }
    if let Some(first) = first {
        trainings
            .register(first, demo_account, &ctx)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(Loaded {
        initiatives: initiatives.len(),
        referrals,
        applications: reached,
    })
}
