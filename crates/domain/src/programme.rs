//! The engagement programmes 11.11.11 offers municipalities, each with its criteria; staff
//! manage them, and the two below are there from the start.

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// One criterion of a programme; a municipality keeps evidence per criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub code: String,
    pub title: String,
}

/// A programme and its criteria, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub code: String,
    pub name: String,
    pub criteria: Vec<Criterion>,
}

/// Criteria a programme has at most.
pub const MAX_CRITERIA: usize = 20;

/// A programme or criterion code: a slug of 2 to 40 lower-case letters, digits and hyphens, such
/// as `faire-gemeente` or `steering-group`.
pub fn programme_code(field: &str, raw: &str) -> Result<String, ValidationError> {
    let ok = (2..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationError::single(
            field,
            "must be 2 to 40 lower-case letters, digits and hyphens, e.g. faire-gemeente",
        ))
    }
}

impl Programme {
    /// A programme from what a client sent: its code, a name of 1 to 120 characters and 1 to
    /// `MAX_CRITERIA` criteria with distinct codes and titles of 1 to 200 characters.
    pub fn new(code: &str, name: &str, criteria: &[(String, String)]) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        let code = programme_code("code", code).map_err(|e| errors.extend(e.errors)).ok();
        let name = parse_text("name", name, 120).map_err(|e| errors.extend(e.errors)).ok();
        if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
            errors.push(FieldError::new(
                "criteria",
                format!("give 1 to {MAX_CRITERIA} criteria"),
            ));
        }
        let mut checked = Vec::with_capacity(criteria.len());
        for (i, (code, title)) in criteria.iter().enumerate() {
            let code = programme_code(&format!("criteria[{i}].code"), code)
                .map_err(|e| errors.extend(e.errors))
                .ok();
            if let Some(code) = &code
                && checked.iter().any(|c: &Criterion| &c.code == code)
            {
                errors.push(FieldError::new(
                    format!("criteria[{i}].code"),
                    format!("{code} is given twice; each criterion needs its own code"),
                ));
            }
            let title = parse_text(&format!("criteria[{i}].title"), title, 200)
                .map_err(|e| errors.extend(e.errors))
                .ok();
            if let (Some(code), Some(title)) = (code, title) {
                checked.push(Criterion { code, title });
            }
        }
        match (code, name) {
            (Some(code), Some(name)) if errors.is_empty() => Ok(Self {
                code,
                name,
                criteria: checked,
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

fn seeded(code: &str, name: &str, criteria: &[(&str, &str)]) -> Programme {
    Programme {
        code: code.to_owned(),
        name: name.to_owned(),
        criteria: criteria
            .iter()
            .map(|(code, title)| Criterion {
                code: (*code).to_owned(),
                title: (*title).to_owned(),
            })
            .collect(),
    }
}

/// The programmes every installation starts with: Faire Gemeente (the Belgian fair-trade title,
/// six criteria, the sixth as its organisers define it) and Solidaire Gemeente (the network of
/// solidary municipalities for people on the move: a council decision and the commitments
/// chosen).
pub fn seeded_programmes() -> Vec<Programme> {
    vec![
        seeded(
            "faire-gemeente",
            "Faire Gemeente",
            &[
                ("council", "Het gemeentebestuur engageert zich"),
                ("shops-horeca", "Winkels en horeca bieden fairtrade aan"),
                ("organisations", "Scholen, bedrijven en organisaties doen mee"),
                ("communication", "Communicatie en media"),
                ("steering-group", "Een lokale stuurgroep"),
                ("sixth", "Het zesde criterium, zoals de organisatoren het bepalen"),
            ],
        ),
        seeded(
            "solidaire-gemeente",
            "Solidaire Gemeente",
            &[
                ("council-decision", "Een beslissing van de gemeenteraad"),
                ("reception", "Opvangplaatsen"),
                ("support", "Ondersteuning van mensen op de vlucht"),
                ("financial-support", "Financiële steun"),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_programmes_pass_their_own_checks() {
        let seeded = seeded_programmes();
        assert_eq!(
            seeded.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            ["faire-gemeente", "solidaire-gemeente"]
        );
        assert_eq!(seeded[0].criteria.len(), 6);
        for p in seeded {
            let criteria: Vec<(String, String)> =
                p.criteria.iter().map(|c| (c.code.clone(), c.title.clone())).collect();
            assert_eq!(Programme::new(&p.code, &p.name, &criteria), Ok(p.clone()));
        }
    }

    #[test]
    fn a_programme_is_checked_field_by_field() {
        let criterion = |code: &str, title: &str| (code.to_owned(), title.to_owned());
        let fields = |r: Result<Programme, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(Programme::new("Faire Gemeente", "", &[])),
            ["code", "name", "criteria"]
        );
        assert_eq!(
            fields(Programme::new(
                "fair",
                "Fair",
                &[criterion("a-b", "One"), criterion("a-b", "Two"), criterion("-x", "")]
            )),
            ["criteria[1].code", "criteria[2].code", "criteria[2].title"]
        );
        let many: Vec<(String, String)> = (0..21).map(|i| criterion(&format!("c{i}"), "T")).collect();
        assert_eq!(fields(Programme::new("fair", "Fair", &many)), ["criteria"]);
        assert!(programme_code("code", "solidaire-gemeente").is_ok());
        assert!(programme_code("code", "x").is_err());
    }
}
