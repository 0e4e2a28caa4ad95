//! 4th-pillar citizen initiatives: their profile, how 11.11.11 knows them (`referred` by a
//! municipality, `known` once staff took them on, `inactive`), and what a referral asks for.

use crate::municipality::NisCode;
use crate::user::{Email, parse_text};
use crate::{FieldError, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InitiativeStatus {
    /// Sent on by a municipality; 11.11.11 has not taken it on yet.
    Referred,
    /// 11.11.11 knows and supports it.
    Known,
    /// No longer active (or a referral that led nowhere).
    Inactive,
}

impl InitiativeStatus {
    pub const ALL: [InitiativeStatus; 3] = [Self::Referred, Self::Known, Self::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referred => "referred",
            Self::Known => "known",
            Self::Inactive => "inactive",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("status", "must be referred, known or inactive"))
    }
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusRefused {
    #[error("an initiative cannot go back to referred; it is {}", .0.as_str())]
    BackToReferred(InitiativeStatus),
}

/// Staff move an initiative: a referral is taken on (`known`) or closed (`inactive`); a known
/// initiative becomes inactive and back. Nothing returns to `referred`.
pub fn move_to(from: InitiativeStatus, to: InitiativeStatus) -> Result<InitiativeStatus, StatusRefused> {
    match (from, to) {
        (f, t) if f == t => Ok(f),
        (_, InitiativeStatus::Referred) => Err(StatusRefused::BackToReferred(from)),
        (_, t) => Ok(t),
    }
}

/// What support a municipality asks for an initiative it refers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Support {
    Advice,
    Training,
    Fund,
}

impl Support {
    pub const ALL: [Support; 3] = [Self::Advice, Self::Training, Self::Fund];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advice => "advice",
            Self::Training => "training",
            Self::Fund => "fund",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("support", "must be advice, training or fund"))
    }
}

/// A yearly budget band (the 4th pillar counts some 900 initiatives, mostly small).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BudgetBand {
    Under10k,
    From10kTo50k,
    From50kTo250k,
    Over250k,
}

impl BudgetBand {
    pub const ALL: [BudgetBand; 4] = [Self::Under10k, Self::From10kTo50k, Self::From50kTo250k, Self::Over250k];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Under10k => "under_10k",
            Self::From10kTo50k => "10k_50k",
            Self::From50kTo250k => "50k_250k",
            Self::Over250k => "over_250k",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|b| b.as_str() == raw)
            .ok_or_else(|| ValidationError::single("budget_band", "must be under_10k, 10k_50k, 50k_250k or over_250k"))
    }
}

/// An initiative's profile, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub municipality: NisCode,
    /// ISO 3166-1 alpha-2 codes of the countries it works in, sorted, without repeats.
    pub countries: Vec<String>,
    /// What it works on, in its own words (e.g. "onderwijs", "water"), without repeats.
    pub themes: Vec<String>,
    pub partner_abroad: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Email,
    pub volunteers: Option<u32>,
    pub budget_band: Option<BudgetBand>,
}

/// A profile as a client sends it, before any check.
#[derive(Debug, Clone, Default)]
pub struct ProfileDraft<'a> {
    pub name: &'a str,
    pub municipality_nis: &'a str,
    pub countries: Vec<&'a str>,
    pub themes: Vec<&'a str>,
    pub partner_abroad: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub contact_email: &'a str,
    pub volunteers: Option<i64>,
    pub budget_band: Option<BudgetBand>,
}

