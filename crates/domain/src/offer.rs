//! The member organisations' offer to local governments: what an offer says (formats, themes,
//! audiences, where it is offered), checked as a whole, and how a search text becomes the words
//! both databases search for.

use std::collections::BTreeSet;

use crate::municipality::Province;
use crate::user::parse_text;
use crate::{FieldError, ValidationError};

vocabulary!(
    /// What shape an offer takes.
    OfferFormat, "formats" {
        Exhibition => "exhibition",
        Workshop => "workshop",
        GameOrMethod => "game_or_method",
        Trajectory => "trajectory",
        Lecture => "lecture",
        Walk => "walk",
        Brochure => "brochure",
        Installation => "installation",
        Products => "products",
    }
);

vocabulary!(
    /// Whom an offer is for.
    Audience, "audiences" {
        Citizens => "citizens",
        Schools => "schools",
        ChildrenYouthCouncil => "children_youth_council",
        CivilServants => "civil_servants",
        CouncilMembers => "council_members",
    }
);

/// A theme's code in the managed list of themes: 1 to 40 lower-case letters, digits and
/// hyphens, e.g. `fair-trade`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThemeCode(String);

impl ThemeCode {
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let ok = (1..=40).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::single(
                field,
                "must be a theme code: 1 to 40 lower-case letters, digits and hyphens, such as fair-trade",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A theme of the managed list: its code and its name as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub code: ThemeCode,
    pub name: String,
}

impl Theme {
    pub fn new(code: &str, name: &str) -> Result<Self, ValidationError> {
        let code = ThemeCode::parse_field("code", code);
        let name = parse_text("name", name, 80);
        match (code, name) {
            (Ok(code), Ok(name)) => Ok(Self { code, name }),
            (code, name) => Err(ValidationError::all([code.err(), name.err()])),
        }
    }
}

/// The most characters of an offer's description.
pub const DESCRIPTION_MAX_CHARS: usize = 5000;

/// Everything an offer says, checked: the lists are sets (sorted, without repeats); no
/// provinces means all of Flanders and Brussels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDetails {
    pub title: String,
    pub description: String,
    pub formats: BTreeSet<OfferFormat>,
    pub themes: BTreeSet<ThemeCode>,
    pub audiences: BTreeSet<Audience>,
    /// Empty: offered everywhere (Flanders and Brussels).
    pub provinces: BTreeSet<Province>,
    pub cost_note: Option<String>,
    pub link: Option<String>,
}

/// An offer as a client sends it, before any check.
#[derive(Debug, Clone, Default)]
pub struct OfferDraft<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub formats: Vec<&'a str>,
    pub themes: Vec<&'a str>,
    pub audiences: Vec<&'a str>,
    pub provinces: Vec<Province>,
    pub cost_note: Option<&'a str>,
    pub link: Option<&'a str>,
}

impl OfferDetails {
    /// Checks every field at once and names each that is wrong. Whether each theme is in the
    /// managed list is for the caller to check against it ([`OfferDetails::unknown_themes`]).
    pub fn new(draft: OfferDraft<'_>) -> Result<Self, ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let title = keep(&mut errors, parse_text("title", draft.title, 200));
        let description = keep(&mut errors, description(draft.description));
        let formats = keep(&mut errors, set("formats", &draft.formats, OfferFormat::parse));
        let themes = keep(
            &mut errors,
            set("themes", &draft.themes, |t| ThemeCode::parse_field("themes", t)),
        );
        let audiences = keep(&mut errors, set("audiences", &draft.audiences, Audience::parse));
        let cost_note = keep(
            &mut errors,
            draft
                .cost_note
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| parse_text("cost_note", c, 300))
                .transpose(),
        );
        let link = keep(
            &mut errors,
            draft
                .link
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(link)
                .transpose(),
        );
        match (title, description, formats, themes, audiences, cost_note, link) {
            (
                Some(title),
                Some(description),
                Some(formats),
                Some(themes),
                Some(audiences),
                Some(cost_note),
                Some(link),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                formats,
                themes,
                audiences,
                provinces: draft.provinces.into_iter().collect(),
                cost_note,
                link,
            }),
            _ => Err(ValidationError { errors }),
        }
    }

    /// The themes that are not in `known`, as a field error naming them.
    pub fn unknown_themes<'a>(&self, known: impl IntoIterator<Item = &'a ThemeCode>) -> Result<(), ValidationError> {
        let known: BTreeSet<&ThemeCode> = known.into_iter().collect();
        let unknown: Vec<&str> = self
            .themes
            .iter()
            .filter(|t| !known.contains(t))
            .map(ThemeCode::as_str)
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(ValidationError::single(
                "themes",
                format!(
                    "{} is not a theme of the list; GET /api/v1/offer-themes lists them (staff add new ones)",
                    unknown.join(", ")
                ),
            ))
        }
    }

    /// Whether the offer is offered in `province` (an offer without provinces is everywhere).
    pub fn offered_in(&self, province: Province) -> bool {
        self.provinces.is_empty() || self.provinces.contains(&province)
    }
}

/// The value, or `None` with its errors added to `errors`.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, ValidationError>) -> Option<T> {
    result.map_err(|e| errors.extend(e.errors)).ok()
}

fn description(raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::single("description", "must not be empty"));
    }
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(ValidationError::single(
            "description",
            format!("must be at most {DESCRIPTION_MAX_CHARS} characters long"),
        ));
    }
    Ok(text.to_owned())
}

fn link(raw: &str) -> Result<String, ValidationError> {
    let ok = raw.starts_with("https://")
        && raw.len() > "https://".len()
        && raw.len() <= 500
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationError::single(
            "link",
            "must be a web address of at most 500 characters starting with https://",
        ))
    }
}

