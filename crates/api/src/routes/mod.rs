//! One file per resource; each holds one `#[OpenApi]` struct and its request/answer types.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod campaign_choice;
pub mod campaigns;
pub mod context;
pub mod deposits;
pub mod digest;
pub mod engagements;
pub mod fourth_pillar_overview;
pub mod fund;
pub mod group_totals;
pub mod groups;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod inquiries;
pub mod ledger;
pub mod map_shapes;
pub mod materials;
pub mod member_orgs;
pub mod municipalities;
pub mod municipality_overview;
pub mod offers;
pub mod outlines;
pub mod pagination;
pub mod programmes;
pub mod public_municipalities;
pub mod questions;
pub mod totals;
pub mod trainings;
pub mod users;
pub mod webhooks;

use poem_openapi::Tags;

#[derive(Tags)]
pub enum ApiTags {
    /// Signing in and out
    Auth,
    /// Accounts and roles
    Users,
    /// Yearly campaigns and the products they sell
    Campaigns,
    /// Who did what and when
    Audit,
    /// Volunteer groups (comités)
    Groups,
    /// What the groups organise
    Activities,
    /// Open to everyone, no sign-in
    Public,
    /// The money ledger: sales, activity income, donations, corrections
    Money,
    /// Flags, banners, posters and the exhibition: stock and requests
    Materials,
    /// Money raised: totals, breakdowns, the thermometer
    Totals,
    /// The registry of municipalities of Flanders and Brussels, and point lookup
    Municipalities,
    /// Engagement programmes (Faire Gemeente, Solidaire Gemeente) and where municipalities stand in them
    Programmes,
    /// Questions of municipalities to 11.11.11, answered by staff
    Questions,
    /// 11.11.11's member organisations and their offer to local governments
    MemberOrganisations,
    /// The 4th pillar: citizen initiatives, referrals, the 11.11.11 fund
    FourthPillar,
    /// Telling other systems: signed webhooks and their delivery log
    Webhooks,
    /// What waits for staff today
    Digest,
    /// Groups, volunteers and stock from a spreadsheet, with a dry run
    Imports,
}
