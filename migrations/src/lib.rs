//! The schema history of the campaign backend: one history for SQLite and PostgreSQL.
//!
//! Migrations are frozen once landed: they never import live entities or domain types, and
//! seed data they need lives beside them (see `data/`). A change is a new migration.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_municipality;
mod m20261127_000002_municipality_boundary;
mod m20261127_000003_accounts;
mod m20261127_000004_audit_log;
mod m20261127_000005_campaign_product;
mod m20261127_000006_group_activity;
mod m20261127_000007_ledger;
mod m20261127_000008_material;
mod m20261127_000009_ledger_total;
mod m20261127_000010_ledger_rollup;
mod m20261201_000101_login_attempt;
mod m20261202_000001_activity_version;
mod m20261203_000001_engagement;
mod m20261203_000002_question;
mod m20261203_000003_member_organisation;
mod m20261204_000001_member_org_account;
mod m20261204_000002_offer;
mod m20261205_000001_initiative;
mod m20261205_000002_training;
mod m20261205_000003_question_initiative;
mod m20261205_000004_ledger_municipality_index;
mod m20261206_000001_deposit;
mod m20261207_000001_webhook;
mod m20261207_000002_digest_run;
mod scoped_role;
mod sqlite_schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_municipality::Migration),
            Box::new(m20261127_000002_municipality_boundary::Migration),
            Box::new(m20261127_000003_accounts::Migration),
            Box::new(m20261127_000004_audit_log::Migration),
            Box::new(m20261127_000005_campaign_product::Migration),
            Box::new(m20261127_000006_group_activity::Migration),
            Box::new(m20261127_000007_ledger::Migration),
            Box::new(m20261127_000008_material::Migration),
            Box::new(m20261127_000009_ledger_total::Migration),
            Box::new(m20261127_000010_ledger_rollup::Migration),
            Box::new(m20261201_000101_login_attempt::Migration),
            Box::new(m20261202_000001_activity_version::Migration),
            Box::new(m20261203_000001_engagement::Migration),
            Box::new(m20261203_000002_question::Migration),
            Box::new(m20261203_000003_member_organisation::Migration),
            Box::new(m20261204_000001_member_org_account::Migration),
            Box::new(m20261204_000002_offer::Migration),
            Box::new(m20261205_000001_initiative::Migration),
            Box::new(m20261205_000002_training::Migration),
            Box::new(m20261205_000003_question_initiative::Migration),
            Box::new(m20261205_000004_ledger_municipality_index::Migration),
            Box::new(m20261206_000001_deposit::Migration),
            Box::new(m20261207_000001_webhook::Migration),
            Box::new(m20261207_000002_digest_run::Migration),
        ]
    }
}
