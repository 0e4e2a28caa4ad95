//! The access policy: the one place that decides whether an actor may do an action on a
//! resource of some scope. Every endpoint asks it.
//!
//! Outside their scope an actor is told the resource does not exist (`NotFound`), so ids of
//! other groups or municipalities reveal nothing; a visible resource with a forbidden action is
//! `Forbidden`.

use crate::ids::{GroupId, InitiativeId, MemberOrgId, UserId};
use crate::municipality::NisCode;
use crate::user::{Membership, Role};

/// The signed-in person making a request, with their current role and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub membership: Membership,
}

impl Actor {
    pub fn role(&self) -> Role {
        self.membership.role()
    }
}

/// What a resource belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Shared by the whole campaign: campaigns, products, the material catalogue.
    Campaign,
    /// Running the system: accounts, the audit log, stock.
    Administration,
    /// A volunteer group and what it owns (activities, money entries).
    Group { group: GroupId, municipality: NisCode },
    /// A municipality's own business: its material requests, its totals.
    Municipality(NisCode),
    /// A member organisation's own business: its offers, the inquiries about them.
    MemberOrg(MemberOrgId),
    /// A 4th-pillar initiative's own business: its profile, its fund applications.
    Initiative(InitiativeId),
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    /// Create or change things in the scope (log an activity, request materials).
    Write,
    /// Decisions kept for staff even where others may read and write (approve, ship, adjust).
    Manage,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Outside the actor's scope: answer as if it did not exist.
    NotFound,
    /// Visible to the actor, but the action is not theirs to take.
    Forbidden,
}

/// Proof that the policy allowed an action; only [`authorize`] makes one.
#[must_use = "an authorization that is not checked protects nothing"]
#[derive(Debug)]
pub struct Grant(());

