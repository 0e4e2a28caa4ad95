//! Importing volunteer groups with their volunteers: one row per volunteer (or a row with the
//! group alone), the group named with its municipality. A group is found by its municipality and
//! its name compared without case, accents or punctuation; a volunteer by e-mail address.
//! Importing the same file again finds everything and changes nothing.

use std::collections::HashMap;

use super::{CellError, Column, FileError, Layout, RowReport, Sheet, cell, data_rows, first_message};
use crate::group::group_name;
use crate::ids::{GroupId, UserId};
use crate::municipality::NisCode;
use crate::municipality_names::{Found, MunicipalityNames, name_key};
use crate::user::{Email, PersonName, Role};

const GROUP: usize = 0;
const MUNICIPALITY: usize = 1;
const VOLUNTEER_NAME: usize = 2;
const VOLUNTEER_EMAIL: usize = 3;

/// The columns of a groups file, in the order of the constants above.
pub const COLUMNS: &[Column] = &[
    Column {
        name: "group",
        aliases: &["groep", "group_name", "groepsnaam", "naam groep", "comite"],
        required: true,
    },
    Column {
        name: "municipality",
        aliases: &["gemeente", "municipality_nis", "nis", "nis_code", "niscode"],
        required: true,
    },
    Column {
        name: "volunteer_name",
        aliases: &["vrijwilliger", "naam vrijwilliger", "volunteer", "naam", "name"],
        required: false,
    },
    Column {
        name: "volunteer_email",
        aliases: &["email", "e-mail", "e-mailadres", "emailadres", "mail"],
        required: false,
    },
];

/// A stored group, as the import compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownGroup {
    pub id: GroupId,
    pub name: String,
    pub municipality: NisCode,
    pub active: bool,
}

/// A stored account whose address the file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAccount {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub group: Option<GroupId>,
    /// The name of its group, for the report.
    pub group_name: Option<String>,
    pub active: bool,
}

/// What is stored of the groups of the file's municipalities and of the accounts of its addresses.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub groups: Vec<KnownGroup>,
    pub accounts: Vec<KnownAccount>,
}

/// One change the import makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    CreateGroup {
        id: GroupId,
        name: String,
        municipality: NisCode,
    },
    ReactivateGroup {
        id: GroupId,
    },
    /// A volunteer account without a password: it cannot sign in until staff set one.
    CreateVolunteer {
        id: UserId,
        email: Email,
        name: PersonName,
        group: GroupId,
    },
    RenameVolunteer {
        id: UserId,
        name: PersonName,
    },
    MoveVolunteer {
        id: UserId,
        group: GroupId,
    },
}

/// The outcome of every row and, when none is refused, the changes to make.
#[derive(Debug, Clone)]
pub struct GroupPlan {
    pub reports: Vec<RowReport>,
    pub changes: Vec<GroupChange>,
    pub ignored_columns: Vec<String>,
}

/// A row read into domain values.
struct GroupRow {
    row: usize,
    name: String,
    municipality: Found,
    volunteer: Option<(PersonName, Email)>,
}

/// The addresses the file names (lower-case), so their accounts can be looked up.
pub fn emails_named(sheet: &Sheet) -> Result<Vec<String>, FileError> {
    let layout = Layout::locate(&sheet.headers, COLUMNS)?;
    let mut emails: Vec<String> = data_rows(sheet)?
        .into_iter()
        .filter_map(|r| Email::parse(layout.cell(r, VOLUNTEER_EMAIL)).ok())
        .map(|e| e.as_str().to_owned())
        .collect();
    emails.sort();
    emails.dedup();
    Ok(emails)
}

/// The municipalities the file names, so their groups can be looked up.
pub fn municipalities_named(sheet: &Sheet, names: &MunicipalityNames) -> Result<Vec<NisCode>, FileError> {
    let layout = Layout::locate(&sheet.headers, COLUMNS)?;
    let mut codes: Vec<NisCode> = data_rows(sheet)?
        .into_iter()
        .filter_map(|r| names.find(layout.cell(r, MUNICIPALITY)).ok())
        .map(|f| f.nis())
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

fn read_row(layout: &Layout, row: &super::SheetRow, names: &MunicipalityNames) -> Result<GroupRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let name = group_name(layout.cell(row, GROUP))
        .map_err(|e| errors.push(cell("group", format!("the group name {}", first_message(&e)))))
        .ok();
    let municipality = names
        .find(layout.cell(row, MUNICIPALITY))
        .map_err(|m| errors.push(cell("municipality", m)))
        .ok();
    let (raw_name, raw_email) = (layout.cell(row, VOLUNTEER_NAME), layout.cell(row, VOLUNTEER_EMAIL));
    let volunteer = match (raw_name.is_empty(), raw_email.is_empty()) {
        (true, true) => Some(None),
        (false, true) => {
            errors.push(cell(
                "volunteer_email",
                "a volunteer needs an e-mail address; add it, or leave the name empty for a group alone",
            ));
            None
        }
        (true, false) => {
            errors.push(cell("volunteer_name", "the volunteer with this address needs a name"));
            None
        }
        (false, false) => {
            let person = PersonName::parse(raw_name)
                .map_err(|e| errors.push(cell("volunteer_name", format!("the name {}", first_message(&e)))))
                .ok();
            let email = Email::parse(raw_email)
                .map_err(|e| errors.push(cell("volunteer_email", first_message(&e))))
                .ok();
            person.zip(email).map(Some)
        }
    };
    match (name, municipality, volunteer) {
        (Some(name), Some(municipality), Some(volunteer)) if errors.is_empty() => Ok(GroupRow {
            row: row.number,
            name,
            municipality,
            volunteer,
        }),
        _ => Err(errors),
    }
}

