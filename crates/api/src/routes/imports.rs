//! `/imports`: staff import groups with their volunteers, and materials with their stock, from a
//! spreadsheet (CSV or XLSX). `?dry_run=true` answers per row what would happen and changes
//! nothing; the real run is all or nothing, audited, and the same file twice changes nothing.

use std::sync::Arc;

use campaign_domain::import::{CellError, FileError, Outcome, RowReport, Sheet, Summary};
use campaign_persistence::audit::AuditContext;
use campaign_persistence::directory::Directory;
use campaign_persistence::imports::{ImportError, ImportRepo, Imported, Mode};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::{ApiRequest, Enum, Object, OpenApi};
use sha2::{Digest, Sha256};

use super::ApiTags;
use super::context::{audit_context, staff_only};
use crate::auth::{AuthState, BearerAuth};
use crate::problem::{ApiError, Problem, ProblemField};
use crate::spreadsheet::{self, FileKind};

const STAFF_ONLY: &str = "only 11.11.11 staff import spreadsheets";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A CSV file: UTF-8 or Windows-1252, separated by commas, semicolons or tabs.
pub struct CsvFile(Vec<u8>);
/// An Excel workbook: the first sheet is read.
pub struct XlsxFile(Vec<u8>);

fn file_schema() -> MetaSchemaRef {
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        format: Some("binary"),
        ..MetaSchema::new("string")
    }))
}

/// The content type without its parameters (`text/csv; charset=utf-8` is `text/csv`).
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// A request body of one content type (parameters such as `charset` aside), read whole.
macro_rules! file_payload {
    ($name:ident, $content_type:expr) => {
        impl Payload for $name {
            const CONTENT_TYPE: &'static str = $content_type;

            fn check_content_type(content_type: &str) -> bool {
                essence(content_type) == Self::CONTENT_TYPE
            }

            fn schema_ref() -> MetaSchemaRef {
                file_schema()
            }
        }

        impl ParsePayload for $name {
            const IS_REQUIRED: bool = true;

            async fn from_request(request: &Request, body: &mut poem::RequestBody) -> poem::Result<Self> {
                Ok(Self(
                    <Vec<u8> as poem::FromRequest>::from_request(request, body).await?,
                ))
            }
        }
    };
}

file_payload!(CsvFile, "text/csv");
file_payload!(XlsxFile, XLSX);

/// The spreadsheet, as the request body: CSV or XLSX. The first row names the columns.
#[derive(ApiRequest)]
pub enum ImportFile {
    Csv(CsvFile),
    Xlsx(XlsxFile),
}

impl ImportFile {
    fn into_parts(self) -> (Vec<u8>, FileKind) {
        match self {
            Self::Csv(f) => (f.0, FileKind::Csv),
            Self::Xlsx(f) => (f.0, FileKind::Xlsx),
        }
    }
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl From<Outcome> for ImportOutcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Created => Self::Created,
            Outcome::Updated => Self::Updated,
            Outcome::Unchanged => Self::Unchanged,
            Outcome::Refused => Self::Refused,
        }
    }
}

/// Why a cell of a row is refused.
#[derive(Debug, Clone, Object)]
pub struct ImportCellError {
    /// The column, as the import names it (`municipality`, `volunteer_email`, `stock_on_hand`, …).
    pub column: String,
    pub message: String,
}

/// What the import does with one row.
#[derive(Debug, Clone, Object)]
pub struct ImportRow {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
    pub outcome: ImportOutcome,
    /// What the row creates or changes, and anything worth knowing (a merged municipality).
    pub notes: Vec<String>,
    /// Why the row is refused; empty otherwise.
    pub errors: Vec<ImportCellError>,
}

/// How many rows had each outcome.
#[derive(Debug, Clone, Object)]
pub struct ImportSummary {
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub refused: u32,
}

