//! Accounts: e-mail addresses, names, passwords and roles.

use std::fmt;

use crate::ids::GroupId;
use crate::municipality::NisCode;
use crate::{FieldError, ValidationError};

/// An e-mail address, trimmed and compared case-insensitively (stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        let bad =
            |why: &str| ValidationError::single("email", format!("{why}; give an address such as name@example.org"));
        if email.is_empty() || email.len() > Self::MAX_LEN {
            return Err(bad("the address is empty or longer than 254 characters"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(bad("the address has no @"));
        };
        let plain = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !plain(local) || !plain(domain) || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.')
        {
            return Err(bad("the address is not valid"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        parse_text("name", raw, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims `raw` and checks it is 1 to `max` characters without control characters.
pub fn parse_text(field: &str, raw: &str, max: usize) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::single(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(ValidationError::single(
            field,
            format!("must be at most {max} characters long"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(ValidationError::single(
            field,
            "must not contain control characters such as tabs or line breaks",
        ));
    }
    Ok(text.to_owned())
}

/// A new password as chosen by a person: 12 to 256 characters, any characters at all.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ValidationError::single(
                "password",
                format!(
                    "must be at least {} characters long; a few words strung together make a good one",
                    Self::MIN_CHARS
                ),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationError::single(
                "password",
                format!("must be at most {} characters long", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// What a person does in the campaign; decides what they may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Staff,
    Volunteer,
    MunicipalContact,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Volunteer => "volunteer",
            Role::MunicipalContact => "municipal_contact",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "staff" => Ok(Role::Staff),
            "volunteer" => Ok(Role::Volunteer),
            "municipal_contact" => Ok(Role::MunicipalContact),
            _ => Err(ValidationError::single(
                "role",
                "must be staff, volunteer or municipal_contact",
            )),
        }
    }
}

/// A role with the scope that comes with it: a volunteer's group, a contact's municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Staff,
    Volunteer { group: GroupId },
    MunicipalContact { municipality: NisCode },
}

impl Membership {
    /// Combines a role with the optional scope fields, checking each role gets exactly its own.
    pub fn new(role: Role, group: Option<GroupId>, municipality: Option<NisCode>) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        let membership = match role {
            Role::Staff => Some(Membership::Staff),
            Role::Volunteer => group.map(|group| Membership::Volunteer { group }),
            Role::MunicipalContact => municipality.map(|municipality| Membership::MunicipalContact { municipality }),
        };
        if role == Role::Volunteer && group.is_none() {
            errors.push(FieldError::new(
                "group_id",
                "a volunteer belongs to a group: give group_id",
            ));
        }
        if role == Role::MunicipalContact && municipality.is_none() {
            errors.push(FieldError::new(
                "municipality_nis",
                "a municipal contact works for a municipality: give municipality_nis",
            ));
        }
        if role != Role::Volunteer && group.is_some() {
            errors.push(FieldError::new(
                "group_id",
                format!("only volunteers belong to a group, not {}", role.as_str()),
            ));
        }
        if role != Role::MunicipalContact && municipality.is_some() {
            errors.push(FieldError::new(
                "municipality_nis",
                format!("only municipal contacts have a municipality, not {}", role.as_str()),
            ));
        }
        match membership {
            Some(m) if errors.is_empty() => Ok(m),
            _ => Err(ValidationError { errors }),
        }
    }

    pub fn role(&self) -> Role {
        match self {
            Membership::Staff => Role::Staff,
            Membership::Volunteer { .. } => Role::Volunteer,
            Membership::MunicipalContact { .. } => Role::MunicipalContact,
        }
    }

    pub fn group(&self) -> Option<GroupId> {
        match self {
            Membership::Volunteer { group } => Some(*group),
            _ => None,
        }
    }

    pub fn municipality(&self) -> Option<NisCode> {
        match self {
            Membership::MunicipalContact { municipality } => Some(*municipality),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  An.Peeters@Example.ORG ").map(|e| e.to_string()),
            Ok("an.peeters@example.org".to_owned())
        );
        for bad in [
            "",
            "no-at",
            "@example.org",
            "an@",
            "an@example",
            "an @example.org",
            "an@exa mple.org",
            "an@.org",
            "an@org.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_need_twelve_characters_of_any_kind() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert!(NewPassword::parse("ünïcødé-😀-wachtwoord").is_ok());
        assert!(NewPassword::parse("\0\0\0\0\0\0\0\0\0\0\0\0").is_ok());
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery")),
            "Ok(NewPassword(***))"
        );
    }

    #[test]
    fn each_role_gets_exactly_its_own_scope() {
        let group = GroupId::new();
        let gent = NisCode::parse("44021").ok();
        assert_eq!(Membership::new(Role::Staff, None, None), Ok(Membership::Staff));
        assert!(Membership::new(Role::Volunteer, Some(group), None).is_ok());
        assert!(Membership::new(Role::MunicipalContact, None, gent).is_ok());
        let fields = |r: Result<Membership, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(fields(Membership::new(Role::Volunteer, None, None)), ["group_id"]);
        assert_eq!(
            fields(Membership::new(Role::MunicipalContact, None, None)),
            ["municipality_nis"]
        );
        assert_eq!(
            fields(Membership::new(Role::Staff, Some(group), gent)),
            ["group_id", "municipality_nis"]
        );
        assert_eq!(
            fields(Membership::new(Role::Volunteer, Some(group), gent)),
            ["municipality_nis"]
        );
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(parse_text("name", "  An  ", 10).ok().as_deref(), Some("An"));
        assert!(parse_text("name", "   ", 10).is_err());
        assert!(parse_text("name", "a\nb", 10).is_err());
        assert!(parse_text("name", &"é".repeat(11), 10).is_err());
        assert!(parse_text("name", &"é".repeat(10), 10).is_ok());
    }
}