/// What the import of `sheet` would do, given what is stored.
pub fn plan(sheet: &Sheet, names: &MunicipalityNames, stored: &Stored) -> Result<GroupPlan, FileError> {
    let layout = Layout::locate(&sheet.headers, COLUMNS)?;
    let rows = data_rows(sheet)?;
    let mut planner = Planner::new(names, stored);
    let reports = rows
        .into_iter()
        .map(|row| match read_row(&layout, row, names) {
            Ok(read) => planner.plan_row(read),
            Err(errors) => RowReport::refused(row.number, errors),
        })
        .collect();
    Ok(GroupPlan {
        reports,
        changes: planner.changes,
        ignored_columns: layout.ignored,
    })
}

struct Planner<'a> {
    names: &'a MunicipalityNames,
    /// Stored groups by (municipality, name key).
    stored_groups: HashMap<(NisCode, String), Vec<&'a KnownGroup>>,
    accounts: HashMap<&'a str, &'a KnownAccount>,
    /// Groups the file already settled, by (municipality, name key).
    settled: HashMap<(NisCode, String), GroupId>,
    /// Addresses already on a row, with the row.
    seen_emails: HashMap<String, usize>,
    changes: Vec<GroupChange>,
}

impl<'a> Planner<'a> {
    fn new(names: &'a MunicipalityNames, stored: &'a Stored) -> Self {
        let mut stored_groups: HashMap<(NisCode, String), Vec<&KnownGroup>> = HashMap::new();
        for g in &stored.groups {
            stored_groups
                .entry((g.municipality, name_key(&g.name)))
                .or_default()
                .push(g);
        }
        Self {
            names,
            stored_groups,
            accounts: stored.accounts.iter().map(|a| (a.email.as_str(), a)).collect(),
            settled: HashMap::new(),
            seen_emails: HashMap::new(),
            changes: Vec::new(),
        }
    }

