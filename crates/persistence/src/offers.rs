//! The member organisations' offers and the managed list of themes.
//!
//! An offer's lists (formats, themes, audiences, provinces) are rows of `offer_facet`, replaced
//! as a whole on every change. Searching combines the database's own full-text search (the
//! Dutch configuration on PostgreSQL, FTS5 on SQLite) with the filters; the catalogue holds a
//! few hundred offers, so a search orders every match (by relevance, else by title) and reads
//! the full rows of one page only.

use std::collections::{BTreeSet, HashMap};

use campaign_domain::ids::{MemberOrgId, UserId};
use campaign_domain::municipality::Province;
use campaign_domain::offer::{Audience, OfferDetails, OfferFormat, SearchWords, Theme, ThemeCode};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{member_organisation, offer, offer_facet, offer_theme};
use crate::error::conflict_on_unique;
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: Uuid,
    pub organisation: MemberOrgId,
    pub organisation_name: String,
    pub details: OfferDetails,
    /// Still offered; a withdrawn offer leaves the public list.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a search asks for; every given filter must hold.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub words: Option<SearchWords>,
    pub theme: Option<ThemeCode>,
    pub format: Option<OfferFormat>,
    pub audience: Option<Audience>,
    /// Offered there (offers for all of Flanders and Brussels included).
    pub province: Option<Province>,
    pub organisation: Option<MemberOrgId>,
    /// Withdrawn offers too (only for staff and the organisation itself).
    pub include_withdrawn: bool,
}

/// One page of a search and how many offers match in all.
#[derive(Debug, Clone)]
pub struct OfferPage {
    pub items: Vec<Offer>,
    pub total: u64,
}

const FORMAT: &str = "format";
const THEME: &str = "theme";
const AUDIENCE: &str = "audience";
const PROVINCE: &str = "province";

#[derive(Clone)]
pub struct OfferRepo {
    db: DatabaseConnection,
}

