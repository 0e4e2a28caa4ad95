//! Questions to 11.11.11: a municipality asks for campaign support or about local global policy
//! (an initiative about the 4th pillar), as a thread of messages that 11.11.11's staff answer.
//!
//! A question is `open` while it waits for 11.11.11, `answered` once staff replied (the asker
//! may write again, which opens it again), and `closed` for good: closed threads take no more
//! messages.

use crate::ValidationError;
use crate::user::parse_text;

/// What a question is about; each topic has its own queue at 11.11.11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionTopic {
    /// Suggestions for activities or visibility in the municipality for 11 November.
    CampaignSupport,
    /// The memorandum and local policy: the local-global-policy team.
    LocalGlobalPolicy,
    /// The 4th-pillar support desk (initiatives).
    FourthPillar,
}

impl QuestionTopic {
    pub const ALL: [QuestionTopic; 3] = [Self::CampaignSupport, Self::LocalGlobalPolicy, Self::FourthPillar];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CampaignSupport => "campaign_support",
            Self::LocalGlobalPolicy => "local_global_policy",
            Self::FourthPillar => "fourth_pillar",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw).ok_or_else(|| {
            ValidationError::single(
                "topic",
                "must be campaign_support, local_global_policy or fourth_pillar",
            )
        })
    }

    /// Whether a municipality asks on this topic (the 4th pillar is the initiatives').
    pub fn for_municipalities(self) -> bool {
        self != Self::FourthPillar
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionStatus {
    Open,
    Answered,
    Closed,
}

impl QuestionStatus {
    pub const ALL: [QuestionStatus; 3] = [Self::Open, Self::Answered, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("status", "must be open, answered or closed"))
    }
}

/// Who writes in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The municipality's contact (or the initiative's account) who asks.
    Asker,
    /// 11.11.11 staff.
    Staff,
}

/// Why a thread refuses a message or a move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThreadRefused {
    #[error("the question is closed; ask a new question instead")]
    Closed,
    #[error("a question can only be closed (send a message to reopen an answered one)")]
    OnlyClosing,
}

/// The status after a message by `writer`: staff's answer makes it `answered`, the asker's makes
/// it `open` (waiting for 11.11.11) again; a closed question takes no messages.
pub fn after_message(current: QuestionStatus, writer: Writer) -> Result<QuestionStatus, ThreadRefused> {
    match (current, writer) {
        (QuestionStatus::Closed, _) => Err(ThreadRefused::Closed),
        (_, Writer::Staff) => Ok(QuestionStatus::Answered),
        (_, Writer::Asker) => Ok(QuestionStatus::Open),
    }
}

/// The status after asking for `to`: only closing is a move of its own (either side may close);
/// closing a closed question changes nothing.
pub fn move_to(current: QuestionStatus, to: QuestionStatus) -> Result<QuestionStatus, ThreadRefused> {
    match (current, to) {
        (_, QuestionStatus::Closed) => Ok(QuestionStatus::Closed),
        (c, t) if c == t => Ok(c),
        (QuestionStatus::Closed, _) => Err(ThreadRefused::Closed),
        _ => Err(ThreadRefused::OnlyClosing),
    }
}

/// A question's subject: 1 to 200 characters on one line.
pub fn subject(raw: &str) -> Result<String, ValidationError> {
    parse_text("subject", raw, 200)
}

/// The most characters of one message.
pub const MESSAGE_MAX_CHARS: usize = 5000;

/// A message's text: trimmed, line breaks kept, 1 to 5000 characters.
pub fn message_text(raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::single("text", "must not be empty"));
    }
    if text.chars().count() > MESSAGE_MAX_CHARS {
        return Err(ValidationError::single(
            "text",
            format!("must be at most {MESSAGE_MAX_CHARS} characters long"),
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuestionStatus as S;

    #[test]
    fn messages_move_the_thread_between_the_two_sides() {
        for from in [S::Open, S::Answered] {
            assert_eq!(after_message(from, Writer::Staff), Ok(S::Answered));
            assert_eq!(after_message(from, Writer::Asker), Ok(S::Open));
        }
        assert_eq!(after_message(S::Closed, Writer::Staff), Err(ThreadRefused::Closed));
        assert_eq!(after_message(S::Closed, Writer::Asker), Err(ThreadRefused::Closed));
    }

    #[test]
    fn every_pair_of_statuses_as_a_move() {
        use ThreadRefused::{Closed, OnlyClosing};
        let table = [
            (S::Open, S::Open, Ok(S::Open)),
            (S::Open, S::Answered, Err(OnlyClosing)),
            (S::Open, S::Closed, Ok(S::Closed)),
            (S::Answered, S::Open, Err(OnlyClosing)),
            (S::Answered, S::Answered, Ok(S::Answered)),
            (S::Answered, S::Closed, Ok(S::Closed)),
            (S::Closed, S::Open, Err(Closed)),
            (S::Closed, S::Answered, Err(Closed)),
            (S::Closed, S::Closed, Ok(S::Closed)),
        ];
        for (from, to, expected) in table {
            assert_eq!(move_to(from, to), expected, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn topics_and_statuses_read_back_what_they_write() {
        for topic in QuestionTopic::ALL {
            assert_eq!(QuestionTopic::parse(topic.as_str()), Ok(topic));
        }
        for status in QuestionStatus::ALL {
            assert_eq!(QuestionStatus::parse(status.as_str()), Ok(status));
        }
        assert!(QuestionTopic::parse("other").is_err());
        assert!(QuestionTopic::CampaignSupport.for_municipalities());
        assert!(!QuestionTopic::FourthPillar.for_municipalities());
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(
            message_text("  Hoe pakken we\nde quiz aan? ").ok().as_deref(),
            Some("Hoe pakken we\nde quiz aan?")
        );
        assert!(message_text("   ").is_err());
        assert!(message_text(&"é".repeat(MESSAGE_MAX_CHARS + 1)).is_err());
        assert!(subject("Ideeën voor 11 november").is_ok());
        assert!(subject("a\nb").is_err());
    }
}
