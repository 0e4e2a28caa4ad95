//! Municipalities (gemeenten): NIS codes, provinces and regions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A Statbel NIS (REFNIS) municipality code: exactly five ASCII digits, e.g. `44021` for Gent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NisCode([u8; 5]);

impl NisCode {
    /// Parses a NIS code; the error names `field` so it can be shown to the sender.
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let bytes = raw.as_bytes();
        if bytes.len() != 5 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::single(
                field,
                format!(
                    "`{}` is not a NIS code: a NIS code has exactly 5 digits, e.g. 44021 for Gent",
                    truncate(raw, 20)
                ),
            ));
        }
        let mut code = [0u8; 5];
        code.copy_from_slice(bytes);
        Ok(Self(code))
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::parse_field("nis_code", raw)
    }

    pub fn as_str(&self) -> &str {
        // The constructor only accepts ASCII digits, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("00000")
    }

    /// The province or region this code belongs to, from its arrondissement digits
    /// (11–13 Antwerpen, 21 Brussels, 23–24 Vlaams-Brabant, 31–38 West-Vlaanderen,
    /// 41–46 Oost-Vlaanderen, 71–73 Limburg). `None` outside Flanders and Brussels.
    pub fn province(&self) -> Option<Province> {
        match (self.0[0], self.0[1]) {
            (b'1', b'1'..=b'3') => Some(Province::Antwerpen),
            (b'2', b'1') => Some(Province::BrusselsCapital),
            (b'2', b'3'..=b'4') => Some(Province::VlaamsBrabant),
            (b'3', b'1'..=b'8') => Some(Province::WestVlaanderen),
            (b'4', b'1'..=b'6') => Some(Province::OostVlaanderen),
            (b'7', b'1'..=b'3') => Some(Province::Limburg),
            _ => None,
        }
    }
}

fn truncate(raw: &str, max: usize) -> String {
    raw.chars().take(max).collect()
}

impl fmt::Display for NisCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NisCode {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for NisCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NisCode> for String {
    fn from(code: NisCode) -> Self {
        code.as_str().to_owned()
    }
}

/// The five Flemish provinces, and the Brussels-Capital Region, which has no province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Province {
    Antwerpen,
    Limburg,
    OostVlaanderen,
    VlaamsBrabant,
    WestVlaanderen,
    BrusselsCapital,
}

impl Province {
    pub const ALL: [Province; 6] = [
        Province::Antwerpen,
        Province::Limburg,
        Province::OostVlaanderen,
        Province::VlaamsBrabant,
        Province::WestVlaanderen,
        Province::BrusselsCapital,
    ];

    /// The official Dutch name, as stored and as shown in the API.
    pub fn name(self) -> &'static str {
        match self {
            Province::Antwerpen => "Antwerpen",
            Province::Limburg => "Limburg",
            Province::OostVlaanderen => "Oost-Vlaanderen",
            Province::VlaamsBrabant => "Vlaams-Brabant",
            Province::WestVlaanderen => "West-Vlaanderen",
            Province::BrusselsCapital => "Brussels-Capital Region",
        }
    }

    pub fn region(self) -> Region {
        match self {
            Province::BrusselsCapital => Region::Brussels,
            _ => Region::Flanders,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|p| p.name() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
            ValidationError::single(
                "province",
                format!(
                    "unknown province `{}`; expected one of: {}",
                    truncate(raw, 40),
                    names.join(", ")
                ),
            )
        })
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The region a municipality lies in: the campaign covers Flanders and Brussels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Flanders,
    Brussels,
}

impl Region {
    pub fn name(self) -> &'static str {
        match self {
            Region::Flanders => "Flanders",
            Region::Brussels => "Brussels",
        }
    }
}

/// One municipality of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub nis_code: NisCode,
    pub name_nl: String,
    /// The official French name; only the 19 Brussels municipalities have one.
    pub name_fr: Option<String>,
    pub province: Province,
}

impl Municipality {
    pub fn region(&self) -> Region {
        self.province.region()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_five_digit_codes_only() {
        assert_eq!(NisCode::parse("44021").map(|c| c.to_string()), Ok("44021".to_owned()));
        for bad in ["", "4402", "440210", "4402a", " 44021", "٤٤٠٢١", "44 21"] {
            let err = NisCode::parse(bad).err();
            assert!(err.is_some(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn error_names_the_field_and_gives_an_example() {
        let err = NisCode::parse_field("municipality_nis", "gent").err();
        let err = err.map(|e| e.errors[0].clone());
        assert_eq!(err.as_ref().map(|e| e.field.as_str()), Some("municipality_nis"));
        assert!(err.is_some_and(|e| e.message.contains("5 digits")));
    }

    #[test]
    fn province_follows_arrondissement_digits() {
        let cases = [
            ("11002", Some(Province::Antwerpen)),
            ("13040", Some(Province::Antwerpen)),
            ("21004", Some(Province::BrusselsCapital)),
            ("23106", Some(Province::VlaamsBrabant)),
            ("24062", Some(Province::VlaamsBrabant)),
            ("31005", Some(Province::WestVlaanderen)),
            ("38025", Some(Province::WestVlaanderen)),
            ("44021", Some(Province::OostVlaanderen)),
            ("46030", Some(Province::OostVlaanderen)),
            ("71072", Some(Province::Limburg)),
            ("73109", Some(Province::Limburg)),
            ("25005", None), // Walloon Brabant
            ("92094", None), // Namur
        ];
        for (code, expected) in cases {
            let parsed = NisCode::parse(code).ok().and_then(|c| c.province());
            assert_eq!(parsed, expected, "{code}");
        }
    }

    #[test]
    fn province_names_round_trip() {
        for p in Province::ALL {
            assert_eq!(Province::parse(p.name()), Ok(p));
        }
        assert!(Province::parse("Namen").is_err());
        assert_eq!(Province::BrusselsCapital.region(), Region::Brussels);
        assert_eq!(Province::Limburg.region(), Region::Flanders);
    }
}