impl OfferRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The managed themes in code order.
    pub async fn themes(&self) -> Result<Vec<Theme>, StoreError> {
        offer_theme::Entity::find()
            .order_by_asc(offer_theme::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| Theme::new(&t.code, &t.name).map_err(|e| StoreError::Corrupt(format!("theme {}: {e}", t.code))))
            .collect()
    }

    /// Adds a theme to the list; `Conflict` when its code is taken.
    pub async fn add_theme(&self, theme: Theme, ctx: &AuditContext) -> Result<Theme, StoreError> {
        let txn = begin_write(&self.db).await?;
        let code = theme.code.as_str().to_owned();
        offer_theme::ActiveModel {
            code: Set(code.clone()),
            name: Set(theme.name.clone()),
            created_at: Set(crate::now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a theme {code} already")))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("offer_theme.create", "offer_theme", &code)
                .with_detail(serde_json::json!({ "name": theme.name })),
        )
        .await?;
        txn.commit().await?;
        Ok(theme)
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Offer>, StoreError> {
        Ok(load(&self.db, &[id]).await?.pop())
    }

    /// The offers that match `filter`, `limit` of them from `offset`.
    pub async fn search(&self, filter: &OfferFilter, offset: u64, limit: u64) -> Result<OfferPage, StoreError> {
        let ranked = match &filter.words {
            Some(words) => Some(full_text(&self.db, words).await?),
            None => None,
        };
        let mut query = offer::Entity::find()
            .select_only()
            .column(offer::Column::Id)
            .column(offer::Column::Title);
        if !filter.include_withdrawn {
            query = query.filter(offer::Column::Active.eq(true));
        }
        if let Some(organisation) = filter.organisation {
            query = query.filter(offer::Column::OrganisationId.eq(organisation.as_uuid()));
        }
        for (facet, value) in [
            (FORMAT, filter.format.map(|f| f.as_str().to_owned())),
            (THEME, filter.theme.as_ref().map(|t| t.as_str().to_owned())),
            (AUDIENCE, filter.audience.map(|a| a.as_str().to_owned())),
        ] {
            if let Some(value) = value {
                query = query.filter(offer::Column::Id.in_subquery(with_facet(facet, Some(value))));
            }
        }
        if let Some(province) = filter.province {
            query = query.filter(
                Condition::any()
                    .add(offer::Column::Id.not_in_subquery(with_facet(PROVINCE, None)))
                    .add(offer::Column::Id.in_subquery(with_facet(PROVINCE, Some(province.name().to_owned())))),
            );
        }
        if let Some(ranked) = &ranked {
            query = query.filter(offer::Column::Id.is_in(ranked.iter().copied()));
        }
        let mut matches: Vec<(Uuid, String)> = query.into_tuple().all(&self.db).await?;
        match &ranked {
            Some(ranked) => {
                let place: HashMap<Uuid, usize> = ranked.iter().enumerate().map(|(i, id)| (*id, i)).collect();
                matches.sort_by_key(|(id, _)| place.get(id).copied().unwrap_or(usize::MAX));
            }
            None => matches.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then(a.0.cmp(&b.0))),
        }
        let total = matches.len() as u64;
        let page: Vec<Uuid> = matches
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(id, _)| id)
            .collect();
        Ok(OfferPage {
            items: load(&self.db, &page).await?,
            total,
        })
    }

    /// Adds an offer of `organisation`; `Unknown` when a theme is not in the list or the
    /// organisation does not exist.
    pub async fn create(
        &self,
        organisation: MemberOrgId,
        details: OfferDetails,
        created_by: UserId,
        ctx: &AuditContext,
    ) -> Result<Offer, StoreError> {
        let txn = begin_write(&self.db).await?;
        known_themes(&txn, &details).await?;
        if member_organisation::Entity::find_by_id(organisation.as_uuid())
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(StoreError::Missing(format!(
                "there is no member organisation {organisation}"
            )));
        }
        let id = Uuid::new_v4();
        let now = crate::now();
        offer::ActiveModel {
            id: Set(id),
            organisation_id: Set(organisation.as_uuid()),
            title: Set(details.title.clone()),
            description: Set(details.description.clone()),
            cost_note: Set(details.cost_note.clone()),
            link: Set(details.link.clone()),
            active: Set(true),
            created_by: Set(Some(created_by.as_uuid())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        write_facets(&txn, id, &details).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("offer.create", "offer", id).with_detail(serde_json::json!({
                "organisation_id": organisation.to_string(),
                "title": details.title,
            })),
        )
        .await?;
        let offer = load(&txn, &[id])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a new offer vanished".to_owned()))?;
        txn.commit().await?;
        Ok(offer)
    }

    /// Replaces what the offer says and whether it is still offered.
    pub async fn update(
        &self,
        id: Uuid,
        details: OfferDetails,
        active: bool,
        ctx: &AuditContext,
    ) -> Result<Offer, StoreError> {
        let txn = begin_write(&self.db).await?;
        known_themes(&txn, &details).await?;
        let before = load(&txn, &[id])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Missing(format!("there is no offer {id}")))?;
        offer::ActiveModel {
            id: Set(id),
            title: Set(details.title.clone()),
            description: Set(details.description.clone()),
            cost_note: Set(details.cost_note.clone()),
            link: Set(details.link.clone()),
            active: Set(active),
            updated_at: Set(crate::now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        offer_facet::Entity::delete_many()
            .filter(offer_facet::Column::OfferId.eq(id))
            .exec(&txn)
            .await?;
        write_facets(&txn, id, &details).await?;
        let changed: Vec<&str> = [
            ("title", before.details.title != details.title),
            ("description", before.details.description != details.description),
            ("formats", before.details.formats != details.formats),
            ("themes", before.details.themes != details.themes),
            ("audiences", before.details.audiences != details.audiences),
            ("provinces", before.details.provinces != details.provinces),
            ("cost_note", before.details.cost_note != details.cost_note),
            ("link", before.details.link != details.link),
            ("active", before.active != active),
        ]
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect();
        record(
            &txn,
            ctx,
            AuditEvent::new("offer.update", "offer", id).with_detail(serde_json::json!({ "changed": changed })),
        )
        .await?;
        let offer = load(&txn, &[id])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an updated offer vanished".to_owned()))?;
        txn.commit().await?;
        Ok(offer)
    }
}

/// `SELECT offer_id FROM offer_facet WHERE facet = … [AND value = …]`.
fn with_facet(facet: &str, value: Option<String>) -> sea_orm::sea_query::SelectStatement {
    let mut select = Query::select();
    select
        .column(offer_facet::Column::OfferId)
        .from(offer_facet::Entity)
        .and_where(offer_facet::Column::Facet.eq(facet));
    if let Some(value) = value {
        select.and_where(offer_facet::Column::Value.eq(value));
    }
    select
}

