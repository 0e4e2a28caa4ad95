//! 11.11.11's member organisations (lidorganisaties): the organisations whose offer to local
//! governments municipalities can search and ask about.

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// What describes an organisation, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDetails {
    pub name: String,
    pub website: Option<String>,
    pub description: Option<String>,
}

/// The most characters of a description.
pub const DESCRIPTION_MAX_CHARS: usize = 2000;

impl OrganisationDetails {
    /// Checks every field at once: a name of 1 to 120 characters, an optional `http(s)://`
    /// website of at most 300 characters, an optional description (line breaks kept).
    pub fn new(name: &str, website: Option<&str>, description: Option<&str>) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        let name = parse_text("name", name, 120).map_err(|e| errors.extend(e.errors)).ok();
        let website = website.map(str::trim).filter(|w| !w.is_empty());
        if let Some(w) = website {
            let scheme = w.starts_with("https://") || w.starts_with("http://");
            if !scheme || w.len() > 300 || w.chars().any(|c| c.is_whitespace() || c.is_control()) {
                errors.push(FieldError::new(
                    "website",
                    "must be a web address of at most 300 characters starting with https://",
                ));
            }
        }
        let description = description.map(str::trim).filter(|d| !d.is_empty());
        if description.is_some_and(|d| d.chars().count() > DESCRIPTION_MAX_CHARS) {
            errors.push(FieldError::new(
                "description",
                format!("must be at most {DESCRIPTION_MAX_CHARS} characters long"),
            ));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                website: website.map(str::to_owned),
                description: description.map(str::to_owned),
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<OrganisationDetails, ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn details_are_trimmed_and_checked_together() {
        let ok = OrganisationDetails::new(" Join for Water ", Some(" https://www.joinforwater.ngo "), Some("  "));
        assert_eq!(
            ok,
            Ok(OrganisationDetails {
                name: "Join for Water".to_owned(),
                website: Some("https://www.joinforwater.ngo".to_owned()),
                description: None,
            })
        );
        assert_eq!(
            fields(OrganisationDetails::new(
                " ",
                Some("joinforwater.ngo"),
                Some(&"x".repeat(2001))
            )),
            ["name", "website", "description"]
        );
        assert_eq!(
            fields(OrganisationDetails::new("Oxfam", Some("https://oxfam .be"), None)),
            ["website"]
        );
        assert!(OrganisationDetails::new("Oxfam", None, Some("Wereldwinkels\nen fair trade")).is_ok());
    }
}
