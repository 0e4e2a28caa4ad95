//! Activities of volunteer groups: what, when (stored UTC, calendar in Europe/Brussels), where,
//! and how it went.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Brussels;

use crate::point::LonLat;
use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// What kind of activity a group organises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    Quiz,
    Dinner,
    Sports,
    SaleStand,
    Concert,
    Walk,
    Exhibition,
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 8] = [
        Self::Quiz,
        Self::Dinner,
        Self::Sports,
        Self::SaleStand,
        Self::Concert,
        Self::Walk,
        Self::Exhibition,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Quiz => "quiz",
            Self::Dinner => "dinner",
            Self::Sports => "sports",
            Self::SaleStand => "sale_stand",
            Self::Concert => "concert",
            Self::Walk => "walk",
            Self::Exhibition => "exhibition",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            ValidationError::single("kind", format!("must be one of: {}", names.join(", ")))
        })
    }
}

/// Where an activity stands: planned, then held (with attendance) or cancelled, for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityStatus {
    Planned,
    Held,
    Cancelled,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "planned" => Ok(Self::Planned),
            "held" => Ok(Self::Held),
            "cancelled" => Ok(Self::Cancelled),
            _ => Err(ValidationError::single("status", "must be planned, held or cancelled")),
        }
    }
}

/// The most people one activity reports.
pub const MAX_ATTENDANCE: i64 = 1_000_000;

/// A refused status change, naming the current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the activity is {}; it cannot become {}", from.as_str(), to.as_str())]
pub struct IllegalTransition {
    pub from: ActivityStatus,
    pub to: ActivityStatus,
}

/// Checks a status change. Planned may become held (with its attendance) or cancelled; a held
/// activity may correct its attendance; nothing goes back to planned, and held and cancelled
/// never turn into each other. Staying where it is is allowed (a repeated request).
pub fn transition(from: ActivityStatus, to: ActivityStatus) -> Result<(), IllegalTransition> {
    use ActivityStatus::{Cancelled, Held, Planned};
    match (from, to) {
        (Planned, _) | (Held, Held) | (Cancelled, Cancelled) => Ok(()),
        _ => Err(IllegalTransition { from, to }),
    }
}

/// Checks an attendance figure.
pub fn attendance(raw: i64) -> Result<i32, ValidationError> {
    if (0..=MAX_ATTENDANCE).contains(&raw) {
        Ok(raw as i32)
    } else {
        Err(ValidationError::single(
            "attendance",
            format!("must be 0 to {MAX_ATTENDANCE} people"),
        ))
    }
}

/// An activity's place: a point and an optional address.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub point: LonLat,
    pub address: Option<String>,
}

impl Place {
    pub fn new(lon: f64, lat: f64, address: Option<&str>) -> Result<Self, ValidationError> {
        let point = LonLat::parse(lon, lat).map_err(|e| prefix(e, "location."));
        let address = address.map(|a| parse_text("location.address", a, 300)).transpose();
        match (point, address) {
            (Ok(point), Ok(address)) => Ok(Self { point, address }),
            (p, a) => Err(merge([p.err(), a.err()])),
        }
    }
}

/// The descriptive part of an activity, checked together.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDetails {
    pub kind: ActivityKind,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub public: bool,
}

/// The longest an activity lasts: two weeks (an exhibition, say).
pub const MAX_DURATION_DAYS: i64 = 14;

impl ActivityDetails {
    pub fn new(
        kind: ActivityKind,
        title: &str,
        description: Option<&str>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        public: bool,
    ) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        let title = parse_text("title", title, 200)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let description = match description.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if d.chars().count() > 5000 => {
                errors.push(FieldError::new("description", "must be at most 5000 characters long"));
                None
            }
            other => other.map(str::to_owned),
        };
        if !(2000..=2100).contains(&starts_at.year()) {
            errors.push(FieldError::new(
                "starts_at",
                "must be a time between the years 2000 and 2100",
            ));
        }
        if ends_at <= starts_at {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        } else if (ends_at - starts_at).num_days() > MAX_DURATION_DAYS {
            errors.push(FieldError::new(
                "ends_at",
                format!("an activity lasts at most {MAX_DURATION_DAYS} days"),
            ));
        }
        match title {
            Some(title) if errors.is_empty() => Ok(Self {
                kind,
                title,
                description,
                starts_at,
                ends_at,
                public,
            }),
            _ => Err(ValidationError { errors }),
        }
    }

    /// The calendar day the activity starts on, in Belgium.
    pub fn local_start_date(&self) -> NaiveDate {
        self.starts_at.with_timezone(&Brussels).date_naive()
    }
}

fn prefix(mut e: ValidationError, with: &str) -> ValidationError {
    for error in &mut e.errors {
        error.field = format!("{with}{}", error.field);
    }
    e
}

fn merge<const N: usize>(errors: [Option<ValidationError>; N]) -> ValidationError {
    ValidationError {
        errors: errors.into_iter().flatten().flat_map(|e| e.errors).collect(),
    }
}

/// The largest search radius of a signed-in search.
pub const MAX_RADIUS_KM: f64 = 100.0;

/// The largest search radius of the public agenda (anonymous reads stay cheap).
pub const PUBLIC_MAX_RADIUS_KM: f64 = 25.0;

/// A search radius: more than 0 and at most 100 km.
pub fn radius_km(raw: f64) -> Result<f64, ValidationError> {
    radius_km_at_most(raw, MAX_RADIUS_KM)
}

/// A search radius: more than 0 and at most `max` km.
pub fn radius_km_at_most(raw: f64, max: f64) -> Result<f64, ValidationError> {
    if raw.is_finite() && raw > 0.0 && raw <= max {
        Ok(raw)
    } else {
        Err(ValidationError::single(
            "radius_km",
            format!("must be more than 0 and at most {max} km"),
        ))
    }
}

