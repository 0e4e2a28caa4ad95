//! Reading an uploaded spreadsheet into a [`Sheet`] of text cells: CSV as Excel and LibreOffice
//! save it (UTF-8 with or without a byte-order mark, or Windows-1252; separated by commas,
//! semicolons or tabs) and XLSX workbooks (the first sheet), read cell by cell with limits, so a
//! small hostile file cannot make the server allocate without bound.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use campaign_domain::import::{FileError, MAX_ROWS, Sheet, SheetRow};

/// The most columns read; cells to the right of it are refused.
pub const MAX_COLUMNS: usize = 64;
/// The most a workbook may hold once unpacked (its parts as the zip file declares them).
const MAX_UNPACKED_BYTES: u128 = 32 * 1024 * 1024;
/// More rows than the import takes, so blank rows between data rows do not stop a file early.
const MAX_SHEET_ROWS: usize = MAX_ROWS + 1_000;
/// The most different texts a workbook may declare (calamine reserves room for them at once).
const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// The longest cell read (a name or an address is far shorter).
const MAX_CELL_BYTES: usize = 1_000;
/// The most text kept of one sheet.
const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// Every XLSX (and every zip file) starts with these bytes.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The kind of file, as its content type says; a "CSV" that is a zip file is read as a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

/// Reads the file; blocking work, run it off the async threads.
pub fn read(bytes: &[u8], kind: FileKind) -> Result<Sheet, FileError> {
    if bytes.is_empty() {
        return Err(FileError(
            "the file is empty; send the spreadsheet as the request body".to_owned(),
        ));
    }
    if kind == FileKind::Xlsx || bytes.starts_with(ZIP_MAGIC) {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        // Excel on Windows saves "CSV" in the ANSI code page of western Europe.
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FileError(format!("row {} cannot be read as CSV: {e}", index + 1)))?;
        if index > MAX_SHEET_ROWS {
            return Err(too_many_rows());
        }
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns(index + 1));
        }
        rows.push(SheetRow {
            // A record is a spreadsheet row (a cell may hold line breaks); as Excel writes them,
            // empty rows are lines of separators, so they count too.
            number: index + 1,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    split_header(rows)
}

/// The separator of the header line: the most frequent of `;`, `,` and tab outside quotes
/// (Excel with Belgian settings writes semicolons).
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut quoted = false;
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    for c in header.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(slot) = counts.iter_mut().find(|(sep, _)| *sep == c) {
            slot.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(sep, n)| (*n, *sep == b','))
        .map_or(b',', |(sep, _)| *sep)
}

fn not_a_workbook(e: &dyn std::fmt::Display) -> FileError {
    FileError(format!(
        "the file is not an XLSX workbook that can be read ({e}); save it again as .xlsx or as CSV"
    ))
}

/// Checks what calamine would trust before it opens the workbook: the unpacked size of its parts
/// (from the central directory) and the count of shared strings it reserves room for at once.
fn check_archive(bytes: &[u8]) -> Result<(), FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    let mut unpacked: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| not_a_workbook(&e))?;
        unpacked = unpacked.saturating_add(entry.size());
        if entry
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        {
            shared_strings.push(i);
        }
    }
    if u128::from(unpacked) > MAX_UNPACKED_BYTES {
        return Err(FileError(format!(
            "the workbook unpacks to more than {} MiB; import the sheet as CSV, or split it",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        )));
    }
    for i in shared_strings {
        let mut head = Vec::new();
        let entry = archive.by_index(i).map_err(|e| not_a_workbook(&e))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(entry, 64 * 1024), &mut head)
            .map_err(|e| not_a_workbook(&e))?;
        if unique_count(&head).is_some_and(|n| n > MAX_SHARED_STRINGS) {
            return Err(FileError(format!(
                "the workbook declares more than {MAX_SHARED_STRINGS} different texts; import the sheet as CSV"
            )));
        }
    }
    Ok(())
}

/// The `uniqueCount` attribute of the shared strings part, if its start holds one.
fn unique_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let after = &text[text.find("uniqueCount")? + "uniqueCount".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let digits: String = after
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // Longer than u64 reads as too many, as it is.
    Some(digits.parse::<u64>().unwrap_or(u64::MAX)).filter(|_| !digits.is_empty())
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, FileError> {
    check_archive(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(&e))?;
    let Some(first) = workbook.sheet_names().into_iter().next() else {
        return Err(FileError("the workbook has no sheet".to_owned()));
    };
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| not_a_workbook(&e))?;
    let mut rows: Vec<SheetRow> = Vec::new();
    let mut kept: usize = 0;
    while let Some(cell) = cells.next_cell().map_err(|e| not_a_workbook(&e))? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if row > MAX_SHEET_ROWS {
            return Err(too_many_rows());
        }
        if column >= MAX_COLUMNS {
            return Err(too_many_columns(row + 1));
        }
        if text.len() > MAX_CELL_BYTES {
            return Err(FileError(format!(
                "row {} holds a cell of more than {MAX_CELL_BYTES} bytes; no column of an import needs that much",
                row + 1
            )));
        }
        kept += text.len();
        if kept > MAX_TEXT_BYTES {
            return Err(FileError(format!(
                "the sheet holds more than {} MiB of text; import at most {MAX_ROWS} rows at once",
                MAX_TEXT_BYTES / (1024 * 1024)
            )));
        }
        match rows.last().map(|r| r.number) {
            Some(last) if last == row + 1 => {}
            Some(last) if last > row + 1 => {
                return Err(not_a_workbook(&format!("row {} comes after row {last}", row + 1)));
            }
            _ => rows.push(SheetRow {
                number: row + 1,
                cells: Vec::new(),
            }),
        }
        if let Some(last) = rows.last_mut() {
            if last.cells.len() <= column {
                last.cells.resize(column + 1, String::new());
            }
            last.cells[column] = text;
        }
    }
    split_header(rows)
}

