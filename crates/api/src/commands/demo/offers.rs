//! The demo's offer of the member organisations, as 11.11.11's presentation to local governments
//! describes it (Join For Water, Broederlijk Delen, Djapo, WSM, Oxfam), an account per
//! organisation (Join For Water's is printed), and inquiries from the demo's contacts in every
//! state, the demo contact's own among them.

use anyhow::Context;
use campaign_domain::ids::{MemberOrgId, UserId};
use campaign_domain::inquiry::{InquiryStatus, Side};
use campaign_domain::member_org::OrganisationDetails;
use campaign_domain::municipality::{NisCode, Province};
use campaign_domain::offer::{OfferDetails, OfferDraft};
use campaign_domain::user::Membership;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::idempotency::Created;
use campaign_persistence::inquiries::{InquiryError, InquiryRepo, NewInquiry};
use campaign_persistence::member_orgs::MemberOrgRepo;
use campaign_persistence::offers::OfferRepo;

/// The seeded ids of the organisations with offers (`migrations/src/data/member_organisations.txt`).
const JOIN_FOR_WATER: u128 = 0x1111_1111_1111_4111_8111_0000_0000_001b;
const BROEDERLIJK_DELEN: u128 = 0x1111_1111_1111_4111_8111_0000_0000_0006;
const DJAPO: u128 = 0x1111_1111_1111_4111_8111_0000_0000_000f;
const OXFAM: u128 = 0x1111_1111_1111_4111_8111_0000_0000_001f;

/// The printed organisation account.
pub const DEMO_ORGANISATION_EMAIL: &str = "organisation@demo.11.be";

/// Who offers it (a seeded id, or `None` for WSM, which the demo adds), title, description,
/// formats, themes, audiences, provinces (none: everywhere), cost note.
type OfferScript = (
    Option<u128>,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [Province],
    Option<&'static str>,
);

const OFFERS: [OfferScript; 15] = [
    (
        Some(JOIN_FOR_WATER),
        "Waterhuis en Watertuin",
        "Een installatie op het marktplein of in de bibliotheek: het Waterhuis toont hoeveel water we \
         elke dag gebruiken, de Watertuin hoe regenwater terug de grond in kan.",
        &["installation"],
        &["water", "climate"],
        &["citizens", "schools"],
        &[],
        Some("Opbouw en transport in overleg"),
    ),
    (
        Some(JOIN_FOR_WATER),
        "Waterwandeling",
        "Een begeleide wandeling langs beken, waterlopen en waterzuivering in je eigen gemeente, met \
         verhalen over water hier en in het Zuiden.",
        &["walk"],
        &["water"],
        &["citizens"],
        &[],
        Some("€150 per groep van 25"),
    ),
    (
        Some(JOIN_FOR_WATER),
        "Lezing: water, een mensenrecht",
        "Een lezing over toegang tot drinkwater en sanitair wereldwijd, en wat een gemeente kan doen.",
        &["lecture"],
        &["water"],
        &["citizens", "council_members"],
        &[],
        None,
    ),
    (
        Some(JOIN_FOR_WATER),
        "Traject Waterwijze wijk of gemeente",
        "Een traject van een jaar met bewoners en diensten: water vasthouden, besparen en delen, met \
         een partnergemeente in het Zuiden.",
        &["trajectory"],
        &["water", "climate"],
        &["citizens", "civil_servants", "council_members"],
        &[Province::Antwerpen, Province::OostVlaanderen, Province::VlaamsBrabant],
        Some("Op maat, met subsidie van de provincie"),
    ),
    (
        Some(JOIN_FOR_WATER),
        "Waterspelen",
        "Spelen voor de klas of de jeugdraad over waterverbruik en waterrechten.",
        &["game_or_method"],
        &["water"],
        &["schools", "children_youth_council"],
        &[],
        Some("Gratis te ontlenen"),
    ),
    (
        Some(BROEDERLIJK_DELEN),
        "Tentoonstelling: de donuteconomie",
        "Een reizende tentoonstelling over een economie binnen de grenzen van de planeet en met een \
         sociaal fundament voor iedereen.",
        &["exhibition"],
        &["economy", "climate"],
        &["citizens"],
        &[],
        Some("Gratis; transport door de gemeente"),
    ),
    (
        Some(BROEDERLIJK_DELEN),
        "System Change",
        "Een methode om met een groep te onderzoeken hoe ons voedsel- en economisch systeem anders kan.",
        &["game_or_method", "workshop"],
        &["economy", "food"],
        &["citizens", "civil_servants"],
        &[],
        None,
    ),
    (
        Some(BROEDERLIJK_DELEN),
        "Leef met Genoeg",
        "Een methode over genoeg hebben: minder consumeren, meer delen, en wat dat betekent voor \
         mensen in het Zuiden.",
        &["game_or_method"],
        &["economy", "climate"],
        &["citizens", "schools"],
        &[],
        None,
    ),
    (
        Some(BROEDERLIJK_DELEN),
        "Het spel 'van de kaart'",
        "Een spel om met jongeren in gesprek te gaan over onze plaats in de wereld.",
        &["game_or_method"],
        &["economy", "sdgs-in-schools"],
        &["schools", "children_youth_council"],
        &[],
        Some("Gratis te ontlenen"),
    ),
    (
        Some(DJAPO),
        "Traject kinder- of jongerenraad",
        "Djapo begeleidt de kinder- of jongerenraad een jaar lang rond een wereldthema, tot een eigen \
         voorstel aan de gemeenteraad.",
        &["trajectory"],
        &["youth-participation", "sdgs-in-schools"],
        &["children_youth_council"],
        &[],
        Some("In overleg"),
    ),
    (
        Some(DJAPO),
        "Coaching voor scholen",
        "Coaching van leerkrachten om duurzame ontwikkeling en de SDG's een plaats te geven op school.",
        &["trajectory", "workshop"],
        &["sdgs-in-schools"],
        &["schools"],
        &[],
        None,
    ),
    (
        None,
        "Brochure duurzaam aankopen",
        "Een brochure voor aankoopdiensten: sociale clausules en eerlijke arbeid in overheidsopdrachten.",
        &["brochure"],
        &["economy", "fair-trade"],
        &["civil_servants", "council_members"],
        &[],
        Some("Gratis"),
    ),
    (
        Some(OXFAM),
        "Educatief materiaal eerlijke handel",
        "Lespakketten en spelen over eerlijke handel voor het lager en secundair onderwijs.",
        &["game_or_method"],
        &["fair-trade", "sdgs-in-schools"],
        &["schools"],
        &[],
        None,
    ),
    (
        Some(OXFAM),
        "Workshops met eten en drinken",
        "Proeverijen van koffie, chocolade en wijn met het verhaal van de producenten erachter.",
        &["workshop"],
        &["fair-trade", "food"],
        &["citizens"],
        &[],
        Some("Vanaf €5 per deelnemer"),
    ),
    (
        Some(OXFAM),
        "Fairtrade-producten voor recepties",
        "Koffie, thee, sappen en hapjes van eerlijke handel voor de recepties van je gemeente.",
        &["products"],
        &["fair-trade", "food"],
        &["civil_servants", "council_members"],
        &[],
        Some("Volgens bestelling"),
    ),
];

