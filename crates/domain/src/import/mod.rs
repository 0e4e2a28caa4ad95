//! Spreadsheet imports: a sheet of text cells is read into typed rows, each with its own errors,
//! and planned against what is stored, row by row: what would be created, updated, left as it is
//! or refused, and why. Pure: the file is decoded by the API and the plan carried out by the
//! persistence layer, in one transaction, only when no row is refused.

pub mod groups;
pub mod materials;

use crate::municipality_names::name_key;

/// The most data rows one file may hold (the biggest group list of a year is about 3,000 people).
pub const MAX_ROWS: usize = 5_000;

/// A spreadsheet as text: the header row and the data rows, numbered as the spreadsheet
/// numbers them (the header is row 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// The row number as the spreadsheet shows it.
    pub number: usize,
    pub cells: Vec<String>,
}

impl SheetRow {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A problem with the file as a whole (no header, a required column missing, too many rows):
/// nothing of it can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A column the import reads, with the header names it is known by (compared without case,
/// accents, spaces or punctuation).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// Where each column of an import is in a sheet.
#[derive(Debug, Clone)]
pub struct Layout {
    positions: Vec<Option<usize>>,
    /// Headers of the sheet that no column of the import reads.
    pub ignored: Vec<String>,
}

impl Layout {
    /// Finds `columns` among the sheet's headers; a required column missing, or a column given
    /// twice, makes the file unreadable.
    pub fn locate(headers: &[String], columns: &[Column]) -> Result<Self, FileError> {
        let keys: Vec<String> = headers.iter().map(|h| name_key(h)).collect();
        let mut positions = Vec::with_capacity(columns.len());
        let mut used = vec![false; headers.len()];
        let mut missing = Vec::new();
        for column in columns {
            let found: Vec<usize> = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| *k == &name_key(column.name) || column.aliases.iter().any(|a| **k == name_key(a)))
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if column.required => missing.push(column),
                [] => positions.push(None),
                [one] => {
                    used[*one] = true;
                    positions.push(Some(*one));
                }
                [first, second, ..] => {
                    return Err(FileError(format!(
                        "the columns {:?} and {:?} both give {}; keep one of them",
                        headers[*first], headers[*second], column.name
                    )));
                }
            }
        }
        if !missing.is_empty() {
            let wanted: Vec<String> = missing
                .iter()
                .map(|c| format!("{} (or {})", c.name, c.aliases.join(", ")))
                .collect();
            return Err(FileError(format!(
                "the first row must name the columns; missing: {}. Found: {}",
                wanted.join("; "),
                if headers.is_empty() {
                    "no header row".to_owned()
                } else {
                    headers.join(", ")
                }
            )));
        }
        let ignored = headers
            .iter()
            .zip(&used)
            .filter(|(h, used)| !**used && !h.trim().is_empty())
            .map(|(h, _)| h.clone())
            .collect();
        Ok(Self { positions, ignored })
    }

    /// The trimmed cell of column `index` (in the order given to [`Layout::locate`]); empty when
    /// the column is absent or the row is short.
    pub fn cell<'a>(&self, row: &'a SheetRow, index: usize) -> &'a str {
        self.positions
            .get(index)
            .copied()
            .flatten()
            .and_then(|i| row.cells.get(i))
            .map_or("", |c| c.trim())
    }
}

/// The data rows worth reading: blank rows are skipped; more than [`MAX_ROWS`] is refused.
pub fn data_rows(sheet: &Sheet) -> Result<Vec<&SheetRow>, FileError> {
    let rows: Vec<&SheetRow> = sheet.rows.iter().filter(|r| !r.is_blank()).collect();
    if rows.is_empty() {
        return Err(FileError(
            "the file has a header row but no data rows; add one row per line to import".to_owned(),
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(FileError(format!(
            "the file has {} data rows; import at most {MAX_ROWS} at once (split the file)",
            rows.len()
        )));
    }
    Ok(rows)
}

/// What an import does with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Unchanged => "unchanged",
            Self::Refused => "refused",
        }
    }
}

/// One problem of one row: the column (as the import names it) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub message: String,
}

/// The error of `column`: what is wrong with its cell.
fn cell(column: &'static str, message: impl Into<String>) -> CellError {
    CellError {
        column,
        message: message.into(),
    }
}

/// The outcome of one row, with what it does (`notes`) or why it is refused (`errors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub row: usize,
    pub outcome: Outcome,
    pub notes: Vec<String>,
    pub errors: Vec<CellError>,
}