/// At least one value, each valid; repeats collapse.
fn set<T: Ord>(
    field: &str,
    raw: &[&str],
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<BTreeSet<T>, ValidationError> {
    if raw.is_empty() {
        return Err(ValidationError::single(field, "give at least one"));
    }
    if raw.len() > 20 {
        return Err(ValidationError::single(field, "give at most 20"));
    }
    raw.iter().map(|r| parse(r)).collect()
}

/// The words of a search text, as both databases search for them: lower-case runs of letters
/// and digits (accents kept; each database folds them its own way), at most 8 words of at most
/// 40 characters. Every word must match, as a word or the start of one ("water" finds
/// "waterwandeling").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWords(Vec<String>);

impl SearchWords {
    pub const MAX_WORDS: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let words: Vec<String> = raw
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
            .collect();
        if words.is_empty() {
            return Err(ValidationError::single(
                "q",
                "give one or more words to search for, e.g. q=water",
            ));
        }
        if words.len() > Self::MAX_WORDS {
            return Err(ValidationError::single(
                "q",
                format!("give at most {} words to search for", Self::MAX_WORDS),
            ));
        }
        Ok(Self(words))
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// The query for PostgreSQL's `to_tsquery('dutch', …)`: every word as a prefix, all required.
    pub fn to_tsquery(&self) -> String {
        self.0.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ")
    }

    /// The query for SQLite's FTS5 `MATCH`: every word quoted, as a prefix, all required.
    pub fn to_fts5(&self) -> String {
        self.0.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OfferDraft<'static> {
        OfferDraft {
            title: " Waterwandeling ",
            description: "Een wandeling langs het water van je gemeente.\nMet gids.",
            formats: vec!["walk", "walk", "lecture"],
            themes: vec!["water"],
            audiences: vec!["citizens"],
            provinces: vec![Province::Limburg],
            cost_note: Some("  "),
            link: Some("https://www.joinforwater.ngo"),
        }
    }

    fn fields(r: Result<OfferDetails, ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_offer_is_trimmed_and_its_lists_are_sets() {
        let offer = OfferDetails::new(draft()).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(offer.title, "Waterwandeling");
        assert_eq!(
            offer.formats.into_iter().collect::<Vec<_>>(),
            [OfferFormat::Lecture, OfferFormat::Walk]
        );
        assert_eq!(offer.cost_note, None);
        assert!(offer.description.contains('\n'));
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let bad = OfferDraft {
            title: "",
            description: " ",
            formats: vec![],
            themes: vec!["Water!"],
            audiences: vec!["aliens"],
            provinces: vec![],
            cost_note: Some("line\nbreak"),
            link: Some("http://insecure.example.org"),
        };
        assert_eq!(
            fields(OfferDetails::new(bad)),
            [
                "title",
                "description",
                "formats",
                "themes",
                "audiences",
                "cost_note",
                "link"
            ]
        );
        let too_long = OfferDraft {
            description: &"x".repeat(DESCRIPTION_MAX_CHARS + 1),
            ..draft()
        };
        assert_eq!(fields(OfferDetails::new(too_long)), ["description"]);
    }

    #[test]
    fn themes_must_be_in_the_managed_list() {
        let offer = OfferDetails::new(OfferDraft {
            themes: vec!["water", "space-travel"],
            ..draft()
        })
        .unwrap_or_else(|e| unreachable!("{e}"));
        let water = ThemeCode::parse_field("code", "water").unwrap_or_else(|e| unreachable!("{e}"));
        let refused = offer.unknown_themes([&water]).err().map(|e| e.to_string());
        assert!(refused.is_some_and(|e| e.contains("space-travel") && !e.contains("water,")));
        let space = ThemeCode::parse_field("code", "space-travel").unwrap_or_else(|e| unreachable!("{e}"));
        assert!(offer.unknown_themes([&water, &space]).is_ok());
    }

    #[test]
    fn no_provinces_means_everywhere() {
        let limburg_only = OfferDetails::new(draft()).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(limburg_only.offered_in(Province::Limburg));
        assert!(!limburg_only.offered_in(Province::Antwerpen));
        let everywhere = OfferDetails::new(OfferDraft {
            provinces: vec![],
            ..draft()
        })
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(Province::ALL.into_iter().all(|p| everywhere.offered_in(p)));
    }

    #[test]
    fn theme_codes_and_themes_are_checked() {
        for ok in ["water", "fair-trade", "sdg-4"] {
            assert!(ThemeCode::parse_field("code", ok).is_ok(), "{ok}");
        }
        for bad in ["", "Water", "fair trade", "-x", "x-", &"a".repeat(41)] {
            assert!(ThemeCode::parse_field("code", bad).is_err(), "{bad}");
        }
        assert!(Theme::new("water", "Water").is_ok());
        assert_eq!(Theme::new("Water", " ").err().map(|e| e.errors.len()), Some(2));
    }

    #[test]
    fn search_words_are_safe_for_both_databases() {
        let words = SearchWords::parse("  Water-wandeling & 'Eerlijke' handel:* OR \"x\" ")
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(words.words(), ["water", "wandeling", "eerlijke", "handel", "or", "x"]);
        assert_eq!(
            words.to_tsquery(),
            "water:* & wandeling:* & eerlijke:* & handel:* & or:* & x:*"
        );
        assert_eq!(
            words.to_fts5(),
            "\"water\"* \"wandeling\"* \"eerlijke\"* \"handel\"* \"or\"* \"x\"*"
        );
        assert_eq!(
            SearchWords::parse("Één café").map(|w| w.words().to_vec()),
            Ok(vec!["één".to_owned(), "café".to_owned()])
        );
        assert!(SearchWords::parse(" &:*!? ").is_err());
        assert!(SearchWords::parse("a b c d e f g h i").is_err());
    }
}
