//! Accounts: e-mail addresses, names, passwords and roles.

use std::fmt;

use crate::ids::{GroupId, InitiativeId, MemberOrgId};
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
    /// A person of one member organisation: its offers and the inquiries about them.
    MemberOrg,
    /// A person of one 4th-pillar citizen initiative: its profile, fund applications, trainings.
    Initiative,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Staff,
        Role::Volunteer,
        Role::MunicipalContact,
        Role::MemberOrg,
        Role::Initiative,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Volunteer => "volunteer",
            Role::MunicipalContact => "municipal_contact",
            Role::MemberOrg => "member_org",
            Role::Initiative => "initiative",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw).ok_or_else(|| {
            ValidationError::single(
                "role",
                "must be staff, volunteer, municipal_contact, member_org or initiative",
            )
        })
    }
}

/// The scope fields an account may carry; each role needs exactly its own one (staff none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeFields {
    pub group: Option<GroupId>,
    pub municipality: Option<NisCode>,
    pub member_org: Option<MemberOrgId>,
    pub initiative: Option<InitiativeId>,
}

/// A role with the scope that comes with it: a volunteer's group, a contact's municipality, a
/// member organisation's person's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Staff,
    Volunteer { group: GroupId },
    MunicipalContact { municipality: NisCode },
    MemberOrg { organisation: MemberOrgId },
    Initiative { initiative: InitiativeId },
}

impl Membership {
    /// Combines a role with the scope fields, checking each role gets exactly its own.
    pub fn new(role: Role, fields: ScopeFields) -> Result<Self, ValidationError> {
        // (field, role that needs it, whether given, what it is)
        let scopes = [
            (
                "group_id",
                Role::Volunteer,
                fields.group.is_some(),
                "a volunteer belongs to a group",
            ),
            (
                "municipality_nis",
                Role::MunicipalContact,
                fields.municipality.is_some(),
                "a municipal contact works for a municipality",
            ),
            (
                "member_org_id",
                Role::MemberOrg,
                fields.member_org.is_some(),
                "a member_org account works for one member organisation",
            ),
            (
                "initiative_id",
                Role::Initiative,
                fields.initiative.is_some(),
                "an initiative account belongs to one initiative",
            ),
        ];
        let mut errors = Vec::new();
        for (field, owner, given, what) in scopes {
            if role == owner && !given {
                errors.push(FieldError::new(field, format!("{what}: give {field}")));
            }
            if role != owner && given {
                errors.push(FieldError::new(
                    field,
                    format!("only {} accounts have a {field}, not {}", owner.as_str(), role.as_str()),
                ));
            }
        }
        let membership = match role {
            Role::Staff => Some(Membership::Staff),
            Role::Volunteer => fields.group.map(|group| Membership::Volunteer { group }),
            Role::MunicipalContact => fields
                .municipality
                .map(|municipality| Membership::MunicipalContact { municipality }),
            Role::MemberOrg => fields
                .member_org
                .map(|organisation| Membership::MemberOrg { organisation }),
            Role::Initiative => fields
                .initiative
                .map(|initiative| Membership::Initiative { initiative }),
        };
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
            Membership::MemberOrg { .. } => Role::MemberOrg,
            Membership::Initiative { .. } => Role::Initiative,
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

    pub fn member_org(&self) -> Option<MemberOrgId> {
        match self {
            Membership::MemberOrg { organisation } => Some(*organisation),
            _ => None,
        }
    }

    pub fn initiative(&self) -> Option<InitiativeId> {
        match self {
            Membership::Initiative { initiative } => Some(*initiative),
            _ => None,
        }
    }

    /// The scope fields this membership carries (the inverse of [`Membership::new`]).
    pub fn fields(&self) -> ScopeFields {
        ScopeFields {
            group: self.group(),
            municipality: self.municipality(),
            member_org: self.member_org(),
            initiative: self.initiative(),
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
        let group = Some(GroupId::new());
        let municipality = NisCode::parse("44021").ok();
        let member_org = Some(MemberOrgId::new());
        let initiative = Some(InitiativeId::new());
        let fields = |r: Result<Membership, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        let none = ScopeFields::default();
        let only_group = ScopeFields { group, ..none };
        let only_municipality = ScopeFields { municipality, ..none };
        let only_member_org = ScopeFields { member_org, ..none };
        let only_initiative = ScopeFields { initiative, ..none };
        let all = ScopeFields {
            group,
            municipality,
            member_org,
            initiative,
        };
        const FIELDS: [&str; 4] = ["group_id", "municipality_nis", "member_org_id", "initiative_id"];
        assert_eq!(Membership::new(Role::Staff, none), Ok(Membership::Staff));
        for (role, own, field) in [
            (Role::Volunteer, only_group, "group_id"),
            (Role::MunicipalContact, only_municipality, "municipality_nis"),
            (Role::MemberOrg, only_member_org, "member_org_id"),
            (Role::Initiative, only_initiative, "initiative_id"),
        ] {
            let membership = Membership::new(role, own);
            assert_eq!(membership.map(|m| (m.role(), m.fields())), Ok((role, own)), "{role:?}");
            assert_eq!(
                fields(Membership::new(role, none)),
                [field],
                "{role:?} without its scope"
            );
            let others: Vec<&str> = FIELDS.into_iter().filter(|f| *f != field).collect();
            assert_eq!(fields(Membership::new(role, all)), others, "{role:?} with every scope");
        }
        assert_eq!(fields(Membership::new(Role::Staff, all)), FIELDS);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("initiative_person").is_err());
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
