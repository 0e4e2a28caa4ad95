//! Writes the demo campaign through the repositories, with progress in the log.

use std::collections::HashMap;

use anyhow::Context;
use campaign_domain::activity::ActivityStatus;
use campaign_domain::campaign::{CampaignPlan, CampaignYear, NewProduct};
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::ledger::local_date;
use campaign_domain::municipality::NisCode;
use campaign_domain::user::{Email, Membership, PersonName};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::activities::ActivityRepo;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::initiatives::InitiativeRepo;
use campaign_persistence::ledger::{EntryFilter, LedgerRepo};
use campaign_persistence::member_orgs::MemberOrgRepo;
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityListing, MunicipalityRepo};
use campaign_persistence::users::{NewUser, UserRepo};
use chrono::Utc;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::generate::{self, DemoGroup, DemoProduct, EntryDraw, HeldActivity, Places};
use super::{
    DemoAccount, DemoOptions, Loaded, calendar, deposits, engagements, fourth_pillar, materials, names, new_password,
    offers, questions, webhooks,
};
use crate::auth::Passwords;

/// The accounts printed for people to sign in with: staff, a volunteer, a municipal contact, a
/// member organisation's person.
pub const DEMO_EMAILS: [&str; 5] = [
    "staff@demo.11.be",
    "volunteer@demo.11.be",
    "contact@demo.11.be",
    offers::DEMO_ORGANISATION_EMAIL,
    fourth_pillar::DEMO_INITIATIVE_EMAIL,
];

/// Entries per import transaction batch and progress line.
const ENTRY_CHUNK: usize = 10_000;
/// Municipalities with a contact who asks for materials, and their requests.
const CONTACTS: usize = 40;
const REQUESTS: usize = 80;
/// Entries corrected afterwards (one per group, for the first groups).
const CORRECTIONS: usize = 40;

/// (code, name, price last year, price this year, weight)
const PRODUCTS: [(&str, &str, i64, i64, u32); 3] = [
    ("cards-6", "Wenskaarten, doosje van 6", 1100, 1200, 35),
    ("cards-12", "Wenskaarten, doosje van 12", 2000, 2200, 20),
    ("chocolate", "Fairtrade chocolade, reep van 200 g", 300, 350, 45),
];

