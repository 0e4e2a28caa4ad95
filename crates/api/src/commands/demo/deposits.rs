//! The demo's cash deposits: the busiest groups hand in the cash of the campaign up to 11 November, in
//! every state (matched, short, over, and closed by staff with and without a difference).

use campaign_domain::deposit::DepositDetails;
use campaign_domain::ids::{GroupId, UserId};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::deposits::DepositRepo;
use chrono::NaiveDate;

/// Deposits for `groups` (busiest first) covering 15 October to 11 November of `year`, deposited on the
/// 14th: one matched, one short, one over, one closed matched, one closed short with a reason.
pub async fn load(
    db: &DatabaseConnection,
    groups: &[(GroupId, UserId)],
    year: i32,
    staff: UserId,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let repo = DepositRepo::new(db.clone());
    let ctx = AuditContext::default();
    let (Some(from), Some(to), Some(on)) = (
        NaiveDate::from_ymd_opt(year, 10, 15),
        NaiveDate::from_ymd_opt(year, 11, 11),
        NaiveDate::from_ymd_opt(year, 11, 14),
    ) else {
        return Ok(0);
    };
    if on > today {
        return Ok(0);
    }
    // (difference to the cash logged, close, reason)
    let plans: [(i64, bool, Option<&str>); 5] = [
        (0, false, None),
        (-1_250, false, None),
        (500, false, None),
        (0, true, None),
        (
            -2_000,
            true,
            Some("Een briefje van 20 euro ontbrak in de kassa van de markt."),
        ),
    ];
    let mut made = 0;
    for ((group, volunteer), (difference, close, reason)) in groups.iter().zip(plans) {
        let logged = repo.cash_logged(*group, from, to).await?;
        let amount = logged + difference;
        if amount <= 0 {
            continue;
        }
        let reference = if made % 2 == 0 {
            "BE68 5390 0754 7034"
        } else {
            "afgegeven aan 11.11.11"
        };
        let details = DepositDetails::new(amount, on, reference, from, to, today)?;
        let deposit = repo.record(*group, details, *volunteer, &ctx).await?;
        if close {
            repo.close(deposit.id, reason.map(str::to_owned), staff, &ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        made += 1;
    }
    Ok(made)
}