/// A cell as text: whole numbers without a decimal part (a NIS code typed as a number reads
/// 44021, not 44021.0).
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "ja" } else { "nee" }.to_owned(),
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::Error(e) => format!("#{e}"),
    }
}

/// The first non-empty row is the header; the rest are data rows.
fn split_header(rows: Vec<SheetRow>) -> Result<Sheet, FileError> {
    let mut rows = rows
        .into_iter()
        .skip_while(|r| r.cells.iter().all(|c| c.trim().is_empty()));
    let Some(header) = rows.next() else {
        return Err(FileError(
            "the file has no rows; its first row must name the columns".to_owned(),
        ));
    };
    Ok(Sheet {
        headers: header.cells.iter().map(|c| c.trim().to_owned()).collect(),
        rows: rows.collect(),
    })
}

fn too_many_rows() -> FileError {
    FileError(format!(
        "the file has more than {MAX_ROWS} rows; import at most {MAX_ROWS} at once (split the file)"
    ))
}

fn too_many_columns(row: usize) -> FileError {
    FileError(format!(
        "row {row} has cells beyond column {MAX_COLUMNS}; keep only the columns of the import"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv_text(text: &[u8]) -> Sheet {
        read(text, FileKind::Csv).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn semicolons_bom_and_quoted_separators_are_read_as_excel_writes_them() {
        let sheet = read_csv_text(b"\xEF\xBB\xBFgroep;gemeente\r\n\"A; B\";Gent\r\n;\r\nC;44021\r\n");
        assert_eq!(sheet.headers, vec!["groep", "gemeente"]);
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[0].cells, vec!["A; B", "Gent"]);
        assert_eq!(sheet.rows[0].number, 2);
        assert_eq!(sheet.rows[2].number, 4);
    }

    #[test]
    fn windows_1252_text_is_decoded() {
        let sheet = read_csv_text(b"group,municipality\nCaf\xe9,Li\xe8ge\n");
        assert_eq!(sheet.rows[0].cells, vec!["Caf\u{e9}", "Li\u{e8}ge"]);
    }

    #[test]
    fn commas_win_a_tie_and_tabs_are_found() {
        assert_eq!(separator("a,b;c"), b',');
        assert_eq!(separator("a\tb\tc,d"), b'\t');
        assert_eq!(separator("\"a,b\";c"), b';');
    }

    #[test]
    fn empty_and_wide_files_are_refused_with_a_reason() {
        assert!(read(b"", FileKind::Csv).is_err());
        assert!(read(b"\n\n", FileKind::Csv).is_err());
        let wide = vec!["x"; MAX_COLUMNS + 1].join(",");
        let e = read(wide.as_bytes(), FileKind::Csv)
            .err()
            .unwrap_or_else(|| unreachable!());
        assert!(e.0.contains("beyond column"), "{e}");
    }

    #[test]
    fn a_file_that_is_not_a_workbook_says_so() {
        let e = read(b"PK\x03\x04garbage", FileKind::Csv)
            .err()
            .unwrap_or_else(|| unreachable!());
        assert!(e.0.contains("not an XLSX workbook"), "{e}");
        assert!(read(b"plain text", FileKind::Xlsx).is_err());
    }

    #[test]
    fn a_declared_count_of_shared_strings_is_read_however_it_is_written() {
        assert_eq!(unique_count(br#"<sst xmlns="x" count="3" uniqueCount="2">"#), Some(2));
        assert_eq!(
            unique_count(b"<sst uniqueCount = '100000000000000'>"),
            Some(100_000_000_000_000)
        );
        assert_eq!(
            unique_count(b"<sst uniqueCount=\"99999999999999999999999\">"),
            Some(u64::MAX)
        );
        assert_eq!(unique_count(b"<sst count=\"2\">"), None);
    }

    #[test]
    fn a_workbook_declaring_too_many_texts_is_refused_before_calamine_reserves_room() {
        let mut workbook = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let parts = [
            ("xl/sharedStrings.xml", r#"<sst uniqueCount="100000000000000"></sst>"#),
            ("xl/workbook.xml", "<workbook/>"),
        ];
        for (name, text) in parts {
            workbook
                .start_file(name, stored)
                .unwrap_or_else(|e| unreachable!("{e}"));
            std::io::Write::write_all(&mut workbook, text.as_bytes()).unwrap_or_else(|e| unreachable!("{e}"));
        }
        let bytes = workbook.finish().unwrap_or_else(|e| unreachable!("{e}")).into_inner();
        let e = read(&bytes, FileKind::Xlsx).err().unwrap_or_else(|| unreachable!());
        assert!(e.0.contains("different texts"), "{e}");
    }

    #[test]
    fn a_cell_with_a_line_break_is_one_row() {
        let sheet = read_csv_text(b"group,municipality\n\"Wereld\nwinkel\",Gent\n;\nB,Gent\n");
        assert_eq!(sheet.rows[0].cells[0], "Wereld\nwinkel");
        assert_eq!(sheet.rows.iter().map(|r| r.number).collect::<Vec<_>>(), vec![2, 3, 4]);
    }

    #[test]
    fn numbers_read_as_people_typed_them() {
        assert_eq!(cell_text(&DataRef::Float(44021.0)), "44021");
        assert_eq!(cell_text(&DataRef::Float(2.5)), "2.5");
        assert_eq!(cell_text(&DataRef::Bool(true)), "ja");
    }
}
