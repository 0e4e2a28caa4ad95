//! Live totals streams: one totals read per change of a campaign, shared by every stream of that
//! campaign, and caps on the streams open per account and in all.
//!
//! The first stream of a campaign starts a follower task: it subscribes to the feed of changes
//! *before* its first read (a write committed in between triggers another read, so it is never
//! lost), reads the totals, and publishes them on a `watch` channel; after each change of that
//! campaign it reads once more (at most once a second) for all its streams. The task stops when
//! the last stream of the campaign closes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use campaign_persistence::StoreError;
use campaign_persistence::totals::{Summary, TotalsRepo, TotalsScope};
use futures_util::future::BoxFuture;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::config::LiveStreamLimits;
use crate::live::TotalsFeed;

/// The shortest gap between two reads (so two events) of one campaign's live totals.
pub const MIN_EVENT_GAP: Duration = Duration::from_secs(1);

/// The latest totals of one campaign; `None` until the first read.
pub type Latest = watch::Receiver<Option<Arc<Summary>>>;

type Reader = Arc<dyn Fn(i32) -> BoxFuture<'static, Result<Summary, StoreError>> + Send + Sync>;

/// The live totals of every followed campaign, and the count of open streams.
#[derive(Clone)]
pub struct LiveTotals {
    inner: Arc<Inner>,
}

struct Inner {
    feed: TotalsFeed,
    read: Reader,
    limits: LiveStreamLimits,
    followed: Mutex<HashMap<i32, watch::Sender<Option<Arc<Summary>>>>>,
    open: Mutex<OpenStreams>,
    reads: AtomicU64,
}

#[derive(Default)]
struct OpenStreams {
    total: usize,
    per_account: HashMap<Uuid, usize>,
}

/// Why a stream may not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The account has this many streams open, its limit.
    AccountFull(usize),
    /// The server has this many streams open, its limit.
    ServerFull(usize),
}

/// A place among the open streams, given back when the stream ends (dropped).
pub struct StreamPermit {
    inner: Arc<Inner>,
    account: Uuid,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = self.inner.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_account.get_mut(&self.account) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.per_account.remove(&self.account);
            }
        }
    }
}

impl LiveTotals {
    /// Live totals read from `totals` (whole campaigns), told of changes by `feed`.
    pub fn new(feed: TotalsFeed, totals: TotalsRepo, limits: LiveStreamLimits) -> Self {
        let read: Reader = Arc::new(move |year| {
            let totals = totals.clone();
            Box::pin(async move { totals.summary(year, TotalsScope::default()).await })
        });
        Self::with_reader(feed, read, limits)
    }

    fn with_reader(feed: TotalsFeed, read: Reader, limits: LiveStreamLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                feed,
                read,
                limits,
                followed: Mutex::new(HashMap::new()),
                open: Mutex::new(OpenStreams::default()),
                reads: AtomicU64::new(0),
            }),
        }
    }

    pub fn limits(&self) -> LiveStreamLimits {
        self.inner.limits
    }

    /// Totals read for streams since start-up (one per change of a followed campaign).
    pub fn reads(&self) -> u64 {
        self.inner.reads.load(Ordering::Relaxed)
    }

    /// A place for one more stream of `account`, or why not.
    pub fn admit(&self, account: Uuid) -> Result<StreamPermit, Refused> {
        let limits = self.inner.limits;
        let mut open = self.inner.open.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = open.per_account.get(&account).copied().unwrap_or(0);
        if mine >= limits.per_account {
            return Err(Refused::AccountFull(mine));
        }
        if open.total >= limits.total {
            return Err(Refused::ServerFull(open.total));
        }
        open.total += 1;
        open.per_account.insert(account, mine + 1);
        Ok(StreamPermit {
            inner: self.inner.clone(),
            account,
        })
    }

    /// The latest totals of `campaign_year`, kept current; starts following it if needed.
    pub fn follow(&self, campaign_year: i32) -> Latest {
        let mut followed = self.inner.followed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = followed.get(&campaign_year) {
            return sender.subscribe();
        }
        let (sender, latest) = watch::channel(None);
        followed.insert(campaign_year, sender.clone());
        // Subscribed here, before the task's first read: a change committed after that read's
        // snapshot is in this receiver and makes the task read again.
        let changes = self.inner.feed.subscribe();
        tokio::spawn(follow_campaign(self.inner.clone(), campaign_year, sender, changes));
        latest
    }
}

impl Inner {
    /// Forgets a campaign that no stream follows any more; `false` when one joined meanwhile.
    fn unfollow_if_unused(&self, campaign_year: i32, sender: &watch::Sender<Option<Arc<Summary>>>) -> bool {
        let mut followed = self.followed.lock().unwrap_or_else(PoisonError::into_inner);
        if sender.receiver_count() > 0 {
            return false;
        }
        followed.remove(&campaign_year);
        true
    }
}

