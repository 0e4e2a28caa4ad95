//! sea-orm entities: private to the persistence crate.

pub mod activity;
pub mod app_setting;
pub mod app_user;
pub mod audit_log;
pub mod campaign;
pub mod engagement;
pub mod engagement_change;
pub mod engagement_evidence;
pub mod idempotency_key;
pub mod ledger_entry;
pub mod ledger_rollup;
pub mod login_attempt;
pub mod material;
pub mod material_request;
pub mod material_request_line;
pub mod member_organisation;
pub mod municipality;
pub mod municipality_boundary;
pub mod product;
pub mod programme;
pub mod programme_criterion;
pub mod question;
pub mod question_message;
pub mod refresh_token;
pub mod volunteer_group;
