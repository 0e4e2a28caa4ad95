//! Inquiries: a municipality asks a member organisation about one of its offers, as a thread of
//! messages between the two sides, and the inquiry moves
//! `sent → answered → agreed | declined | closed`.
//!
//! - The organisation answers (its first message does it, or the move itself).
//! - Once answered, either side agrees or declines; the organisation may also decline at once.
//! - Either side closes: a withdrawn question, or an agreement carried out. Declined and closed
//!   are final: no more moves, no more messages.
//! - 11.11.11's staff may do what either side may (they help both).

use crate::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InquiryStatus {
    /// Waiting for the organisation.
    Sent,
    /// The organisation answered; the two sides talk it through.
    Answered,
    /// Both sides go ahead.
    Agreed,
    /// Not going ahead (final).
    Declined,
    /// Done or withdrawn (final).
    Closed,
}

impl InquiryStatus {
    pub const ALL: [InquiryStatus; 5] = [Self::Sent, Self::Answered, Self::Agreed, Self::Declined, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Answered => "answered",
            Self::Agreed => "agreed",
            Self::Declined => "declined",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("status", "must be sent, answered, agreed, declined or closed"))
    }

    /// Whether the inquiry still waits for something (not declined or closed).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Declined | Self::Closed)
    }
}

/// Who acts on an inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The asking municipality's contact.
    Municipality,
    /// A person of the organisation whose offer it is.
    Organisation,
    /// 11.11.11 staff, who may act for either side.
    Staff,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Municipality => "municipality",
            Self::Organisation => "organisation",
            Self::Staff => "staff",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        [Self::Municipality, Self::Organisation, Self::Staff]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("side", "must be municipality, organisation or staff"))
    }
}

/// Why an inquiry refuses a move or a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InquiryRefused {
    #[error("the inquiry is {}; it takes no more messages or moves (send a new inquiry instead)", .0.as_str())]
    Final(InquiryStatus),
    #[error("an inquiry that is {} cannot become {}; from here it can become {}", .from.as_str(), .to.as_str(), list(.open))]
    NotAllowed {
        from: InquiryStatus,
        to: InquiryStatus,
        open: Vec<InquiryStatus>,
    },
    #[error("only the organisation makes an inquiry {}", .0.as_str())]
    OrganisationOnly(InquiryStatus),
}

fn list(statuses: &[InquiryStatus]) -> String {
    match statuses {
        [] => "nothing else".to_owned(),
        _ => statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
    }
}

/// Where an inquiry can go from `from`, for anyone.
pub fn next_statuses(from: InquiryStatus) -> Vec<InquiryStatus> {
    use InquiryStatus::*;
    match from {
        Sent => vec![Answered, Declined, Closed],
        Answered => vec![Agreed, Declined, Closed],
        Agreed => vec![Closed],
        Declined | Closed => vec![],
    }
}

/// Checks `side`'s move from `from` to `to`. Asking for the status it has changes nothing (a
/// retried request succeeds).
pub fn move_to(from: InquiryStatus, to: InquiryStatus, side: Side) -> Result<InquiryStatus, InquiryRefused> {
    use InquiryStatus::*;
    if from == to {
        return Ok(from);
    }
    if !from.is_open() {
        return Err(InquiryRefused::Final(from));
    }
    let open = next_statuses(from);
    if !open.contains(&to) {
        return Err(InquiryRefused::NotAllowed { from, to, open });
    }
    // Answering, and declining what has not been answered, is the organisation's to do.
    let organisation_only = to == Answered || (from == Sent && to == Declined);
    if organisation_only && side == Side::Municipality {
        return Err(InquiryRefused::OrganisationOnly(to));
    }
    Ok(to)
}