/// Reads a campaign's totals for all its streams: now, then after each change of it.
async fn follow_campaign(
    inner: Arc<Inner>,
    campaign_year: i32,
    sender: watch::Sender<Option<Arc<Summary>>>,
    mut changes: broadcast::Receiver<i32>,
) {
    loop {
        let started = tokio::time::Instant::now();
        inner.reads.fetch_add(1, Ordering::Relaxed);
        match (inner.read)(campaign_year).await {
            Ok(summary) => {
                sender.send_replace(Some(Arc::new(summary)));
            }
            Err(e) => tracing::warn!(campaign_year, error = %e, "live totals: cannot read the totals"),
        }
        // Wait for a change of this campaign, or until no stream is left.
        loop {
            tokio::select! {
                () = sender.closed() => {
                    if inner.unfollow_if_unused(campaign_year, &sender) {
                        return;
                    }
                }
                change = changes.recv() => match change {
                    Ok(year) if year == campaign_year => break,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => {
                        inner.followed.lock().unwrap_or_else(PoisonError::into_inner).remove(&campaign_year);
                        return;
                    }
                },
            }
        }
        // At most one read a second: changes during the pause are in the next read.
        tokio::time::sleep_until(started + MIN_EVENT_GAP).await;
        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = changes.try_recv() {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;

    use super::*;

    fn limits(per_account: usize, total: usize) -> LiveStreamLimits {
        LiveStreamLimits {
            per_account,
            total,
            ..LiveStreamLimits::default()
        }
    }

    /// A reader whose first read is overtaken by a write: the write commits (and announces
    /// itself) after the read's snapshot was taken, so the first answer misses it.
    fn overtaken_reader(feed: TotalsFeed) -> (Reader, Arc<AtomicI64>) {
        let raised = Arc::new(AtomicI64::new(100));
        let counter = raised.clone();
        let read: Reader = Arc::new(move |year| {
            let (feed, raised) = (feed.clone(), counter.clone());
            Box::pin(async move {
                let seen = raised.load(Ordering::SeqCst);
                if seen == 100 {
                    raised.store(250, Ordering::SeqCst);
                    feed.changed(year);
                }
                Ok(Summary {
                    raised_cents: seen,
                    ..Summary::default()
                })
            })
        });
        (read, raised)
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_during_the_first_read_is_not_lost() {
        let feed = TotalsFeed::in_process();
        let (read, _) = overtaken_reader(feed.clone());
        let live = LiveTotals::with_reader(feed, read, limits(5, 5));
        let mut latest = live.follow(2026);
        let settled = tokio::time::timeout(Duration::from_secs(10), async {
            latest
                .wait_for(|s| s.as_ref().is_some_and(|s| s.raised_cents == 250))
                .await
                .is_ok()
        })
        .await;
        assert_eq!(settled, Ok(true), "the write made during the first read is read again");
        assert_eq!(live.reads(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn every_stream_of_a_campaign_shares_one_read_per_change() {
        let feed = TotalsFeed::in_process();
        let raised = Arc::new(AtomicI64::new(1));
        let counter = raised.clone();
        let read: Reader = Arc::new(move |_| {
            let raised = counter.clone();
            Box::pin(async move {
                Ok(Summary {
                    raised_cents: raised.load(Ordering::SeqCst),
                    ..Summary::default()
                })
            })
        });
        let live = LiveTotals::with_reader(feed.clone(), read, limits(50, 50));
        let mut streams: Vec<Latest> = (0..20).map(|_| live.follow(2026)).collect();
        for s in &mut streams {
            let _ = s.wait_for(Option::is_some).await;
        }
        assert_eq!(live.reads(), 1);
        raised.store(2, Ordering::SeqCst);
        feed.changed(2026);
        for s in &mut streams {
            let _ = s.wait_for(|v| v.as_ref().is_some_and(|v| v.raised_cents == 2)).await;
        }
        assert_eq!(live.reads(), 2, "one read for 20 streams");
        // Another campaign's change reads nothing for these.
        feed.changed(2025);
        tokio::task::yield_now().await;
        assert_eq!(live.reads(), 2);
        // The last stream gone, the follower stops; a new stream starts a new one.
        drop(streams);
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut again = live.follow(2026);
        let _ = again.wait_for(Option::is_some).await;
        assert_eq!(live.reads(), 3);
    }

    #[test]
    fn streams_are_capped_per_account_and_in_all() {
        let live = LiveTotals::with_reader(
            TotalsFeed::in_process(),
            Arc::new(|_| Box::pin(async { Ok(Summary::default()) })),
            limits(2, 3),
        );
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = live.admit(a);
        let second = live.admit(a);
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(live.admit(a).err(), Some(Refused::AccountFull(2)));
        let third = live.admit(b);
        assert!(third.is_ok());
        assert_eq!(live.admit(b).err(), Some(Refused::ServerFull(3)));
        drop(first);
        assert!(live.admit(b).is_ok(), "a closed stream gives its place back");
    }
}