/// The outcome of an import, row by row.
#[derive(Debug, Clone, Object)]
pub struct ImportReport {
    /// Whether this was a dry run (`?dry_run=true`): nothing was changed.
    pub dry_run: bool,
    /// Whether the changes were made: false in a dry run, and when the file changes nothing.
    pub applied: bool,
    /// SHA-256 of the file (hex); the audit record of the import names it.
    pub file_sha256: String,
    pub summary: ImportSummary,
    /// Columns of the file that the import does not read.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<ImportRow>,
}

pub struct ImportsApi {
    pub imports: ImportRepo,
    /// Accounts and groups as requests need them, kept until they change.
    pub directory: Directory,
    pub auth: Arc<AuthState>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn report(
    dry_run: bool,
    file_sha256: String,
    summary: Summary,
    ignored: Vec<String>,
    rows: &[RowReport],
) -> ImportReport {
    ImportReport {
        dry_run,
        applied: false,
        file_sha256,
        summary: ImportSummary {
            rows: count(summary.rows),
            created: count(summary.created),
            updated: count(summary.updated),
            unchanged: count(summary.unchanged),
            refused: count(summary.refused),
        },
        ignored_columns: ignored,
        rows: rows
            .iter()
            .map(|r| ImportRow {
                row: count(r.row),
                outcome: r.outcome.into(),
                notes: r.notes.clone(),
                errors: r.errors.iter().map(cell_error).collect(),
            })
            .collect(),
    }
}

fn cell_error(e: &CellError) -> ImportCellError {
    ImportCellError {
        column: e.column.to_owned(),
        message: e.message.clone(),
    }
}

fn file_error(e: &FileError) -> ApiError {
    ApiError::invalid_field("file", e.0.clone())
}

fn import_error(e: ImportError) -> ApiError {
    match e {
        ImportError::File(e) => file_error(&e),
        ImportError::Store(e) => e.into(),
    }
}

/// A real run with refused rows: 422 naming each, nothing imported.
fn refused(summary: &Summary, rows: &[RowReport]) -> ApiError {
    let fields = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Refused)
        .flat_map(|r| {
            r.errors.iter().map(move |e| ProblemField {
                field: format!("row {} {}", r.row, e.column),
                message: e.message.clone(),
            })
        })
        .collect();
    let mut problem = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!(
            "{} of {} rows are refused, so nothing was imported; fix them (a dry run, ?dry_run=true, shows every row) and send the file again",
            summary.refused, summary.rows
        ),
    )
    .with_errors(fields);
    problem.problem_type = "urn:problem-type:campaign:import-refused".to_owned();
    ApiError::Unprocessable(Json(problem))
}

fn mode<'a>(dry_run: bool, ctx: &'a AuditContext, file_sha256: &'a str) -> Mode<'a> {
    if dry_run {
        Mode::DryRun
    } else {
        Mode::Apply { ctx, file_sha256 }
    }
}

/// Reads the file off the async threads.
async fn read_sheet(file: ImportFile) -> Result<(Sheet, String), ApiError> {
    let (bytes, kind) = file.into_parts();
    tokio::task::spawn_blocking(move || {
        let digest = format!("{:x}", Sha256::digest(&bytes));
        spreadsheet::read(&bytes, kind).map(|sheet| (sheet, digest))
    })
    .await
    .map_err(|e| ApiError::from_anyhow(&anyhow::anyhow!("reading a spreadsheet: {e}")))?
    .map_err(|e| file_error(&e))
}

impl ImportsApi {
    fn answer<P>(
        &self,
        dry_run: bool,
        digest: String,
        imported: Imported<P>,
        parts: impl FnOnce(&P) -> (&[RowReport], Vec<String>),
    ) -> Result<Json<ImportReport>, ApiError> {
        let (rows, ignored) = parts(&imported.plan);
        if !dry_run && !imported.summary.acceptable() {
            return Err(refused(&imported.summary, rows));
        }
        let mut answer = report(dry_run, digest, imported.summary, ignored, rows);
        answer.applied = imported.applied;
        Ok(Json(answer))
    }
}