impl Profile {
    /// Checks every field at once and names each that is wrong.
    pub fn new(draft: ProfileDraft<'_>) -> Result<Self, ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let name = parse_text("name", draft.name, 120)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let municipality = NisCode::parse_field("municipality_nis", draft.municipality_nis)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let mut countries = Vec::new();
        if draft.countries.len() > 30 {
            errors.push(FieldError::new("countries", "give at most 30 countries"));
        }
        for raw in &draft.countries {
            match crate::fund::country_code(raw) {
                Ok(code) => countries.push(code),
                Err(_) => errors.push(FieldError::new(
                    "countries",
                    format!(
                        "{} is not a two-letter country code (ISO 3166-1), such as CD or PE",
                        raw.trim()
                    ),
                )),
            }
        }
        countries.sort();
        countries.dedup();
        let mut themes = Vec::new();
        if draft.themes.len() > 20 {
            errors.push(FieldError::new("themes", "give at most 20 themes"));
        }
        for raw in &draft.themes {
            match parse_text("themes", raw, 60) {
                Ok(theme) if !themes.contains(&theme) => themes.push(theme),
                Ok(_) => {}
                Err(e) => errors.extend(e.errors),
            }
        }
        let partner_abroad = draft
            .partner_abroad
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| parse_text("partner_abroad", p, 200))
            .transpose()
            .map_err(|e| errors.extend(e.errors))
            .ok()
            .flatten();
        let contact_name = draft
            .contact_name
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| parse_text("contact_name", c, 100))
            .transpose()
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let contact_email = Email::parse(draft.contact_email)
            .map_err(|e| {
                errors.extend(e.errors.into_iter().map(|mut f| {
                    "contact_email".clone_into(&mut f.field);
                    f
                }))
            })
            .ok();
        let volunteers = match draft.volunteers {
            None => None,
            Some(n) => match u32::try_from(n).ok().filter(|n| *n <= 100_000) {
                Some(n) => Some(n),
                None => {
                    errors.push(FieldError::new("volunteers", "must be a number from 0 to 100000"));
                    None
                }
            },
        };
        match (name, municipality, contact_name, contact_email) {
            (Some(name), Some(municipality), Some(contact_name), Some(contact_email)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    municipality,
                    countries,
                    themes,
                    partner_abroad,
                    contact_name,
                    contact_email,
                    volunteers,
                    budget_band: draft.budget_band,
                })
            }
            _ => Err(ValidationError { errors }),
        }
    }
}

/// The note a municipality adds to a referral: up to 2000 characters, line breaks kept.
pub fn referral_note(raw: &str) -> Result<Option<String>, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > 2000 {
        return Err(ValidationError::single("note", "must be at most 2000 characters long"));
    }
    Ok(Some(text.to_owned()))
}

/// The support a referral asks for: at least one, each once.
pub fn support_set(raw: &[&str]) -> Result<Vec<Support>, ValidationError> {
    let mut set: Vec<Support> = raw.iter().map(|s| Support::parse(s)).collect::<Result<_, _>>()?;
    set.sort();
    set.dedup();
    if set.is_empty() {
        return Err(ValidationError::single(
            "support",
            "name at least one: advice, training or fund",
        ));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use InitiativeStatus as S;

    fn draft() -> ProfileDraft<'static> {
        ProfileDraft {
            name: " Vrienden van Kivu ",
            municipality_nis: "44021",
            countries: vec!["cd", "CD", "rw"],
            themes: vec!["water", "onderwijs", "water"],
            partner_abroad: Some("Action Paysanne"),
            contact_name: Some("An Peeters"),
            contact_email: "An@Kivu.be",
            volunteers: Some(12),
            budget_band: Some(BudgetBand::Under10k),
        }
    }

    #[test]
    fn a_profile_is_trimmed_and_its_lists_have_no_repeats() {
        let profile = Profile::new(draft()).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(profile.name, "Vrienden van Kivu");
        assert_eq!(profile.countries, ["CD", "RW"]);
        assert_eq!(profile.themes, ["water", "onderwijs"]);
        assert_eq!(profile.contact_email.as_str(), "an@kivu.be");
    }

    #[test]
    fn every_wrong_field_is_named() {
        let bad = ProfileDraft {
            name: "",
            municipality_nis: "4402",
            countries: vec!["Congo"],
            themes: vec![""],
            partner_abroad: Some("a\nb"),
            contact_name: Some("line\nbreak"),
            contact_email: "nobody",
            volunteers: Some(-1),
            budget_band: None,
        };
        let fields: Vec<String> = Profile::new(bad)
            .err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                "name",
                "municipality_nis",
                "countries",
                "themes",
                "partner_abroad",
                "contact_name",
                "contact_email",
                "volunteers"
            ]
        );
    }

    #[test]
    fn every_status_change() {
        for from in InitiativeStatus::ALL {
            for to in InitiativeStatus::ALL {
                let got = move_to(from, to);
                if from == to || to != S::Referred {
                    assert_eq!(got, Ok(to), "{from:?} → {to:?}");
                } else {
                    assert!(got.is_err(), "{from:?} → {to:?}");
                }
            }
        }
    }

    #[test]
    fn a_referral_asks_for_some_support() {
        assert_eq!(
            support_set(&["fund", "advice", "fund"]),
            Ok(vec![Support::Advice, Support::Fund])
        );
        assert!(support_set(&[]).is_err());
        assert!(support_set(&["money"]).is_err());
        assert_eq!(referral_note("  "), Ok(None));
        assert!(referral_note(&"x".repeat(2001)).is_err());
        for band in BudgetBand::ALL {
            assert_eq!(BudgetBand::parse(band.as_str()), Ok(band));
        }
    }
}
