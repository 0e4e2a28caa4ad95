//! Finding a municipality from what people type in a spreadsheet: its NIS code, or its name in
//! any case, with or without accents, "Sint-" written "St.-", "St " or "Sint ", and the names and
//! codes of the municipalities merged on 1 January 2025 pointing to the municipality they are
//! part of now.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::municipality::NisCode;

/// The mergers of 1 January 2025 in Flanders: (former NIS code, former name, NIS code now).
/// Source: Statbel REFNIS 2025 and the "wijzigende gebiedsindelingen" table of Data & Analyse
/// van de Vlaamse provincies (github.com/provinciesincijfers/gebiedsniveaus). Hasselt, Lokeren,
/// Lochristi, Tielt and Wingene kept their names but got new codes.
pub const MERGED_2025: &[(&str, &str, &str)] = &[
    ("11007", "Borsbeek", "11002"),
    ("23023", "Galmaarden", "23106"),
    ("23024", "Gooik", "23106"),
    ("23032", "Herne", "23106"),
    ("37012", "Ruiselede", "37021"),
    ("37018", "Wingene", "37021"),
    ("37007", "Meulebeke", "37022"),
    ("37015", "Tielt", "37022"),
    ("44012", "De Pinte", "44086"),
    ("44048", "Nazareth", "44086"),
    ("44034", "Lochristi", "44087"),
    ("44073", "Wachtebeke", "44087"),
    ("46014", "Lokeren", "46029"),
    ("44045", "Moerbeke", "46029"),
    ("44040", "Melle", "44088"),
    ("44043", "Merelbeke", "44088"),
    ("46003", "Beveren", "46030"),
    ("46013", "Kruibeke", "46030"),
    ("11056", "Zwijndrecht", "46030"),
    ("73006", "Bilzen", "73110"),
    ("73032", "Hoeselt", "73110"),
    ("73009", "Borgloon", "73111"),
    ("73083", "Tongeren", "73111"),
    ("71069", "Ham", "71071"),
    ("71057", "Tessenderlo", "71071"),
    ("71022", "Hasselt", "71072"),
    ("73040", "Kortessem", "71072"),
];

/// A name as it is compared: accents and case dropped, "St."/"St"/"Sint" as "sint", and only
/// letters and digits kept ("Sint-Genesius-Rode", "st genesius rode" → "sintgenesiusrode").
pub fn name_key(raw: &str) -> String {
    let folded: String = raw
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| if w == "st" { "sint".to_owned() } else { w.to_owned() })
        .collect();
    words.concat()
}

/// How a municipality was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// By its current code or name.
    Current(NisCode),
    /// By the name or code of a municipality merged into it in 2025.
    Merged { into: NisCode, former: &'static str },
}

impl Found {
    pub fn nis(&self) -> NisCode {
        match self {
            Self::Current(nis) | Self::Merged { into: nis, .. } => *nis,
        }
    }
}

/// The municipalities by code and by name key, the 2025 mergers included.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityNames {
    current: HashMap<String, NisCode>,
    former: HashMap<String, (NisCode, &'static str)>,
    display: HashMap<NisCode, String>,
}