#[OpenApi(prefix_path = "/imports", tag = "ApiTags::Imports")]
impl ImportsApi {
    /// Import groups and their volunteers
    ///
    /// Staff only. The body is a spreadsheet (`text/csv` or XLSX) whose first row names the
    /// columns: `group`, `municipality` (a name as typed in any case, with or without accents,
    /// "St." or "Sint", a pre-2025 name of a merged municipality, or a NIS code), and optionally
    /// `volunteer_name` and `volunteer_email` (Dutch headers such as groep, gemeente, naam and
    /// e-mail work too). One row per volunteer, or a row with the group alone.
    ///
    /// A group is found by its municipality and its name (without regard to case, accents or
    /// punctuation) and created when there is none; a deactivated one is reactivated. A volunteer
    /// is found by e-mail address: created in the group without a password (staff set one with
    /// `PATCH /users/{id}` before the account can sign in), renamed, or moved to the group.
    ///
    /// `?dry_run=true` answers per row what would be created, updated, left unchanged or refused
    /// and why, and changes nothing. The real run is all or nothing: with any refused row it
    /// answers 422 naming each and changes nothing. Importing the same file again changes nothing.
    #[oai(path = "/groups", method = "post", operation_id = "import_groups")]
    async fn import_groups(
        &self,
        auth: BearerAuth,
        req: &Request,
        /// Only say what the import would do.
        dry_run: Query<Option<bool>>,
        body: ImportFile,
    ) -> Result<Json<ImportReport>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let dry_run = dry_run.0.unwrap_or(false);
        let (sheet, digest) = read_sheet(body).await?;
        let names = self.imports.municipality_names().await?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let mode = mode(dry_run, &ctx, &digest);
        let imported = self.imports.groups(&sheet, &names, mode).await.map_err(import_error)?;
        if imported.applied {
            // Moved and new volunteers are checked against their group from the next request on.
            self.directory.invalidate();
            tracing::info!(file_sha256 = %digest, rows = imported.summary.rows, created = imported.summary.created, updated = imported.summary.updated, "groups imported");
        }
        self.answer(dry_run, digest, imported, |p| (&p.reports, p.ignored_columns.clone()))
    }

    /// Import materials and their stock
    ///
    /// Staff only. The body is a spreadsheet (`text/csv` or XLSX) whose first row names the
    /// columns: `code`, `name`, `stock_on_hand` (the count on hand, a whole number) and
    /// optionally `lent` (ja/nee, yes/no: whether the material is lent and comes back). Dutch
    /// headers such as naam, voorraad and uitgeleend work too.
    ///
    /// A material is found by its code: added when unknown, otherwise its name, `lent` and stock
    /// are set to the file's (the stock may not fall below what approved requests reserve).
    /// `?dry_run=true` answers per row and changes nothing; the real run is all or nothing (422
    /// naming each refused row); the same file again changes nothing.
    #[oai(path = "/materials", method = "post", operation_id = "import_materials")]
    async fn import_materials(
        &self,
        auth: BearerAuth,
        req: &Request,
        /// Only say what the import would do.
        dry_run: Query<Option<bool>>,
        body: ImportFile,
    ) -> Result<Json<ImportReport>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let dry_run = dry_run.0.unwrap_or(false);
        let (sheet, digest) = read_sheet(body).await?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let mode = mode(dry_run, &ctx, &digest);
        let imported = self.imports.materials(&sheet, mode).await.map_err(import_error)?;
        if imported.applied {
            tracing::info!(file_sha256 = %digest, rows = imported.summary.rows, created = imported.summary.created, updated = imported.summary.updated, "materials imported");
        }
        self.answer(dry_run, digest, imported, |p| (&p.reports, p.ignored_columns.clone()))
    }
}
