//! Names, titles and addresses of the demo campaign, in Dutch as the volunteers write them.

use campaign_domain::activity::ActivityKind;

/// Kinds of local groups; the first group of a municipality is its 11.11.11 committee.
pub const GROUP_KINDS: [&str; 8] = [
    "11.11.11-comité",
    "Wereldgroep",
    "Oxfam-Wereldwinkel",
    "Chiro",
    "Noord-Zuidraad",
    "Scouts",
    "KWB",
    "Parochieploeg",
];

/// The name of the `index`-th group of a municipality.
pub fn group_name(index: usize, municipality: &str) -> String {
    format!("{} {municipality}", GROUP_KINDS[index % GROUP_KINDS.len()])
}

/// Kinds of activity with how often groups organise them.
pub const ACTIVITY_KINDS: [(ActivityKind, u32); 7] = [
    (ActivityKind::Quiz, 25),
    (ActivityKind::SaleStand, 25),
    (ActivityKind::Dinner, 20),
    (ActivityKind::Sports, 12),
    (ActivityKind::Concert, 6),
    (ActivityKind::Walk, 7),
    (ActivityKind::Exhibition, 5),
];

/// What an activity of a kind looks like: title, description, local start (hour, minute),
/// duration in hours, and a typical attendance.
pub struct ActivityShape {
    pub title: &'static str,
    pub description: &'static str,
    pub starts: (u32, u32),
    pub hours: i64,
    pub attendance: (i32, i32),
}

pub fn activity_shape(kind: ActivityKind) -> ActivityShape {
    let (title, description, starts, hours, attendance) = match kind {
        ActivityKind::Quiz => (
            "Solidariteitsquiz",
            "Ploegen van vier tot zes; de opbrengst gaat naar 11.11.11.",
            (19, 30),
            4,
            (40, 160),
        ),
        ActivityKind::SaleStand => (
            "Kaartenverkoop op de markt",
            "Wenskaarten en fairtrade chocolade aan onze stand.",
            (9, 0),
            5,
            (30, 300),
        ),
        ActivityKind::Dinner => (
            "Solidariteitsdiner",
            "Een driegangenmenu; inschrijven bij de groep.",
            (18, 0),
            4,
            (50, 220),
        ),
        ActivityKind::Sports => (
            "Sponsorloop voor 11.11.11",
            "Lopen of wandelen: elke ronde brengt geld op.",
            (10, 0),
            3,
            (30, 250),
        ),
        ActivityKind::Concert => (
            "Benefietconcert",
            "Lokale muzikanten spelen voor wereldwijde solidariteit.",
            (20, 0),
            3,
            (60, 300),
        ),
        ActivityKind::Walk => (
            "Solidariteitswandeling",
            "Een wandeling van 8 km met een tas soep aan de aankomst.",
            (14, 0),
            3,
            (20, 150),
        ),
        ActivityKind::Exhibition | ActivityKind::Other => (
            "Tentoonstelling over klimaatrechtvaardigheid",
            "De reizende tentoonstelling van 11.11.11, elke dag open.",
            (10, 0),
            24 * 5,
            (80, 600),
        ),
    };
    ActivityShape {
        title,
        description,
        starts,
        hours,
        attendance,
    }
}

/// Where activities happen.
pub const VENUES: [&str; 8] = [
    "Parochiezaal",
    "Gemeentelijke sporthal",
    "Cultureel centrum",
    "Markt",
    "Jeugdlokaal",
    "Basisschool De Regenboog",
    "Ontmoetingscentrum",
    "Bibliotheek",
];

pub const STREETS: [&str; 8] = [
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Schoolstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Kapelstraat",
    "Marktplein",
];

/// Why a volunteer corrected an entry.
pub const CORRECTION_REASONS: [&str; 3] = [
    "Twee keer ingevoerd",
    "Verkeerd aantal doosjes",
    "Betaling ging niet door",
];