pub async fn load(
    db: &DatabaseConnection,
    passwords: &Passwords,
    options: DemoOptions,
) -> anyhow::Result<(Vec<DemoAccount>, Loaded)> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let now = Utc::now();
    let today = local_date(now);
    let current = calendar::current_year(today);
    let years = [current - 1, current];
    tracing::info!(?years, entries = options.entries, "loading the demo campaign");

    let products = campaigns(db, &years).await?;
    let registry = MunicipalityRepo::new(db.clone())
        .list(&MunicipalityFilter::default(), 10_000)
        .await?;
    let names_by_nis: HashMap<NisCode, String> = registry
        .iter()
        .map(|m| (m.municipality.nis_code, m.municipality.name_nl.clone()))
        .collect();
    // Only the demo accounts can sign in: the others share the hash of a forgotten password.
    let nobody = passwords.hash(format!("{}{}", new_password(), new_password())).await?;

    let groups = groups(db, &mut rng, &registry, &nobody).await?;
    let places = places(db).await?;
    let mut imported = Vec::new();
    for group in &groups {
        for year in years {
            imported.extend(generate::activities(&mut rng, group, year, now, &places));
        }
    }
    let facts: Vec<(GroupId, i32, ActivityStatus, _)> = imported
        .iter()
        .map(|a| {
            (
                a.activity.group,
                a.activity.campaign_year,
                a.status,
                a.activity.details.starts_at,
            )
        })
        .collect();
    let ids = ActivityRepo::new(db.clone())
        .import(imported, &AuditContext::default())
        .await
        .context("storing the demo activities")?;
    tracing::info!(activities = ids.len(), "activities loaded");
    let mut held: HashMap<(GroupId, i32), Vec<HeldActivity>> = HashMap::new();
    for ((group, year, status, starts_at), id) in facts.iter().zip(&ids) {
        if *status == ActivityStatus::Held {
            held.entry((*group, *year)).or_default().push(HeldActivity {
                id: *id,
                starts_at: *starts_at,
            });
        }
    }

    let entries = ledger(db, &mut rng, options.entries, &years, &groups, &products, &held).await?;
    // The link to the accounting package hears of everything from here on.
    let endpoint = webhooks::register(db).await?;
    let corrections = corrections(db, &groups, years[0]).await?;

    let busiest = groups
        .iter()
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .context("the registry holds no municipalities: run `campaign migrate` first")?;
    let home = busiest.municipality;
    // The demo accounts are made like the others; their passwords are set (and printed) at the end.
    let mut contacts = Vec::new();
    for nis in std::iter::once(home).chain(groups.iter().map(|g| g.municipality)) {
        if contacts.len() == CONTACTS || contacts.iter().any(|(_, n, _)| *n == nis) {
            continue;
        }
        let name = names_by_nis.get(&nis).cloned().unwrap_or_default();
        let membership = Membership::MunicipalContact { municipality: nis };
        let email = if contacts.is_empty() {
            DEMO_EMAILS[2].to_owned()
        } else {
            format!("gemeente.{nis}@demo.11.be")
        };
        let id = create_user(db, &email, &format!("Gemeente {name}"), membership, nobody.clone()).await?;
        contacts.push((id, nis, name));
    }
    let requests = match calendar::window(current) {
        Some((starts, _)) => materials::load(db, &mut rng, &contacts, starts, REQUESTS).await?,
        None => Vec::new(),
    };
    tracing::info!("materials and requests loaded");
    let codes: Vec<NisCode> = registry.iter().map(|m| m.municipality.nis_code).collect();
    let engagements = engagements::load(db, &mut rng, &codes, home, today).await?;
    tracing::info!(?engagements, "engagement programmes loaded");

    let memberships = [
        (DEMO_EMAILS[0], "Demo staff", Membership::Staff),
        (
            DEMO_EMAILS[1],
            "Demo vrijwilliger",
            Membership::Volunteer { group: busiest.id },
        ),
    ];
    let mut staff = None;
    for (email, name, membership) in memberships {
        let id = create_user(db, email, name, membership, nobody.clone()).await?;
        if membership == Membership::Staff {
            staff = Some(id);
        }
    }
    let staff = staff.context("the demo staff account")?;
    let questions = questions::load(db, &contacts, staff).await?;
    tracing::info!(?questions, "questions to 11.11.11 loaded");
    let account = async |email: &str, name: &str, membership: Membership| {
        create_user(db, email, name, membership, nobody.clone()).await
    };
    let inquiries = offers::load(db, &contacts, &account).await?;
    tracing::info!(?inquiries, "member organisations' offers and inquiries loaded");
    let fourth_pillar = fourth_pillar::load(db, &contacts, &codes, staff, today, &account).await?;
    let mut busiest: Vec<&DemoGroup> = groups.iter().collect();
    busiest.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let depositors: Vec<(GroupId, UserId)> = busiest.iter().take(5).map(|g| (g.id, g.volunteer)).collect();
    let deposits = deposits::load(db, &depositors, years[1], staff, today).await?;
    tracing::info!(deposits, "cash deposits loaded");
    tracing::info!(?fourth_pillar, "4th-pillar initiatives, referrals and the fund loaded");
    let webhook_deliveries = webhooks::settle(db, endpoint).await?;
    tracing::info!(webhook_deliveries, "the accounting link's delivery log loaded");
    let accounts = super::refresh_passwords(db, passwords).await?;
    let loaded = Loaded {
        years: years.to_vec(),
        groups: groups.len(),
        activities: ids.len(),
        entries,
        corrections,
        requests,
        engagements,
        questions,
        inquiries,
        fourth_pillar,
        deposits,
        webhook_deliveries,
        seconds: 0.0,
    };
    Ok((accounts, loaded))
}

/// Both campaigns with their price lists.
async fn campaigns(db: &DatabaseConnection, years: &[i32; 2]) -> anyhow::Result<HashMap<i32, Vec<DemoProduct>>> {
    let repo = CampaignRepo::new(db.clone());
    let ctx = AuditContext::default();
    let mut products = HashMap::new();
    for (last, year) in [true, false].into_iter().zip(years) {
        let (starts, ends) = calendar::window(*year).context("a campaign year out of range")?;
        let target = if last { 170_000_000 } else { 200_000_000 };
        let campaign_year = CampaignYear::parse(i64::from(*year))?;
        repo.create(
            campaign_year,
            CampaignPlan::new(campaign_year, starts, ends, target)?,
            &ctx,
        )
        .await?;
        let mut list = Vec::new();
        for (code, name, last_price, price, weight) in PRODUCTS {
            let unit_price_cents = if last { last_price } else { price };
            let product = repo
                .create_product(campaign_year, NewProduct::new(code, name, unit_price_cents)?, &ctx)
                .await?;
            list.push(DemoProduct {
                id: product.id,
                code: code.to_owned(),
                unit_price_cents,
                weight,
            });
        }
        products.insert(*year, list);
    }
    tracing::info!(?years, "campaigns and price lists loaded");
    Ok(products)
}

