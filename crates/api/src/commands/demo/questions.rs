//! The demo's questions to 11.11.11: a few per topic from the demo's contacts, in every state
//! (waiting, answered, reopened, closed), the demo contact's own among them.

use anyhow::Context;
use campaign_domain::ids::UserId;
use campaign_domain::municipality::NisCode;
use campaign_domain::question::{QuestionStatus, QuestionTopic, Writer};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::idempotency::Created;
use campaign_persistence::questions::{Asker, NewQuestion, QuestionRepo, ThreadError};

/// (topic, subject, question, staff's answer, the contact's follow-up, closed at the end)
type Script = (
    QuestionTopic,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

const SCRIPTS: [Script; 6] = [
    (
        QuestionTopic::CampaignSupport,
        "Ideeën voor 11 november op de markt",
        "We willen op de markt zichtbaar zijn rond 11 november. Hebben jullie suggesties?",
        None,
        None,
        false,
    ),
    (
        QuestionTopic::CampaignSupport,
        "Vlaggen aan het gemeentehuis",
        "Mogen we de campagnevlaggen ook na 11 november laten hangen?",
        Some("Zeker, tot het einde van de campagne. Stuur ons gerust een foto!"),
        None,
        false,
    ),
    (
        QuestionTopic::LocalGlobalPolicy,
        "Het memorandum voor de gemeenteraadsverkiezingen",
        "Waar vinden we het memorandum en is er een vorming voor de schepenen?",
        Some("Het memorandum staat op 11.be; de vorming plannen we in het voorjaar."),
        Some("Dank je! Kunnen we die vorming ook bij ons in de gemeente organiseren?"),
        false,
    ),
    (
        QuestionTopic::LocalGlobalPolicy,
        "Budget voor ontwikkelingssamenwerking",
        "Hoeveel procent van het budget besteden vergelijkbare gemeenten aan Noord-Zuid?",
        Some("Gemiddeld 0,7 euro per inwoner; we sturen je de vergelijking per provincie."),
        None,
        true,
    ),
    (
        QuestionTopic::CampaignSupport,
        "Quiz met de jeugdraad",
        "De jeugdraad wil een quiz organiseren. Hebben jullie vragen over de campagne?",
        Some("Ja, het quizpakket zit in de campagnemap; we mailen het je."),
        None,
        true,
    ),
    (
        QuestionTopic::LocalGlobalPolicy,
        "Een GROS oprichten",
        "Hoe richten we een gemeentelijke raad voor ontwikkelingssamenwerking op?",
        None,
        None,
        false,
    ),
];

/// Asks the scripted questions from `contacts` (the demo contact first) and plays them out with
/// `staff` answering; returns how many ended in each status.
pub async fn load(
    db: &DatabaseConnection,
    contacts: &[(UserId, NisCode, String)],
    staff: UserId,
) -> anyhow::Result<Vec<(QuestionStatus, usize)>> {
    let repo = QuestionRepo::new(db.clone());
    let ctx = AuditContext::default();
    let mut reached: Vec<(QuestionStatus, usize)> = QuestionStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    let Some((home, others)) = contacts.split_first() else {
        return Ok(reached);
    };
    let thread = |e: ThreadError| anyhow::anyhow!("{e:?}");
    // Each script twice: once for the demo contact, once for another municipality.
    let others = if others.is_empty() {
        std::slice::from_ref(home)
    } else {
        others
    };
    let askers = std::iter::repeat_n(home, SCRIPTS.len()).chain(others.iter().cycle());
    for ((topic, subject, text, answer, follow_up, closed), (asker, municipality, _)) in
        SCRIPTS.iter().chain(SCRIPTS.iter()).zip(askers)
    {
        let new = NewQuestion {
            topic: *topic,
            subject: (*subject).to_owned(),
            text: (*text).to_owned(),
            asker: Asker::Municipality(*municipality),
            asked_by: *asker,
        };
        let Created::New(asked) = repo
            .ask(new, &ctx, None, |_| (201, String::new()))
            .await
            .with_context(|| format!("asking {subject}"))?
        else {
            anyhow::bail!("asking {subject} was answered as a replay");
        };
        let id = asked.question.id;
        let mut status = asked.question.status;
        if let Some(answer) = answer {
            status = repo
                .add_message(id, Writer::Staff, staff, (*answer).to_owned(), &ctx)
                .await
                .map_err(thread)?
                .question
                .status;
        }
        if let Some(follow_up) = follow_up {
            status = repo
                .add_message(id, Writer::Asker, *asker, (*follow_up).to_owned(), &ctx)
                .await
                .map_err(thread)?
                .question
                .status;
        }
        if *closed {
            status = repo
                .move_to(id, QuestionStatus::Closed, &ctx)
                .await
                .map_err(thread)?
                .question
                .status;
        }
        if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == status) {
            slot.1 += 1;
        }
    }
    Ok(reached)
}