/// Decides whether `actor` may take `action` on a resource in `scope`.
pub fn authorize(actor: &Actor, action: Action, scope: Scope) -> Result<Grant, Refusal> {
    let visible = match (actor.membership, scope) {
        (Membership::Staff, _) => return Ok(Grant(())),
        (_, Scope::Campaign) => true,
        (_, Scope::Administration) => return Err(Refusal::Forbidden),
        (Membership::Volunteer { group }, Scope::Group { group: g, .. }) => group == g,
        (Membership::MunicipalContact { municipality }, Scope::Group { municipality: m, .. }) => municipality == m,
        (Membership::MunicipalContact { municipality }, Scope::Municipality(m)) => municipality == m,
        (Membership::MemberOrg { organisation }, Scope::MemberOrg(o)) => organisation == o,
        (Membership::Initiative { initiative }, Scope::Initiative(i)) => initiative == i,
        // Everything else is someone else's business.
        (_, Scope::Group { .. } | Scope::Municipality(_) | Scope::MemberOrg(_) | Scope::Initiative(_)) => false,
    };
    if !visible {
        return Err(Refusal::NotFound);
    }
    let may = match (actor.membership, scope, action) {
        (_, _, Action::Read) => true,
        (_, _, Action::Manage) => false,
        (_, Scope::Campaign | Scope::Administration, Action::Write) => false,
        (Membership::Volunteer { .. }, Scope::Group { .. }, Action::Write) => true,
        (Membership::MunicipalContact { .. }, Scope::Municipality(_), Action::Write) => true,
        (Membership::MemberOrg { .. }, Scope::MemberOrg(_), Action::Write) => true,
        (Membership::Initiative { .. }, Scope::Initiative(_), Action::Write) => true,
        _ => false,
    };
    if may { Ok(Grant(())) } else { Err(Refusal::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> NisCode {
        NisCode::parse(raw).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn every_role_against_every_scope() {
        let (gent, leuven) = (code("44021"), code("24062"));
        let (group_a, group_b) = (GroupId::new(), GroupId::new());
        let staff = Actor {
            user_id: UserId::new(),
            membership: Membership::Staff,
        };
        let volunteer = Actor {
            user_id: UserId::new(),
            membership: Membership::Volunteer { group: group_a },
        };
        let contact = Actor {
            user_id: UserId::new(),
            membership: Membership::MunicipalContact { municipality: gent },
        };
        let (org_a, org_b) = (MemberOrgId::new(), MemberOrgId::new());
        let member_org = Actor {
            user_id: UserId::new(),
            membership: Membership::MemberOrg { organisation: org_a },
        };
        let (initiative_a, initiative_b) = (InitiativeId::new(), InitiativeId::new());
        let initiative = Actor {
            user_id: UserId::new(),
            membership: Membership::Initiative {
                initiative: initiative_a,
            },
        };

        let scopes = [
            ("campaign", Scope::Campaign),
            ("administration", Scope::Administration),
            (
                "group A in Gent",
                Scope::Group {
                    group: group_a,
                    municipality: gent,
                },
            ),
            (
                "group B in Leuven",
                Scope::Group {
                    group: group_b,
                    municipality: leuven,
                },
            ),
            ("Gent", Scope::Municipality(gent)),
            ("Leuven", Scope::Municipality(leuven)),
            ("organisation A", Scope::MemberOrg(org_a)),
            ("organisation B", Scope::MemberOrg(org_b)),
            ("initiative A", Scope::Initiative(initiative_a)),
            ("initiative B", Scope::Initiative(initiative_b)),
        ];
        use Refusal::{Forbidden as F, NotFound as N};
        type Row = [Result<(), Refusal>; 3]; // read, write, manage
        let ok = Ok(());
        let hidden = [Err(N), Err(N), Err(N)];
        let expected: [(&Actor, [Row; 10]); 5] = [
            (&staff, [[ok; 3]; 10]),
            (
                &volunteer,
                [
                    [ok, Err(F), Err(F)],     // campaign
                    [Err(F), Err(F), Err(F)], // administration
                    [ok, ok, Err(F)],         // own group
                    [Err(N), Err(N), Err(N)], // another group
                    [Err(N), Err(N), Err(N)], // a municipality
                    [Err(N), Err(N), Err(N)],
                    [Err(N), Err(N), Err(N)], // a member organisation
                    [Err(N), Err(N), Err(N)],
                    hidden, // an initiative
                    hidden,
                ],
            ),
            (
                &contact,
                [
                    [ok, Err(F), Err(F)],     // campaign
                    [Err(F), Err(F), Err(F)], // administration
                    [ok, Err(F), Err(F)],     // a group of their municipality
                    [Err(N), Err(N), Err(N)], // a group elsewhere
                    [ok, ok, Err(F)],         // their municipality
                    [Err(N), Err(N), Err(N)], // another municipality
                    [Err(N), Err(N), Err(N)], // a member organisation
                    [Err(N), Err(N), Err(N)],
                    hidden, // an initiative
                    hidden,
                ],
            ),
            (
                &member_org,
                [
                    [ok, Err(F), Err(F)],     // campaign
                    [Err(F), Err(F), Err(F)], // administration
                    [Err(N), Err(N), Err(N)], // a group
                    [Err(N), Err(N), Err(N)],
                    [Err(N), Err(N), Err(N)], // a municipality
                    [Err(N), Err(N), Err(N)],
                    [ok, ok, Err(F)],         // its own organisation
                    [Err(N), Err(N), Err(N)], // another organisation
                    hidden,                   // an initiative
                    hidden,
                ],
            ),
            (
                &initiative,
                [
                    [ok, Err(F), Err(F)],     // campaign
                    [Err(F), Err(F), Err(F)], // administration
                    hidden,                   // a group
                    hidden,
                    hidden, // a municipality
                    hidden,
                    hidden, // a member organisation
                    hidden,
                    [ok, ok, Err(F)], // its own initiative
                    hidden,           // another initiative
                ],
            ),
        ];
        for (actor, rows) in expected {
            for ((name, scope), row) in scopes.iter().zip(rows) {
                for (action, want) in [Action::Read, Action::Write, Action::Manage].into_iter().zip(row) {
                    let got = authorize(actor, action, *scope).map(|_| ());
                    assert_eq!(got, want, "{:?} {action:?} on {name}", actor.role());
                }
            }
        }
    }
}