/// The status after a message by `side`: the organisation's first message answers a sent
/// inquiry; other messages (staff's too: they may write for either side) leave the status as it
/// is, and staff answer for the organisation with the move itself. Final inquiries take no
/// messages.
pub fn after_message(current: InquiryStatus, side: Side) -> Result<InquiryStatus, InquiryRefused> {
    match (current, side) {
        (s, _) if !s.is_open() => Err(InquiryRefused::Final(s)),
        (InquiryStatus::Sent, Side::Organisation) => Ok(InquiryStatus::Answered),
        (s, _) => Ok(s),
    }
}

/// The expected audience of an inquiry: 1 to 100,000 people.
pub fn audience_size(raw: i64) -> Result<u32, ValidationError> {
    u32::try_from(raw)
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| ValidationError::single("audience_size", "must be a number of people from 1 to 100000"))
}

/// When the municipality would like it, in its own words ("spring 2027", "week of 11 November"):
/// up to 100 characters on one line.
pub fn preferred_period(raw: &str) -> Result<String, ValidationError> {
    crate::user::parse_text("preferred_period", raw, 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use InquiryStatus::*;

    const SIDES: [Side; 3] = [Side::Municipality, Side::Organisation, Side::Staff];

    /// Every (from, to, side): allowed exactly where the rules say so.
    #[test]
    fn every_move_for_every_side() {
        let allowed = |from: InquiryStatus, to: InquiryStatus, side: Side| -> bool {
            match (from, to) {
                (Sent, Answered) | (Sent, Declined) => side != Side::Municipality,
                (Sent, Closed) | (Answered, Agreed | Declined | Closed) | (Agreed, Closed) => true,
                _ => false,
            }
        };
        for from in InquiryStatus::ALL {
            for to in InquiryStatus::ALL {
                for side in SIDES {
                    let got = move_to(from, to, side);
                    if from == to {
                        assert_eq!(got, Ok(from), "{from:?} → {to:?} by {side:?}");
                    } else if allowed(from, to, side) {
                        assert_eq!(got, Ok(to), "{from:?} → {to:?} by {side:?}");
                    } else {
                        assert!(got.is_err(), "{from:?} → {to:?} by {side:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn refusals_say_what_is_possible() {
        let refused = |from, to, side| move_to(from, to, side).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            refused(Sent, Agreed, Side::Organisation),
            "an inquiry that is sent cannot become agreed; from here it can become answered or declined or closed"
        );
        assert_eq!(
            refused(Sent, Answered, Side::Municipality),
            "only the organisation makes an inquiry answered"
        );
        assert!(refused(Closed, Sent, Side::Staff).contains("takes no more"));
        assert!(refused(Declined, Agreed, Side::Organisation).contains("declined"));
        assert!(refused(Agreed, Declined, Side::Municipality).contains("can become closed"));
    }

    #[test]
    fn the_organisations_first_message_answers() {
        assert_eq!(after_message(Sent, Side::Organisation), Ok(Answered));
        assert_eq!(after_message(Sent, Side::Staff), Ok(Sent));
        assert_eq!(after_message(Sent, Side::Municipality), Ok(Sent));
        for side in SIDES {
            assert_eq!(after_message(Answered, side), Ok(Answered));
            assert_eq!(after_message(Agreed, side), Ok(Agreed));
            assert_eq!(after_message(Declined, side), Err(InquiryRefused::Final(Declined)));
            assert_eq!(after_message(Closed, side), Err(InquiryRefused::Final(Closed)));
        }
    }

    #[test]
    fn audience_and_period_are_checked() {
        assert_eq!(audience_size(1), Ok(1));
        assert_eq!(audience_size(100_000), Ok(100_000));
        for bad in [0, -5, 100_001, i64::MAX] {
            assert!(audience_size(bad).is_err(), "{bad}");
        }
        assert_eq!(preferred_period(" lente 2027 ").ok().as_deref(), Some("lente 2027"));
        assert!(preferred_period("").is_err());
        for status in InquiryStatus::ALL {
            assert_eq!(InquiryStatus::parse(status.as_str()), Ok(status));
        }
        assert_eq!(Side::parse("organisation"), Ok(Side::Organisation));
    }
}
