//! Importing the material catalogue and its stock: one row per material, found by its code. The
//! stock column is the count on hand (not a change), so importing the same file again changes
//! nothing; it may not fall below what approved requests have reserved.

use std::collections::HashMap;

use super::{CellError, Column, FileError, Layout, RowReport, Sheet, cell, data_rows, first_message};
use crate::material::{MAX_STOCK, material_code};
use crate::user::parse_text;

const CODE: usize = 0;
const NAME: usize = 1;
const LENT: usize = 2;
const STOCK: usize = 3;

/// The longest material name.
pub const MAX_NAME_CHARS: usize = 120;

/// The columns of a materials file, in the order of the constants above.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "code",
        aliases: &["material_code", "materiaalcode", "artikelcode", "artikel"],
        required: true,
    },
    Column {
        name: "name",
        aliases: &["naam", "material", "materiaal", "omschrijving"],
        required: true,
    },
    Column {
        name: "lent",
        aliases: &["uitgeleend", "uitlenen", "ontlening", "loan"],
        required: false,
    },
    Column {
        name: "stock_on_hand",
        aliases: &["stock", "voorraad", "aantal", "in stock"],
        required: true,
    },
];

/// A stored material, as the import compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMaterial {
    pub code: String,
    pub name: String,
    pub lent: bool,
    pub stock_on_hand: i32,
    pub reserved: i32,
    /// Whether approved, shipped or delivered requests hold it: what a return gives back depends
    /// on `lent`, so it cannot change under them.
    pub on_requests: bool,
}

/// One change the import makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaterialChange {
    Create {
        code: String,
        name: String,
        lent: bool,
        stock: i32,
    },
    /// Only what differs is `Some`.
    Update {
        code: String,
        name: Option<String>,
        lent: Option<bool>,
        /// The stock counted now.
        stock: Option<i32>,
    },
}

/// The outcome of every row and, when none is refused, the changes to make.
#[derive(Debug, Clone)]
pub struct MaterialPlan {
    pub reports: Vec<RowReport>,
    pub changes: Vec<MaterialChange>,
    pub ignored_columns: Vec<String>,
}

struct MaterialRow {
    row: usize,
    code: String,
    name: String,
    /// `None` when the cell is empty: no for a new material, unchanged for a known one.
    lent: Option<bool>,
    stock: i32,
}

/// "ja", "yes", "x", "1", … or "nee", "no", "0", …; `None` for an empty cell.
pub fn parse_yes_no(raw: &str) -> Result<Option<bool>, String> {
    match raw.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "ja" | "j" | "yes" | "y" | "true" | "waar" | "1" | "x" => Ok(Some(true)),
        "nee" | "n" | "no" | "false" | "onwaar" | "0" => Ok(Some(false)),
        other => Err(format!(
            "{other:?} is neither yes nor no; write ja or nee (or leave it empty for nee)"
        )),
    }
}

