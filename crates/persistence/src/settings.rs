//! Values the server keeps for itself, such as the development JWT secret.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::StoreError;
use crate::entities::app_setting;

#[derive(Clone)]
pub struct SettingsRepo {
    db: DatabaseConnection,
}

impl SettingsRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The stored value of `key`; when there is none, stores `initial` first. Servers that
    /// start together all end up with the value of whichever stored it first.
    pub async fn get_or_init(&self, key: &str, initial: String) -> Result<String, StoreError> {
        app_setting::Entity::insert(app_setting::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(initial),
        })
        .on_conflict(OnConflict::column(app_setting::Column::Key).do_nothing().to_owned())
        .try_insert()
        .exec(&self.db)
        .await?;
        app_setting::Entity::find_by_id(key)
            .one(&self.db)
            .await?
            .map(|row| row.value)
            .ok_or_else(|| StoreError::Corrupt(format!("setting {key} vanished")))
    }

    /// The stored value of `key`, if any.
    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(app_setting::Entity::find_by_id(key)
            .one(&self.db)
            .await?
            .map(|row| row.value))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn set(&self, key: &str, value: String) -> Result<(), StoreError> {
        app_setting::Entity::insert(app_setting::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(value),
        })
        .on_conflict(
            OnConflict::column(app_setting::Column::Key)
                .update_column(app_setting::Column::Value)
                .to_owned(),
        )
        .exec(&self.db)
        .await?;
        Ok(())
    }
}