/// The ids of the offers whose title or description holds every word, most relevant first
/// (a title counts more than a description).
async fn full_text(db: &DatabaseConnection, words: &SearchWords) -> Result<Vec<Uuid>, StoreError> {
    let statement = match db.get_database_backend() {
        DbBackend::Postgres => Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM offer, to_tsquery('dutch', $1) AS query WHERE search @@ query \
             ORDER BY ts_rank(search, query) DESC, id",
            [words.to_tsquery().into()],
        ),
        _ => Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT offer_id AS id FROM offer_fts WHERE offer_fts MATCH ? \
             ORDER BY bm25(offer_fts, 0.0, 2.0, 1.0), offer_id",
            [words.to_fts5().into()],
        ),
    };
    db.query_all_raw(statement)
        .await?
        .into_iter()
        .map(|row| row.try_get::<Uuid>("", "id").map_err(StoreError::from))
        .collect()
}

async fn known_themes(conn: &impl ConnectionTrait, details: &OfferDetails) -> Result<(), StoreError> {
    let known: Vec<ThemeCode> = offer_theme::Entity::find()
        .filter(offer_theme::Column::Code.is_in(details.themes.iter().map(|t| t.as_str().to_owned())))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|t| ThemeCode::parse_field("code", &t.code).ok())
        .collect();
    details
        .unknown_themes(&known)
        .map_err(|e| StoreError::Unknown(e.to_string()))
}

async fn write_facets(conn: &impl ConnectionTrait, id: Uuid, details: &OfferDetails) -> Result<(), StoreError> {
    let rows: Vec<offer_facet::ActiveModel> = details
        .formats
        .iter()
        .map(|f| (FORMAT, f.as_str()))
        .chain(details.themes.iter().map(|t| (THEME, t.as_str())))
        .chain(details.audiences.iter().map(|a| (AUDIENCE, a.as_str())))
        .chain(details.provinces.iter().map(|p| (PROVINCE, p.name())))
        .map(|(facet, value)| offer_facet::ActiveModel {
            offer_id: Set(id),
            facet: Set(facet.to_owned()),
            value: Set(value.to_owned()),
        })
        .collect();
    if !rows.is_empty() {
        offer_facet::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// The offers with these ids, in the order of `ids` (missing ones left out).
async fn load(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Offer>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: HashMap<Uuid, offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut facets: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for f in offer_facet::Entity::find()
        .filter(offer_facet::Column::OfferId.is_in(ids.iter().copied()))
        .all(conn)
        .await?
    {
        facets.entry(f.offer_id).or_default().push((f.facet, f.value));
    }
    let organisations: HashMap<Uuid, String> = member_organisation::Entity::find()
        .filter(member_organisation::Column::Id.is_in(rows.values().map(|r| r.organisation_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    ids.iter()
        .filter_map(|id| rows.get(id))
        .map(|row| {
            to_offer(
                row.clone(),
                facets.remove(&row.id).unwrap_or_default(),
                organisations.get(&row.organisation_id).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

fn to_offer(row: offer::Model, facets: Vec<(String, String)>, organisation_name: String) -> Result<Offer, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("offer {}: {e}", row.id));
    let (mut formats, mut themes, mut audiences, mut provinces) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (facet, value) in facets {
        match facet.as_str() {
            FORMAT => {
                formats.insert(OfferFormat::parse(&value).map_err(corrupt)?);
            }
            THEME => {
                themes.insert(ThemeCode::parse_field("themes", &value).map_err(corrupt)?);
            }
            AUDIENCE => {
                audiences.insert(Audience::parse(&value).map_err(corrupt)?);
            }
            PROVINCE => {
                provinces.insert(Province::parse(&value).map_err(corrupt)?);
            }
            other => return Err(StoreError::Corrupt(format!("offer {}: facet {other}", row.id))),
        }
    }
    Ok(Offer {
        id: row.id,
        organisation: MemberOrgId::from_uuid(row.organisation_id),
        organisation_name,
        details: OfferDetails {
            title: row.title,
            description: row.description,
            formats,
            themes,
            audiences,
            provinces,
            cost_note: row.cost_note,
            link: row.link,
        },
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