/// A count of pieces: a whole number from 0 to [`MAX_STOCK`], written without separators.
pub fn parse_count(raw: &str) -> Result<i32, String> {
    let text = raw.trim();
    let bad = || {
        format!(
            "{:?} is not a count of pieces; write a whole number from 0 to {MAX_STOCK} without separators, e.g. 250",
            text.chars().take(40).collect::<String>()
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 7 {
        return Err(bad());
    }
    text.parse::<i32>()
        .ok()
        .filter(|n| i64::from(*n) <= MAX_STOCK)
        .ok_or_else(bad)
}

fn read_row(layout: &Layout, row: &super::SheetRow) -> Result<MaterialRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let code = material_code(&layout.cell(row, CODE).to_lowercase())
        .map_err(|e| errors.push(cell("code", first_message(&e))))
        .ok();
    let name = parse_text("name", layout.cell(row, NAME), MAX_NAME_CHARS)
        .map_err(|e| errors.push(cell("name", format!("the name {}", first_message(&e)))))
        .ok();
    let lent = parse_yes_no(layout.cell(row, LENT))
        .map_err(|m| errors.push(cell("lent", m)))
        .ok();
    let stock = parse_count(layout.cell(row, STOCK))
        .map_err(|m| errors.push(cell("stock_on_hand", m)))
        .ok();
    match (code, name, lent, stock) {
        (Some(code), Some(name), Some(lent), Some(stock)) => Ok(MaterialRow {
            row: row.number,
            code,
            name,
            lent,
            stock,
        }),
        _ => Err(errors),
    }
}

/// The codes the file names, so their materials can be looked up.
pub fn codes_named(sheet: &Sheet) -> Result<Vec<String>, FileError> {
    let layout = Layout::locate(&sheet.headers, COLUMNS)?;
    let mut codes: Vec<String> = data_rows(sheet)?
        .into_iter()
        .filter_map(|r| material_code(&layout.cell(r, CODE).to_lowercase()).ok())
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// What the import of `sheet` would do, given the stored materials it names.
pub fn plan(sheet: &Sheet, stored: &[KnownMaterial]) -> Result<MaterialPlan, FileError> {
    let layout = Layout::locate(&sheet.headers, COLUMNS)?;
    let rows = data_rows(sheet)?;
    let known: HashMap<&str, &KnownMaterial> = stored.iter().map(|m| (m.code.as_str(), m)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut changes = Vec::new();
    let mut reports = Vec::with_capacity(rows.len());
    for row in rows {
        let read = match read_row(&layout, row) {
            Ok(read) => read,
            Err(errors) => {
                reports.push(RowReport::refused(row.number, errors));
                continue;
            }
        };
        if let Some(first) = seen.get(&read.code) {
            reports.push(RowReport::refused(
                read.row,
                vec![cell(
                    "code",
                    format!("{} is on row {first} already; one row per material", read.code),
                )],
            ));
            continue;
        }
        seen.insert(read.code.clone(), read.row);
        let stored = known.get(read.code.as_str()).copied();
        let (report, change) = plan_row(read, stored);
        reports.push(report);
        changes.extend(change);
    }
    Ok(MaterialPlan {
        reports,
        changes,
        ignored_columns: layout.ignored,
    })
}

fn plan_row(read: MaterialRow, known: Option<&KnownMaterial>) -> (RowReport, Option<MaterialChange>) {
    let Some(known) = known else {
        let lent = read.lent.unwrap_or(false);
        let note = format!(
            "adds {} ({}) with {} in stock{}",
            read.code,
            read.name,
            read.stock,
            if lent { ", lent and returned" } else { "" }
        );
        let change = MaterialChange::Create {
            code: read.code,
            name: read.name,
            lent,
            stock: read.stock,
        };
        return (RowReport::planned(read.row, true, false, vec![note]), Some(change));
    };
    if read.stock < known.reserved {
        return (
            RowReport::refused(
                read.row,
                vec![cell(
                    "stock_on_hand",
                    format!(
                        "{} of {} are reserved for approved requests; the stock cannot be below that (count again, or reject a request first)",
                        known.reserved, read.code
                    ),
                )],
            ),
            None,
        );
    }
    if read.lent.is_some_and(|l| l != known.lent) && known.on_requests {
        return (
            RowReport::refused(
                read.row,
                vec![cell(
                    "lent",
                    format!(
                        "{} is on approved, shipped or delivered requests, whose return depends on whether it is lent; keep the column as it is ({}), or add the material under a new code",
                        read.code,
                        if known.lent { "ja" } else { "nee" }
                    ),
                )],
            ),
            None,
        );
    }
    let mut notes = Vec::new();
    let name = (read.name != known.name).then(|| {
        notes.push(format!("renames {} from {} to {}", read.code, known.name, read.name));
        read.name.clone()
    });
    let lent = read.lent.filter(|l| *l != known.lent).inspect(|l| {
        notes.push(format!(
            "{} is {} from now on",
            read.code,
            if *l { "lent and returned" } else { "given away" }
        ));
    });
    let stock = (read.stock != known.stock_on_hand).then(|| {
        notes.push(format!(
            "stock of {}: {} → {} ({:+})",
            read.code,
            known.stock_on_hand,
            read.stock,
            read.stock - known.stock_on_hand
        ));
        read.stock
    });
    if name.is_none() && lent.is_none() && stock.is_none() {
        return (RowReport::planned(read.row, false, false, notes), None);
    }
    let change = MaterialChange::Update {
        code: read.code,
        name,
        lent,
        stock,
    };
    (RowReport::planned(read.row, false, true, notes), Some(change))
}

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::super::test_sheet::sheet;
    use super::*;

    const HEADERS: &[&str] = &["Code", "Naam", "Uitgeleend", "Voorraad"];

    fn known() -> Vec<KnownMaterial> {
        vec![KnownMaterial {
            code: "flag".into(),
            name: "Vlag".into(),
            lent: false,
            stock_on_hand: 40,
            reserved: 10,
            on_requests: true,
        }]
    }

    fn planned(rows: &[&[&str]]) -> MaterialPlan {
        plan(&sheet(HEADERS, rows), &known()).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn outcomes(p: &MaterialPlan) -> Vec<Outcome> {
        p.reports.iter().map(|r| r.outcome).collect()
    }

    #[test]
    fn new_materials_are_added_and_known_ones_set_to_the_counted_stock() {
        let p = planned(&[&["expo-kit", "Tentoonstelling", "ja", "3"], &["FLAG", "Vlag", "", "55"]]);
        assert_eq!(outcomes(&p), vec![Outcome::Created, Outcome::Updated]);
        assert_eq!(
            p.changes,
            vec![
                MaterialChange::Create {
                    code: "expo-kit".into(),
                    name: "Tentoonstelling".into(),
                    lent: true,
                    stock: 3
                },
                MaterialChange::Update {
                    code: "flag".into(),
                    name: None,
                    lent: None,
                    stock: Some(55)
                },
            ]
        );
        assert!(
            p.reports[1].notes[0].contains("40 → 55 (+15)"),
            "{:?}",
            p.reports[1].notes
        );
    }

    #[test]
    fn the_same_counts_again_change_nothing() {
        let p = planned(&[&["flag", "Vlag", "nee", "40"]]);
        assert_eq!(outcomes(&p), vec![Outcome::Unchanged]);
        assert!(p.changes.is_empty());
    }

    #[test]
    fn bad_numbers_codes_and_yes_no_values_are_refused_per_cell() {
        let p = planned(&[
            &["Vlag groot!", "", "misschien", "12 stuks"],
            &["poster", "Affiche", "", "1.000"],
            &["poster", "Affiche", "", "-4"],
            &["banner", "Spandoek", "", "2000000"],
        ]);
        assert_eq!(outcomes(&p), vec![Outcome::Refused; 4]);
        let columns: Vec<&str> = p.reports[0].errors.iter().map(|e| e.column).collect();
        assert_eq!(columns, vec!["code", "name", "lent", "stock_on_hand"]);
        assert!(p.reports[1].errors[0].message.contains("without separators"));
        assert!(p.changes.is_empty());
    }

    #[test]
    fn stock_below_what_is_reserved_and_a_code_twice_are_refused() {
        let p = planned(&[
            &["flag", "Vlag", "", "9"],
            &["poster", "Affiche", "", "5"],
            &["poster", "Affiche", "", "6"],
        ]);
        assert_eq!(outcomes(&p), vec![Outcome::Refused, Outcome::Created, Outcome::Refused]);
        assert!(p.reports[0].errors[0].message.contains("10 of flag are reserved"));
        assert!(p.reports[2].errors[0].message.contains("on row 3 already"));
    }

    #[test]
    fn lent_cannot_change_under_open_requests() {
        let p = planned(&[&["flag", "Vlag", "ja", "40"]]);
        assert_eq!(outcomes(&p), vec![Outcome::Refused]);
        assert_eq!(p.reports[0].errors[0].column, "lent");
        let free = vec![KnownMaterial {
            on_requests: false,
            ..known()[0].clone()
        }];
        let p = plan(&sheet(HEADERS, &[&["flag", "Vlag", "ja", "40"]]), &free).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(outcomes(&p), vec![Outcome::Updated]);
    }

    #[test]
    fn yes_no_and_counts_read_as_people_write_them() {
        assert_eq!(parse_yes_no(" JA "), Ok(Some(true)));
        assert_eq!(parse_yes_no("no"), Ok(Some(false)));
        assert_eq!(parse_yes_no(""), Ok(None));
        assert_eq!(parse_count(" 250 "), Ok(250));
        assert!(parse_count("").is_err());
        assert!(parse_count("2.5").is_err());
    }
}