/// (offer title, which demo contact asks (0: the demo contact), message, the organisation's
/// answer, where it ends)
type InquiryScript = (&'static str, usize, &'static str, Option<&'static str>, InquiryStatus);

const INQUIRIES: [InquiryScript; 7] = [
    (
        "Waterwandeling",
        0,
        "Kunnen jullie in het voorjaar een waterwandeling begeleiden langs onze beek?",
        Some("Graag! Past een zaterdag in april? We brengen twee gidsen mee."),
        InquiryStatus::Answered,
    ),
    (
        "Leef met Genoeg",
        0,
        "Is de methode ook geschikt voor de seniorenraad?",
        None,
        InquiryStatus::Sent,
    ),
    (
        "Waterhuis en Watertuin",
        1,
        "We willen het Waterhuis op de jaarmarkt in september.",
        Some("Dat kan: we reserveren de installatie voor jullie."),
        InquiryStatus::Agreed,
    ),
    (
        "Traject kinder- of jongerenraad",
        2,
        "Onze kinderraad start in januari; kunnen jullie het traject begeleiden?",
        Some("Helaas is onze ploeg dit jaar volzet; we zetten jullie op de lijst voor volgend jaar."),
        InquiryStatus::Declined,
    ),
    (
        "Fairtrade-producten voor recepties",
        3,
        "Wat kost een receptie voor 150 mensen?",
        Some("We sturen een offerte; reken op ongeveer €6 per persoon."),
        InquiryStatus::Closed,
    ),
    (
        "Brochure duurzaam aankopen",
        4,
        "Mogen we 30 brochures voor onze aankoopdienst?",
        None,
        InquiryStatus::Sent,
    ),
    (
        "Tentoonstelling: de donuteconomie",
        5,
        "Is de tentoonstelling vrij in oktober?",
        Some("Ja, van 1 tot 20 oktober."),
        InquiryStatus::Answered,
    ),
];

/// Loads the offers and inquiries; returns how many inquiries ended in each status, and the
/// organisation accounts to create (email, name, membership) with the demo's Join For Water
/// account first.
pub async fn load(
    db: &DatabaseConnection,
    contacts: &[(UserId, NisCode, String)],
    create_account: impl AsyncFn(&str, &str, Membership) -> anyhow::Result<UserId>,
) -> anyhow::Result<Vec<(InquiryStatus, usize)>> {
    let ctx = AuditContext::default();
    let organisations = MemberOrgRepo::new(db.clone());
    let wsm = match organisations
        .list()
        .await?
        .into_iter()
        .find(|o| o.details.name == "WSM")
    {
        Some(existing) => existing.id,
        None => {
            let details = OrganisationDetails::new(
                "WSM",
                Some("https://www.wsm.be"),
                Some("Wereldsolidariteit: sociale bescherming en waardig werk wereldwijd."),
            )?;
            organisations.create(details, &ctx).await?.id
        }
    };
    let organisation_of =
        |seeded: Option<u128>| seeded.map_or(wsm, |n| MemberOrgId::from_uuid(uuid::Uuid::from_u128(n)));

    // One account per organisation with offers; Join For Water's is the printed one.
    let mut accounts: Vec<(MemberOrgId, UserId)> = Vec::new();
    for seeded in [
        Some(JOIN_FOR_WATER),
        Some(BROEDERLIJK_DELEN),
        Some(DJAPO),
        Some(OXFAM),
        None,
    ] {
        let organisation = organisation_of(seeded);
        let name = organisations
            .get(organisation)
            .await?
            .map(|o| o.details.name)
            .context("a demo organisation")?;
        let email = if accounts.is_empty() {
            DEMO_ORGANISATION_EMAIL.to_owned()
        } else {
            let slug: String = name
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            format!("{slug}@organisaties.demo.11.be")
        };
        let id = create_account(&email, &name, Membership::MemberOrg { organisation }).await?;
        accounts.push((organisation, id));
    }

    let offers = OfferRepo::new(db.clone());
    let mut published = Vec::new();
    for (seeded, title, description, formats, themes, audiences, provinces, cost_note) in OFFERS {
        let organisation = organisation_of(seeded);
        let author = accounts
            .iter()
            .find(|(o, _)| *o == organisation)
            .map(|(_, u)| *u)
            .context("an organisation account")?;
        let details = OfferDetails::new(OfferDraft {
            title,
            description,
            formats: formats.to_vec(),
            themes: themes.to_vec(),
            audiences: audiences.to_vec(),
            provinces: provinces.to_vec(),
            cost_note,
            link: None,
        })?;
        let offer = offers.create(organisation, details, author, &ctx).await?;
        published.push((title, offer.id, organisation, author));
    }

    let inquiries = InquiryRepo::new(db.clone());
    let failed = |e: InquiryError| anyhow::anyhow!("{e:?}");
    let mut reached: Vec<(InquiryStatus, usize)> = InquiryStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for (title, asker, message, answer, end) in INQUIRIES {
        let Some((asker, municipality, _)) = contacts.get(asker).or_else(|| contacts.first()) else {
            break;
        };
        let (_, offer, _, organisation_account) = published
            .iter()
            .find(|(t, ..)| *t == title)
            .with_context(|| format!("the demo offer {title}"))?;
        let new = NewInquiry {
            offer_id: *offer,
            municipality: *municipality,
            asked_by: *asker,
            side: Side::Municipality,
            message: message.to_owned(),
            preferred_period: Some("voorjaar".to_owned()),
            audience_size: Some(40),
        };
        let Created::New(sent) = inquiries.send(new, &ctx, None, |_| (201, String::new())).await? else {
            anyhow::bail!("the demo inquiry about {title} was answered as a replay");
        };
        let id = sent.inquiry.id;
        let mut status = sent.inquiry.status;
        if let Some(answer) = answer {
            status = inquiries
                .add_message(id, Side::Organisation, *organisation_account, answer.to_owned(), &ctx)
                .await
                .map_err(failed)?
                .inquiry
                .status;
        }
        let path: &[(InquiryStatus, Side)] = match end {
            InquiryStatus::Agreed => &[(InquiryStatus::Agreed, Side::Municipality)],
            InquiryStatus::Declined => &[(InquiryStatus::Declined, Side::Organisation)],
            InquiryStatus::Closed => &[
                (InquiryStatus::Agreed, Side::Municipality),
                (InquiryStatus::Closed, Side::Organisation),
            ],
            InquiryStatus::Sent | InquiryStatus::Answered => &[],
        };
        for (to, side) in path {
            status = inquiries
                .move_to(id, *to, *side, &ctx)
                .await
                .map_err(failed)?
                .inquiry
                .status;
        }
        if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == status) {
            slot.1 += 1;
        }
    }
    Ok(reached)
}
