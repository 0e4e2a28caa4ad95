//! Sign-in attempts for the throttle. An attempt is stored (and committed) before its password is
//! checked, and then counted: of any number of simultaneous attempts, the k-th to be stored sees
//! at least k, so no burst can pass the limit unseen. Counting in the database makes every
//! replica agree.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::StoreError;
use crate::audit::Failures;
use crate::entities::login_attempt;

/// What became of an attempt. Pending and failed attempts count against the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Failed,
    Succeeded,
    /// Refused by the throttle before any password check: not counted, so hammering a closed
    /// door does not keep it closed.
    Throttled,
    /// Stopped before the check (the server was busy): not counted.
    Abandoned,
}

impl AttemptOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Failed => FAILED,
            Self::Succeeded => "succeeded",
            Self::Throttled => "throttled",
            Self::Abandoned => "abandoned",
        }
    }
}

const PENDING: &str = "pending";
const FAILED: &str = "failed";

/// Which attempts to count.
#[derive(Debug, Clone, Copy)]
pub struct AttemptScope<'a> {
    pub account: Option<&'a str>,
    pub client_addr: Option<&'a str>,
}

#[derive(Clone)]
pub struct LoginAttemptRepo {
    db: DatabaseConnection,
}

impl LoginAttemptRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Stores a pending attempt on `account` (a hash of the address tried) from `client_addr`,
    /// committed at once; its id.
    pub async fn begin(&self, account: &str, client_addr: &str) -> Result<i64, StoreError> {
        let inserted = login_attempt::Entity::insert(login_attempt::ActiveModel {
            at: Set(crate::now()),
            account: Set(account.to_owned()),
            client_addr: Set(client_addr.to_owned()),
            outcome: Set(PENDING.to_owned()),
            ..Default::default()
        })
        .exec(&self.db)
        .await?;
        Ok(inserted.last_insert_id)
    }

    pub async fn finish(&self, id: i64, outcome: AttemptOutcome) -> Result<(), StoreError> {
        login_attempt::Entity::update_many()
            .col_expr(login_attempt::Column::Outcome, Expr::value(outcome.as_str()))
            .filter(login_attempt::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Pending and failed attempts in `scope` since `since`, and when the oldest was made.
    pub async fn unsuccessful_since(
        &self,
        scope: AttemptScope<'_>,
        since: DateTime<Utc>,
    ) -> Result<Failures, StoreError> {
        let mut query = login_attempt::Entity::find()
            .select_only()
            .column_as(Expr::expr(Func::count(Expr::col(login_attempt::Column::Id))), "count")
            .column_as(Expr::expr(Func::min(Expr::col(login_attempt::Column::At))), "oldest")
            .filter(login_attempt::Column::Outcome.is_in([PENDING, FAILED]))
            .filter(login_attempt::Column::At.gte(since));
        if let Some(account) = scope.account {
            query = query.filter(login_attempt::Column::Account.eq(account));
        }
        if let Some(client) = scope.client_addr {
            query = query.filter(login_attempt::Column::ClientAddr.eq(client));
        }
        let row: Option<(i64, Option<DateTime<Utc>>)> = query.into_tuple().one(&self.db).await?;
        let (count, oldest) = row.unwrap_or((0, None));
        Ok(Failures {
            count: u64::try_from(count).unwrap_or(0),
            oldest,
        })
    }

    /// Forgets attempts older than `before`; how many.
    pub async fn purge_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(login_attempt::Entity::delete_many()
            .filter(login_attempt::Column::At.lt(before))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
