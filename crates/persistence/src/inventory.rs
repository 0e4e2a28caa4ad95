//! What a database holds, to tell a fresh one from one in use (the demo loads only into a fresh
//! one).

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::StoreError;
use crate::entities::{
    activity, app_user, campaign, engagement, ledger_entry, material, material_request, question, volunteer_group,
};

/// The first kind of campaign data this database holds, as a phrase for people; `None` when it
/// holds none. One account (the first staff account made at start-up) does not count.
pub async fn first_data(db: &DatabaseConnection) -> Result<Option<&'static str>, StoreError> {
    let checks = [
        ("campaigns", campaign::Entity::find().count(db).await?),
        ("volunteer groups", volunteer_group::Entity::find().count(db).await?),
        ("activities", activity::Entity::find().count(db).await?),
        ("ledger entries", ledger_entry::Entity::find().count(db).await?),
        ("materials", material::Entity::find().count(db).await?),
        ("material requests", material_request::Entity::find().count(db).await?),
        ("programme engagements", engagement::Entity::find().count(db).await?),
        ("questions", question::Entity::find().count(db).await?),
    ];
    if let Some((what, _)) = checks.iter().find(|(_, n)| *n > 0) {
        return Ok(Some(what));
    }
    if app_user::Entity::find().count(db).await? > 1 {
        return Ok(Some("accounts"));
    }
    Ok(None)
}