    fn plan_row(&mut self, read: GroupRow) -> RowReport {
        let nis = read.municipality.nis();
        let key = (nis, name_key(&read.name));
        let mut notes = Vec::new();
        let mut changes = Vec::new();
        let (mut created, mut updated) = (false, false);
        if let Found::Merged { former, .. } = &read.municipality {
            notes.push(format!(
                "{former} is part of {} since 1 January 2025",
                self.names.label(nis)
            ));
        }
        if let Some((_, email)) = &read.volunteer
            && let Some(first) = self.seen_emails.get(email.as_str())
        {
            return RowReport::refused(
                read.row,
                vec![cell(
                    "volunteer_email",
                    format!("{} is on row {first} already; one row per volunteer", email.as_str()),
                )],
            );
        }
        let group = match self.settled.get(&key) {
            Some(id) => *id,
            None => match self.stored_groups.get(&key).map(Vec::as_slice).unwrap_or_default() {
                [] => {
                    let id = GroupId::new();
                    created = true;
                    notes.push(format!("creates the group {} in {}", read.name, self.names.label(nis)));
                    changes.push(GroupChange::CreateGroup {
                        id,
                        name: read.name.clone(),
                        municipality: nis,
                    });
                    id
                }
                [one] => {
                    if !one.active {
                        updated = true;
                        notes.push(format!("reactivates the group {}", one.name));
                        changes.push(GroupChange::ReactivateGroup { id: one.id });
                    }
                    one.id
                }
                several => {
                    let listed: Vec<&str> = several.iter().map(|g| g.name.as_str()).collect();
                    return RowReport::refused(
                        read.row,
                        vec![cell(
                            "group",
                            format!(
                                "{} groups of {} match this name: {}; rename one of them first",
                                several.len(),
                                self.names.label(nis),
                                listed.join(", ")
                            ),
                        )],
                    );
                }
            },
        };
        if let Some((person, email)) = read.volunteer {
            match self.accounts.get(email.as_str()) {
                None => {
                    created = true;
                    notes.push(format!(
                        "creates the volunteer account of {} <{}> (no password yet: staff set one before it can sign in)",
                        person.as_str(),
                        email.as_str()
                    ));
                    changes.push(GroupChange::CreateVolunteer {
                        id: UserId::new(),
                        email: email.clone(),
                        name: person,
                        group,
                    });
                }
                Some(account) if account.role != Role::Volunteer => {
                    return RowReport::refused(
                        read.row,
                        vec![cell(
                            "volunteer_email",
                            format!(
                                "{} belongs to a {} account, not a volunteer; use another address",
                                email.as_str(),
                                account.role.as_str()
                            ),
                        )],
                    );
                }
                Some(account) => {
                    if account.group != Some(group) {
                        updated = true;
                        notes.push(format!(
                            "moves {} from the group {} to {}",
                            email.as_str(),
                            account.group_name.as_deref().unwrap_or("(none)"),
                            read.name
                        ));
                        changes.push(GroupChange::MoveVolunteer { id: account.id, group });
                    }
                    if account.name != person.as_str() {
                        updated = true;
                        notes.push(format!(
                            "renames {} from {} to {}",
                            email.as_str(),
                            account.name,
                            person.as_str()
                        ));
                        changes.push(GroupChange::RenameVolunteer {
                            id: account.id,
                            name: person,
                        });
                    }
                    if !account.active {
                        notes.push(format!(
                            "the account of {} is deactivated and stays so; reactivate it on the accounts page if it should sign in",
                            email.as_str()
                        ));
                    }
                }
            }
            self.seen_emails.insert(email.as_str().to_owned(), read.row);
        }
        self.settled.insert(key, group);
        self.changes.extend(changes);
        RowReport::planned(read.row, created, updated, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Outcome;
    use super::super::test_sheet::sheet;
    use super::*;

    fn nis(code: &str) -> NisCode {
        NisCode::parse(code).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn names() -> MunicipalityNames {
        MunicipalityNames::new([
            (nis("44021"), "Gent", None),
            (nis("44088"), "Merelbeke-Melle", None),
            (nis("46021"), "Sint-Niklaas", None),
        ])
    }

    const HEADERS: &[&str] = &["Groep", "Gemeente", "Naam", "E-mail"];

    fn planned(rows: &[&[&str]], stored: &Stored) -> GroupPlan {
        plan(&sheet(HEADERS, rows), &names(), stored).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn outcomes(p: &GroupPlan) -> Vec<Outcome> {
        p.reports.iter().map(|r| r.outcome).collect()
    }

    #[test]
    fn a_new_group_is_created_once_for_all_its_volunteers() {
        let p = planned(
            &[
                &["Wereldwinkel", "Gent", "An Peeters", "an@example.org"],
                &["wereldwinkel", "44021", "Bo Claes", "BO@example.org"],
            ],
            &Stored::default(),
        );
        assert_eq!(outcomes(&p), vec![Outcome::Created, Outcome::Created]);
        let groups: Vec<_> = p
            .changes
            .iter()
            .filter(|c| matches!(c, GroupChange::CreateGroup { .. }))
            .collect();
        assert_eq!(groups.len(), 1);
        let Some(GroupChange::CreateGroup { id, .. }) = groups.first() else {
            unreachable!()
        };
        let members: Vec<GroupId> = p
            .changes
            .iter()
            .filter_map(|c| match c {
                GroupChange::CreateVolunteer { group, email, .. } => {
                    assert!(email.as_str().ends_with("@example.org"));
                    Some(*group)
                }
                _ => None,
            })
            .collect();
        assert_eq!(members, vec![*id, *id]);
        assert!(
            p.reports[0].notes[0].contains("Gent (44021)"),
            "{:?}",
            p.reports[0].notes
        );
    }

    #[test]
    fn what_is_stored_already_is_unchanged() {
        let group = KnownGroup {
            id: GroupId::new(),
            name: "Wereldwinkel Gent".into(),
            municipality: nis("44021"),
            active: true,
        };
        let stored = Stored {
            accounts: vec![KnownAccount {
                id: UserId::new(),
                email: "an@example.org".into(),
                name: "An Peeters".into(),
                role: Role::Volunteer,
                group: Some(group.id),
                group_name: Some(group.name.clone()),
                active: true,
            }],
            groups: vec![group],
        };
        let p = planned(
            &[&["WERELDWINKEL GENT", "gent", "An Peeters", "An@Example.org"]],
            &stored,
        );
        assert_eq!(outcomes(&p), vec![Outcome::Unchanged]);
        assert!(p.changes.is_empty());
    }

    #[test]
    fn a_known_volunteer_is_renamed_and_moved_and_a_deactivated_group_reactivated() {
        let old = KnownGroup {
            id: GroupId::new(),
            name: "Oud".into(),
            municipality: nis("44021"),
            active: true,
        };
        let new = KnownGroup {
            id: GroupId::new(),
            name: "Nieuw".into(),
            municipality: nis("46021"),
            active: false,
        };
        let volunteer = UserId::new();
        let stored = Stored {
            accounts: vec![KnownAccount {
                id: volunteer,
                email: "an@example.org".into(),
                name: "An".into(),
                role: Role::Volunteer,
                group: Some(old.id),
                group_name: Some(old.name.clone()),
                active: true,
            }],
            groups: vec![old, new.clone()],
        };
        let p = planned(&[&["Nieuw", "St.-Niklaas", "An Peeters", "an@example.org"]], &stored);
        assert_eq!(outcomes(&p), vec![Outcome::Updated]);
        assert!(p.changes.contains(&GroupChange::ReactivateGroup { id: new.id }));
        assert!(p.changes.contains(&GroupChange::MoveVolunteer {
            id: volunteer,
            group: new.id
        }));
        assert!(p.changes.iter().any(|c| matches!(c, GroupChange::RenameVolunteer { id, name } if *id == volunteer && name.as_str() == "An Peeters")));
        assert!(p.reports[0].notes.iter().any(|n| n.contains("from the group Oud")));
    }

    #[test]
    fn bad_rows_are_refused_with_every_reason_and_the_rest_still_planned() {
        let p = planned(
            &[
                &["", "Atlantis", "An", "not-an-address"],
                &["Groep", "Gent", "Bo", ""],
                &["Groep", "Gent", "", "cy@example.org"],
                &["Groep", "Gent", "Cy", "cy@example.org"],
                &["Groep", "Gent", "Cy again", "CY@example.org"],
            ],
            &Stored::default(),
        );
        assert_eq!(
            outcomes(&p),
            vec![
                Outcome::Refused,
                Outcome::Refused,
                Outcome::Refused,
                Outcome::Created,
                Outcome::Refused
            ]
        );
        let columns: Vec<&str> = p.reports[0].errors.iter().map(|e| e.column).collect();
        assert_eq!(columns, vec!["group", "municipality", "volunteer_email"]);
        assert_eq!(p.reports[1].errors[0].column, "volunteer_email");
        assert_eq!(p.reports[2].errors[0].column, "volunteer_name");
        assert!(
            p.reports[4].errors[0].message.contains("on row 5 already"),
            "{:?}",
            p.reports[4]
        );
    }

    #[test]
    fn a_merged_municipality_points_to_the_new_one_with_a_note() {
        let p = planned(&[&["Melle helpt", "Melle", "", ""]], &Stored::default());
        assert_eq!(outcomes(&p), vec![Outcome::Created]);
        assert!(
            matches!(&p.changes[0], GroupChange::CreateGroup { municipality, .. } if *municipality == nis("44088"))
        );
        assert!(p.reports[0].notes[0].contains("Melle is part of Merelbeke-Melle (44088)"));
    }

    #[test]
    fn an_address_of_another_role_or_an_ambiguous_group_is_refused() {
        let stored = Stored {
            groups: vec![
                KnownGroup {
                    id: GroupId::new(),
                    name: "Sint Jan".into(),
                    municipality: nis("44021"),
                    active: true,
                },
                KnownGroup {
                    id: GroupId::new(),
                    name: "St.-Jan".into(),
                    municipality: nis("44021"),
                    active: true,
                },
            ],
            accounts: vec![KnownAccount {
                id: UserId::new(),
                email: "boss@example.org".into(),
                name: "Boss".into(),
                role: Role::Staff,
                group: None,
                group_name: None,
                active: true,
            }],
        };
        let p = planned(
            &[
                &["Sint-Jan", "Gent", "", ""],
                &["Andere", "Gent", "Boss", "boss@example.org"],
            ],
            &stored,
        );
        assert_eq!(outcomes(&p), vec![Outcome::Refused, Outcome::Refused]);
        assert!(p.reports[0].errors[0].message.contains("2 groups"));
        assert!(p.reports[1].errors[0].message.contains("staff account"));
        assert!(p.changes.is_empty(), "a refused row plans nothing: {:?}", p.changes);
    }

    #[test]
    fn the_lookups_list_each_address_and_municipality_once() {
        let s = sheet(
            HEADERS,
            &[
                &["A", "Gent", "An", "AN@example.org"],
                &["B", "44021", "Bo", "an@example.org"],
                &["C", "nowhere", "", ""],
            ],
        );
        assert_eq!(emails_named(&s).ok(), Some(vec!["an@example.org".to_owned()]));
        assert_eq!(municipalities_named(&s, &names()).ok(), Some(vec![nis("44021")]));
    }
}