/// Parses `lon,lat` (the `near` parameter).
pub fn parse_near(raw: &str) -> Result<LonLat, ValidationError> {
    let bad = || ValidationError::single("near", "must be `lon,lat` in decimal degrees, e.g. near=3.7210,51.0546");
    let (lon, lat) = raw.split_once(',').ok_or_else(bad)?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    LonLat::parse(lon, lat).map_err(|e| ValidationError::single("near", e.to_string()))
}

/// A bounding box `minlon,minlat,maxlon,maxlat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min: LonLat,
    pub max: LonLat,
}

impl BoundingBox {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = |why: &str| {
            ValidationError::single(
                "bbox",
                format!("{why}; give minlon,minlat,maxlon,maxlat, e.g. bbox=3.6,51.0,3.8,51.1"),
            )
        };
        let numbers: Vec<f64> = raw
            .split(',')
            .map(|n| n.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad("not four numbers"))?;
        let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
            return Err(bad("not four numbers"));
        };
        let min = LonLat::parse(min_lon, min_lat).map_err(|_| bad("a corner is out of range"))?;
        let max = LonLat::parse(max_lon, max_lat).map_err(|_| bad("a corner is out of range"))?;
        if min_lon >= max_lon || min_lat >= max_lat {
            return Err(bad("the minimum must be below the maximum"));
        }
        Ok(Self { min, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivityStatus::{Cancelled, Held, Planned};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn every_pair_of_statuses() {
        let all = [Planned, Held, Cancelled];
        let allowed = [
            (Planned, Planned),
            (Planned, Held),
            (Planned, Cancelled),
            (Held, Held),
            (Cancelled, Cancelled),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    transition(from, to).is_ok(),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(
            transition(Held, Planned).err().map(|e| e.to_string()).as_deref(),
            Some("the activity is held; it cannot become planned")
        );
    }

    #[test]
    fn details_are_checked_together() {
        let ok = ActivityDetails::new(
            ActivityKind::Quiz,
            " Quiz night ",
            None,
            at("2026-11-07T19:30:00+01:00"),
            at("2026-11-07T23:00:00+01:00"),
            true,
        );
        assert_eq!(ok.as_ref().map(|d| d.title.as_str()), Ok("Quiz night"));
        let fields = |r: Result<ActivityDetails, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        let (s, e) = (at("2026-11-07T19:30:00Z"), at("2026-11-07T18:00:00Z"));
        assert_eq!(
            fields(ActivityDetails::new(
                ActivityKind::Walk,
                "",
                Some(&"x".repeat(5001)),
                s,
                e,
                true
            )),
            ["title", "description", "ends_at"]
        );
        assert_eq!(
            fields(ActivityDetails::new(
                ActivityKind::Walk,
                "Walk",
                None,
                s,
                at("2026-12-07T18:00:00Z"),
                true
            )),
            ["ends_at"]
        );
        assert_eq!(
            fields(ActivityDetails::new(
                ActivityKind::Walk,
                "Walk",
                None,
                at("1999-01-01T00:00:00Z"),
                at("1999-01-01T01:00:00Z"),
                true
            )),
            ["starts_at"]
        );
    }

    #[test]
    fn the_calendar_day_is_belgian() {
        // 23:30 UTC on 10 November is already 11 November in Brussels.
        let d = ActivityDetails::new(
            ActivityKind::Dinner,
            "Dinner",
            None,
            at("2026-11-10T23:30:00Z"),
            at("2026-11-11T01:00:00Z"),
            false,
        );
        assert_eq!(
            d.map(|d| d.local_start_date().to_string()).ok().as_deref(),
            Some("2026-11-11")
        );
    }

    #[test]
    fn search_parameters() {
        assert!(parse_near("3.72,51.05").is_ok());
        for bad in ["", "3.72", "a,b", "3.72,51.05,1", "200,51", "3.72;51.05"] {
            assert!(parse_near(bad).is_err(), "{bad}");
        }
        assert!(radius_km(5.0).is_ok());
        assert!(radius_km_at_most(25.0, PUBLIC_MAX_RADIUS_KM).is_ok());
        assert!(radius_km_at_most(25.5, PUBLIC_MAX_RADIUS_KM).is_err_and(|e| e.to_string().contains("at most 25 km")));
        for bad in [0.0, -1.0, 100.5, f64::NAN, f64::INFINITY] {
            assert!(radius_km(bad).is_err(), "{bad}");
        }
        assert!(BoundingBox::parse("3.6,51.0,3.8,51.1").is_ok());
        for bad in [
            "3.6,51.0,3.8",
            "3.8,51.0,3.6,51.1",
            "3.6,51.1,3.8,51.0",
            "a,b,c,d",
            "3.6,51.0,3.8,91",
        ] {
            assert!(BoundingBox::parse(bad).is_err(), "{bad}");
        }
        assert!(Place::new(3.72, 51.05, Some("Korenmarkt 1, Gent")).is_ok());
        let e = Place::new(300.0, 51.05, Some(""))
            .err()
            .map(|e| e.errors.into_iter().map(|e| e.field).collect::<Vec<_>>());
        assert_eq!(e, Some(vec!["location.lon".to_owned(), "location.address".to_owned()]));
        assert!(attendance(-1).is_err() && attendance(MAX_ATTENDANCE + 1).is_err() && attendance(40).is_ok());
        assert!(ActivityKind::parse("bbq").is_err());
        assert_eq!(ActivityKind::parse("sale_stand"), Ok(ActivityKind::SaleStand));
    }
}
