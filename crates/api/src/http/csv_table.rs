//! CSV answers, written with the `csv` crate (RFC 4180 quoting, CRLF line ends).
//!
//! A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return; OWASP "CSV injection") is written with a leading `'`, so it opens as
//! text. Number cells are written as numbers: a negative amount stays `-500`.

use std::borrow::Cow;

use crate::problem::ApiError;

/// One cell of a row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text from data (names, labels, codes): neutralised when it could run as a formula.
    Text(&'a str),
    /// A number, written as is.
    Number(i64),
}

/// A CSV document being written in memory.
pub struct CsvTable {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvTable {
    /// A table with this header row.
    pub fn new(header: &[&str]) -> Result<Self, ApiError> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(header).map_err(|e| ApiError::internal(&e))?;
        Ok(Self { writer })
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), ApiError> {
        let fields: Vec<Cow<'_, str>> = cells
            .iter()
            .map(|cell| match cell {
                Cell::Text(text) => neutralised(text),
                Cell::Number(n) => Cow::Owned(n.to_string()),
            })
            .collect();
        let fields = fields.iter().map(|f| f.as_bytes());
        self.writer.write_record(fields).map_err(|e| ApiError::internal(&e))
    }

    /// The document.
    pub fn finish(self) -> Result<String, ApiError> {
        let bytes = self.writer.into_inner().map_err(|e| ApiError::internal(&e.error()))?;
        String::from_utf8(bytes).map_err(|e| ApiError::internal(&e))
    }
}

/// `text`, with a leading `'` when a spreadsheet would read it as a formula.
pub fn neutralised(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[Cell<'_>]]) -> String {
        let mut table = CsvTable::new(&["key", "label", "raised_cents"]).unwrap_or_else(|_| unreachable!());
        for row in rows {
            table.row(row).unwrap_or_else(|_| unreachable!());
        }
        table.finish().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn formulas_in_text_cells_are_neutralised_and_numbers_kept() {
        let csv = table(&[
            &[
                Cell::Text("a"),
                Cell::Text("=HYPERLINK(\"http://x\")"),
                Cell::Number(-500),
            ],
            &[Cell::Text("+1"), Cell::Text("-2"), Cell::Number(7)],
            &[Cell::Text("@SUM(A1)"), Cell::Text("\tx"), Cell::Number(0)],
            &[Cell::Text("\rx"), Cell::Text("Gent, \"centrum\""), Cell::Number(1)],
        ]);
        assert_eq!(
            csv,
            "key,label,raised_cents\r\n\
             a,\"'=HYPERLINK(\"\"http://x\"\")\",-500\r\n\
             '+1,'-2,7\r\n\
             '@SUM(A1),'\tx,0\r\n\
             \"'\rx\",\"Gent, \"\"centrum\"\"\",1\r\n"
        );
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        assert_eq!(neutralised("Comité Gent"), "Comité Gent");
        assert_eq!(neutralised(""), "");
        assert_eq!(neutralised("2026-11-07"), "2026-11-07");
    }
}