impl RowReport {
    fn refused(row: usize, errors: Vec<CellError>) -> Self {
        Self {
            row,
            outcome: Outcome::Refused,
            notes: Vec::new(),
            errors,
        }
    }

    fn planned(row: usize, created: bool, updated: bool, notes: Vec<String>) -> Self {
        let outcome = if created {
            Outcome::Created
        } else if updated {
            Outcome::Updated
        } else {
            Outcome::Unchanged
        };
        Self {
            row,
            outcome,
            notes,
            errors: Vec::new(),
        }
    }
}

/// How many rows had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
}

impl Summary {
    pub fn of(reports: &[RowReport]) -> Self {
        let count = |o: Outcome| reports.iter().filter(|r| r.outcome == o).count();
        Self {
            rows: reports.len(),
            created: count(Outcome::Created),
            updated: count(Outcome::Updated),
            unchanged: count(Outcome::Unchanged),
            refused: count(Outcome::Refused),
        }
    }

    /// Whether the file may be imported: no row refused.
    pub fn acceptable(&self) -> bool {
        self.refused == 0
    }

    /// Whether importing it changes anything.
    pub fn changes_anything(&self) -> bool {
        self.created + self.updated > 0
    }
}

/// The message of the first error of a domain parser, for a cell.
fn first_message(e: &crate::ValidationError) -> String {
    e.errors
        .first()
        .map_or_else(|| "is not valid".to_owned(), |f| f.message.clone())
}

#[cfg(test)]
pub(crate) mod test_sheet {
    use super::{Sheet, SheetRow};

    /// A sheet from a header and rows of cells, numbered from row 2.
    pub fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| SheetRow {
                    number: i + 2,
                    cells: cells.iter().map(|c| (*c).to_owned()).collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_sheet::sheet;
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "group",
            aliases: &["groep"],
            required: true,
        },
        Column {
            name: "email",
            aliases: &["e-mail"],
            required: false,
        },
    ];

    #[test]
    fn headers_are_found_by_any_known_name_in_any_case_and_others_are_ignored() {
        let s = sheet(&["GROEP", "Opmerking", "E-Mail"], &[&["A", "x", "a@b.be"]]);
        let layout = Layout::locate(&s.headers, COLUMNS).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(layout.cell(&s.rows[0], 0), "A");
        assert_eq!(layout.cell(&s.rows[0], 1), "a@b.be");
        assert_eq!(layout.ignored, vec!["Opmerking".to_owned()]);
    }

    #[test]
    fn a_missing_required_column_names_what_is_accepted() {
        let s = sheet(&["naam", "email"], &[]);
        let e = Layout::locate(&s.headers, COLUMNS)
            .err()
            .unwrap_or_else(|| unreachable!());
        assert!(e.0.contains("group (or groep)"), "{e}");
        assert!(e.0.contains("Found: naam, email"), "{e}");
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let s = sheet(&["group", "Groep"], &[]);
        assert!(Layout::locate(&s.headers, COLUMNS).is_err());
    }

    #[test]
    fn short_rows_read_as_empty_cells_and_blank_rows_are_skipped() {
        let s = sheet(&["email", "group"], &[&["a@b.be"], &["", " "], &["c@d.be", "B"]]);
        let layout = Layout::locate(&s.headers, COLUMNS).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(layout.cell(&s.rows[0], 0), "");
        let rows = data_rows(&s).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn a_file_without_data_or_with_too_many_rows_is_refused() {
        assert!(data_rows(&sheet(&["group"], &[&[""]])).is_err());
        let many = Sheet {
            headers: vec!["group".into()],
            rows: (0..=MAX_ROWS)
                .map(|i| SheetRow {
                    number: i + 2,
                    cells: vec!["x".into()],
                })
                .collect(),
        };
        assert!(data_rows(&many).is_err());
    }

    #[test]
    fn the_summary_counts_outcomes_and_a_refused_row_blocks_the_file() {
        let reports = vec![
            RowReport::planned(2, true, false, vec![]),
            RowReport::planned(3, false, true, vec![]),
            RowReport::planned(4, false, false, vec![]),
            RowReport::refused(5, vec![]),
        ];
        let s = Summary::of(&reports);
        assert_eq!((s.rows, s.created, s.updated, s.unchanged, s.refused), (4, 1, 1, 1, 1));
        assert!(!s.acceptable());
        assert!(s.changes_anything());
        assert!(!Summary::of(&reports[2..3]).changes_anything());
    }
}
