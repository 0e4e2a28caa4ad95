//! The municipality registry and the imported boundaries.

use std::collections::HashSet;

use campaign_domain::boundaries::Boundary;
use campaign_domain::municipality::{Municipality, NisCode, Province};
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::StoreError;
use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{municipality, municipality_boundary};

/// A municipality as listed: with whether a boundary is loaded for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityListing {
    pub municipality: Municipality,
    pub has_boundary: bool,
}

/// Filters of the municipality list; `after` is the last code of the previous page.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityFilter {
    pub province: Option<Province>,
    /// Matches the Dutch or the French name, case-insensitively, anywhere in the name.
    pub name_contains: Option<String>,
    pub after: Option<NisCode>,
}

#[derive(Clone)]
pub struct MunicipalityRepo {
    db: DatabaseConnection,
}

impl MunicipalityRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// One page of municipalities in NIS-code order.
    pub async fn list(&self, filter: &MunicipalityFilter, limit: u64) -> Result<Vec<MunicipalityListing>, StoreError> {
        let mut query = municipality::Entity::find().order_by_asc(municipality::Column::NisCode);
        if let Some(province) = filter.province {
            query = query.filter(municipality::Column::Province.eq(province.name()));
        }
        if let Some(after) = filter.after {
            query = query.filter(municipality::Column::NisCode.gt(after.as_str()));
        }
        if let Some(text) = &filter.name_contains {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            let lower = |c: municipality::Column| Expr::expr(Func::lower(Expr::col(c)));
            query = query.filter(
                lower(municipality::Column::NameNl)
                    .like(LikeExpr::new(pattern.clone()).escape('\\'))
                    .or(lower(municipality::Column::NameFr).like(LikeExpr::new(pattern).escape('\\'))),
            );
        }
        let rows = query.limit(limit).all(&self.db).await?;
        let codes: Vec<String> = rows.iter().map(|r| r.nis_code.clone()).collect();
        let with_boundary: HashSet<String> = municipality_boundary::Entity::find()
            .select_only()
            .column(municipality_boundary::Column::NisCode)
            .filter(municipality_boundary::Column::NisCode.is_in(codes))
            .into_tuple::<String>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        rows.into_iter()
            .map(|row| {
                let has_boundary = with_boundary.contains(&row.nis_code);
                Ok(MunicipalityListing {
                    municipality: to_domain(row)?,
                    has_boundary,
                })
            })
            .collect()
    }

    pub async fn get(&self, code: NisCode) -> Result<Option<MunicipalityListing>, StoreError> {
        let Some(row) = municipality::Entity::find_by_id(code.as_str()).one(&self.db).await? else {
            return Ok(None);
        };
        let has_boundary = municipality_boundary::Entity::find_by_id(code.as_str())
            .count(&self.db)
            .await?
            > 0;
        Ok(Some(MunicipalityListing {
            municipality: to_domain(row)?,
            has_boundary,
        }))
    }

    /// Every NIS code of the registry.
    pub async fn codes(&self) -> Result<HashSet<NisCode>, StoreError> {
        municipality::Entity::find()
            .select_only()
            .column(municipality::Column::NisCode)
            .into_tuple::<String>()
            .all(&self.db)
            .await?
            .iter()
            .map(|code| NisCode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    /// Replaces every stored boundary with `boundaries`, all or nothing, audited.
    /// `progress` is called with (stored, total).
    pub async fn replace_boundaries(
        &self,
        boundaries: &[Boundary],
        ctx: &AuditContext,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<(), StoreError> {
        let txn = crate::begin_write(&self.db).await?;
        municipality_boundary::Entity::delete_many().exec(&txn).await?;
        let now = Utc::now();
        for (i, boundary) in boundaries.iter().enumerate() {
            municipality_boundary::Entity::insert(municipality_boundary::ActiveModel {
                nis_code: Set(boundary.nis_code.to_string()),
                geometry: Set(boundary.to_geojson()),
                imported_at: Set(now),
            })
            .exec(&txn)
            .await?;
            progress(i + 1, boundaries.len());
        }
        let mut event = AuditEvent::new("boundaries.import", "municipality_boundary", "");
        event.entity_id = None;
        record(
            &txn,
            ctx,
            event.with_detail(serde_json::json!({ "municipalities": boundaries.len() })),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every stored boundary, ready to index.
    /// Every stored boundary as its GeoJSON text, by NIS code (for answers that pass it on).
    pub async fn boundary_texts(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(municipality_boundary::Entity::find()
            .select_only()
            .column(municipality_boundary::Column::NisCode)
            .column(municipality_boundary::Column::Geometry)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    pub async fn boundaries(&self) -> Result<Vec<Boundary>, StoreError> {
        municipality_boundary::Entity::find()
            .order_by_asc(municipality_boundary::Column::NisCode)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let code = NisCode::parse(&row.nis_code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Boundary::from_geojson(code, &row.geometry).map_err(StoreError::Corrupt)
            })
            .collect()
    }

    pub async fn boundary_count(&self) -> Result<u64, StoreError> {
        Ok(municipality_boundary::Entity::find().count(&self.db).await?)
    }
}

pub(crate) fn to_domain(row: municipality::Model) -> Result<Municipality, StoreError> {
    let corrupt =
        |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("municipality {}: {e}", row.nis_code));
    Ok(Municipality {
        nis_code: NisCode::parse(&row.nis_code).map_err(corrupt)?,
        province: Province::parse(&row.province).map_err(corrupt)?,
        name_nl: row.name_nl,
        name_fr: row.name_fr,
    })
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