impl MunicipalityNames {
    /// From the registry: each municipality's code, Dutch name and French name (Brussels).
    pub fn new<'a>(registry: impl IntoIterator<Item = (NisCode, &'a str, Option<&'a str>)>) -> Self {
        let mut names = Self::default();
        for (nis, name_nl, name_fr) in registry {
            names.current.insert(nis.as_str().to_owned(), nis);
            names.current.insert(name_key(name_nl), nis);
            names.display.insert(nis, name_nl.to_owned());
            if let Some(fr) = name_fr {
                names.current.insert(name_key(fr), nis);
            }
        }
        for (old_nis, old_name, new_nis) in MERGED_2025 {
            let Ok(into) = NisCode::parse(new_nis) else { continue };
            if !names.current.values().any(|n| *n == into) {
                continue;
            }
            names.former.insert((*old_nis).to_owned(), (into, old_name));
            names.former.entry(name_key(old_name)).or_insert((into, old_name));
        }
        names
    }

    /// The municipality's name with its code, as a person reads it: "Gent (44021)".
    pub fn label(&self, nis: NisCode) -> String {
        match self.display.get(&nis) {
            Some(name) => format!("{name} ({nis})"),
            None => nis.to_string(),
        }
    }

    /// The municipality `raw` names (a NIS code or a name); the error says what was not found.
    pub fn find(&self, raw: &str) -> Result<Found, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("no municipality given: write its name or NIS code".to_owned());
        }
        let key = if raw.len() == 5 && raw.bytes().all(|b| b.is_ascii_digit()) {
            raw.to_owned()
        } else {
            name_key(raw)
        };
        if let Some(nis) = self.current.get(&key) {
            return Ok(Found::Current(*nis));
        }
        if let Some((into, former)) = self.former.get(&key) {
            return Ok(Found::Merged { into: *into, former });
        }
        Err(format!(
            "no municipality of Flanders or Brussels is called {raw:?}; write its name as in the registry \
             (e.g. Sint-Niklaas) or its 5-digit NIS code"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nis(code: &str) -> NisCode {
        NisCode::parse(code).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn names() -> MunicipalityNames {
        let registry = [
            ("44021", "Gent", None),
            ("46021", "Sint-Niklaas", None),
            ("23101", "Sint-Genesius-Rode", None),
            ("21004", "Brussel", Some("Bruxelles")),
            ("21009", "Elsene", Some("Ixelles")),
            ("11002", "Antwerpen", None),
            ("46030", "Beveren-Kruibeke-Zwijndrecht", None),
            ("71072", "Hasselt", None),
            ("23106", "Pajottegem", None),
            ("46029", "Lokeren", None),
            ("21015", "Schaarbeek", Some("Schaerbeek")),
        ];
        MunicipalityNames::new(registry.iter().map(|(c, nl, fr)| (nis(c), *nl, *fr)))
    }

    #[test]
    fn names_are_found_whatever_their_spelling() {
        let names = names();
        for typed in [
            "Sint-Niklaas",
            "sint niklaas",
            "ST.-NIKLAAS",
            "St Niklaas",
            "St-Niklaas",
            " sint-niklaas ",
        ] {
            assert_eq!(names.find(typed), Ok(Found::Current(nis("46021"))), "{typed}");
        }
        assert_eq!(names.find("st genesius-rode").map(|f| f.nis()), Ok(nis("23101")));
        assert_eq!(names.find("Bruxelles").map(|f| f.nis()), Ok(nis("21004")));
        assert_eq!(names.find("Schaerbeek").map(|f| f.nis()), Ok(nis("21015")));
        assert_eq!(
            names.find("ÉLSENE").map(|f| f.nis()),
            Ok(nis("21009")),
            "accents and case"
        );
        assert_eq!(names.find("44021"), Ok(Found::Current(nis("44021"))));
    }

    #[test]
    fn merged_municipalities_point_to_the_new_one() {
        let names = names();
        assert_eq!(
            names.find("Zwijndrecht"),
            Ok(Found::Merged {
                into: nis("46030"),
                former: "Zwijndrecht"
            })
        );
        assert_eq!(names.find("borsbeek").map(|f| f.nis()), Ok(nis("11002")));
        assert_eq!(names.find("Gooik").map(|f| f.nis()), Ok(nis("23106")));
        // Same name, new code: the old code is found too.
        assert_eq!(names.find("Hasselt"), Ok(Found::Current(nis("71072"))));
        assert_eq!(names.find("71022").map(|f| f.nis()), Ok(nis("71072")));
        assert_eq!(names.find("46014").map(|f| f.nis()), Ok(nis("46029")));
    }

    #[test]
    fn unknown_names_say_so() {
        let names = names();
        let unknown = names.find("Gend").err().unwrap_or_default();
        assert!(
            unknown.contains("\"Gend\"") && unknown.contains("NIS code"),
            "{unknown}"
        );
        assert!(names.find("  ").is_err());
        assert!(names.find("99999").is_err());
        // A merged municipality whose new one is not in the registry is not found.
        assert!(names.find("Melle").is_err());
        assert_eq!(name_key("Sint-Genesius-Rode"), name_key("St. Genesius Rode"));
        assert_ne!(name_key("Stekene"), name_key("Sint ekene"), "st only as a word");
    }
}
