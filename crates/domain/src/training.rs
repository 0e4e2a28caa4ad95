//! Trainings and network meetings of the 4th-pillar desk: a session has seats; registrations
//! beyond them wait in line, and a cancellation moves the first in line up.

use chrono::{DateTime, Utc};

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionKind {
    Training,
    NetworkMeeting,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Training => "training",
            Self::NetworkMeeting => "network_meeting",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "training" => Ok(Self::Training),
            "network_meeting" => Ok(Self::NetworkMeeting),
            _ => Err(ValidationError::single("kind", "must be training or network_meeting")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationStatus {
    /// Has a seat.
    Registered,
    /// In line for a seat.
    Waitlisted,
    /// Cancelled (by the person or staff).
    Cancelled,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "registered" => Ok(Self::Registered),
            "waitlisted" => Ok(Self::Waitlisted),
            "cancelled" => Ok(Self::Cancelled),
            _ => Err(ValidationError::single(
                "status",
                "must be registered, waitlisted or cancelled",
            )),
        }
    }
}

/// Where a new registration goes: a seat while `registered` is below `capacity`, else the line.
pub fn place(registered: u32, capacity: u32) -> RegistrationStatus {
    if registered < capacity {
        RegistrationStatus::Registered
    } else {
        RegistrationStatus::Waitlisted
    }
}

/// How many of the line move up after a change: the seats free (`capacity - registered`), at
/// most as many as wait.
pub fn promotions(registered: u32, capacity: u32, waiting: u32) -> u32 {
    capacity.saturating_sub(registered).min(waiting)
}

/// A session as staff publish it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDetails {
    pub kind: SessionKind,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub capacity: u32,
}

impl SessionDetails {
    /// Checks every field at once: an end after the start, a place or an `https://` link (or
    /// both), 1 to 10,000 seats.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: SessionKind,
        title: &str,
        description: Option<&str>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        place: Option<&str>,
        online_link: Option<&str>,
        capacity: i64,
    ) -> Result<Self, ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let title = parse_text("title", title, 200)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let description = description.map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned);
        if description.as_ref().is_some_and(|d| d.chars().count() > 5000) {
            errors.push(FieldError::new("description", "must be at most 5000 characters long"));
        }
        if ends_at <= starts_at {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        }
        let place = place
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| parse_text("place", p, 300))
            .transpose()
            .map_err(|e| errors.extend(e.errors))
            .ok()
            .flatten();
        let online_link = online_link.map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned);
        if online_link
            .as_ref()
            .is_some_and(|l| !l.starts_with("https://") || l.len() > 500 || l.chars().any(char::is_whitespace))
        {
            errors.push(FieldError::new(
                "online_link",
                "must be a web address of at most 500 characters starting with https://",
            ));
        }
        if place.is_none() && online_link.is_none() && errors.iter().all(|e| e.field != "place") {
            errors.push(FieldError::new("place", "give a place, an online_link, or both"));
        }
        let capacity = u32::try_from(capacity).ok().filter(|c| (1..=10_000).contains(c));
        if capacity.is_none() {
            errors.push(FieldError::new("capacity", "must be from 1 to 10000 seats"));
        }
        match (title, capacity) {
            (Some(title), Some(capacity)) if errors.is_empty() => Ok(Self {
                kind,
                title,
                description,
                starts_at,
                ends_at,
                place,
                online_link,
                capacity,
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn seats_first_then_the_line() {
        assert_eq!(place(0, 1), RegistrationStatus::Registered);
        assert_eq!(place(9, 10), RegistrationStatus::Registered);
        assert_eq!(place(10, 10), RegistrationStatus::Waitlisted);
        assert_eq!(place(12, 10), RegistrationStatus::Waitlisted);
        assert_eq!(promotions(9, 10, 3), 1);
        assert_eq!(promotions(7, 10, 2), 2);
        assert_eq!(promotions(10, 10, 5), 0);
        assert_eq!(promotions(11, 10, 5), 0);
    }

    #[test]
    fn a_session_needs_a_place_or_a_link_and_seats() {
        let (s, e) = (at("2027-02-06T09:00:00Z"), at("2027-02-06T12:00:00Z"));
        assert!(
            SessionDetails::new(
                SessionKind::Training,
                "Fondsenwerving",
                None,
                s,
                e,
                Some("Brussel"),
                None,
                20
            )
            .is_ok()
        );
        assert!(
            SessionDetails::new(
                SessionKind::NetworkMeeting,
                "Netwerk",
                None,
                s,
                e,
                None,
                Some("https://meet.example.org/x"),
                100
            )
            .is_ok()
        );
        let fields: Vec<String> =
            SessionDetails::new(SessionKind::Training, " ", None, e, s, None, Some("http://x"), 0)
                .err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default();
        assert_eq!(fields, ["title", "ends_at", "online_link", "capacity"]);
    }
}