/// Groups over the municipalities, each with a volunteer who logs its money.
async fn groups(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    registry: &[MunicipalityListing],
    nobody: &str,
) -> anyhow::Result<Vec<DemoGroup>> {
    let repo = GroupRepo::new(db.clone());
    let ctx = AuditContext::default();
    let per_municipality = generate::groups_per_municipality(rng, registry.len());
    let total: usize = per_municipality.iter().sum();
    let mut groups = Vec::with_capacity(total);
    for (listing, count) in registry.iter().zip(per_municipality) {
        let nis = listing.municipality.nis_code;
        for index in 0..count {
            let name = names::group_name(index, &listing.municipality.name_nl);
            let group = repo.create(name.clone(), nis, &ctx).await?;
            let email = format!("vrijwilliger.{}@demo.11.be", groups.len() + 1);
            let membership = Membership::Volunteer { group: group.id };
            let volunteer = create_user(
                db,
                &email,
                &format!("Vrijwilliger {name}"),
                membership,
                nobody.to_owned(),
            )
            .await?;
            groups.push(DemoGroup {
                id: group.id,
                name,
                municipality: nis,
                volunteer,
                weight: generate::group_weight(rng),
            });
            if groups.len() % 50 == 0 {
                tracing::info!(loaded = groups.len(), total, "groups and their volunteers");
            }
        }
    }
    tracing::info!(groups = groups.len(), "groups loaded");
    Ok(groups)
}

/// The loaded boundaries, to put activities on the map; without them activities have no place.
async fn places(db: &DatabaseConnection) -> anyhow::Result<Places> {
    let boundaries = MunicipalityRepo::new(db.clone()).boundaries().await?;
    if boundaries.is_empty() {
        tracing::info!("no boundaries loaded: demo activities get no place on the map");
    }
    Ok(Places::new(
        boundaries.into_iter().map(|b| (b.nis_code, b.area)).collect(),
    ))
}

async fn ledger(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    total: usize,
    years: &[i32; 2],
    groups: &[DemoGroup],
    products: &HashMap<i32, Vec<DemoProduct>>,
    held: &HashMap<(GroupId, i32), Vec<HeldActivity>>,
) -> anyhow::Result<usize> {
    let today = local_date(Utc::now());
    let Some(draw) = EntryDraw::new(years, today, groups, products, held) else {
        tracing::info!("no campaign day has passed yet: the demo has no ledger entries");
        return Ok(0);
    };
    let repo = LedgerRepo::new(db.clone());
    let mut loaded = 0;
    while loaded < total {
        let n = ENTRY_CHUNK.min(total - loaded);
        let entries = (0..n).map(|_| draw.entry(rng)).collect();
        loaded += repo
            .import(entries, &AuditContext::default())
            .await
            .context("storing demo ledger entries")?;
        tracing::info!(loaded, total, "ledger entries");
    }
    Ok(loaded)
}

/// One entry of each of the first groups corrected, as volunteers do after a typing error.
async fn corrections(db: &DatabaseConnection, groups: &[DemoGroup], year: i32) -> anyhow::Result<usize> {
    let repo = LedgerRepo::new(db.clone());
    let mut corrected = 0;
    for (i, group) in groups.iter().take(CORRECTIONS).enumerate() {
        let filter = EntryFilter {
            group: Some(group.id),
            campaign_year: Some(year),
            ..EntryFilter::default()
        };
        if let Some(entry) = repo.list(&filter, 1).await?.first() {
            let reason = names::CORRECTION_REASONS[i % names::CORRECTION_REASONS.len()].to_owned();
            repo.correct(entry.id, reason, group.volunteer, &AuditContext::default())
                .await?;
            corrected += 1;
        }
    }
    Ok(corrected)
}

async fn create_user(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    membership: Membership,
    password_hash: String,
) -> anyhow::Result<UserId> {
    let user = NewUser {
        email: Email::parse(email)?,
        name: PersonName::parse(name)?,
        membership,
        password_hash,
    };
    Ok(UserRepo::new(db.clone())
        .create(user, &AuditContext::default())
        .await?
        .id)
}

/// What an account sees, in words.
pub async fn scope_of(db: &DatabaseConnection, membership: &Membership) -> anyhow::Result<String> {
    Ok(match membership {
        Membership::Staff => "sees everything".to_owned(),
        Membership::Volunteer { group } => {
            let name = GroupRepo::new(db.clone()).get(*group).await?.map(|g| g.name);
            format!("group {} ({group})", name.unwrap_or_default())
        }
        Membership::MunicipalContact { municipality } => {
            let name = MunicipalityRepo::new(db.clone())
                .get(*municipality)
                .await?
                .map(|m| m.municipality.name_nl);
            format!("municipality {} ({municipality})", name.unwrap_or_default())
        }
        Membership::MemberOrg { organisation } => {
            let name = MemberOrgRepo::new(db.clone())
                .get(*organisation)
                .await?
                .map(|o| o.details.name);
            format!("member organisation {} ({organisation})", name.unwrap_or_default())
        }
        Membership::Initiative { initiative } => {
            let name = InitiativeRepo::new(db.clone())
                .get(*initiative)
                .await?
                .map(|i| i.profile.name);
            format!("initiative {} ({initiative})", name.unwrap_or_default())
        }
    })
}
