//! Consumer applications for the lessons: a fraud detector, a cheat detector and a live
//! dashboard. They look at the contents of the records they are delivered (regenerated from the
//! seed, see [`Lazy`]) and raise alerts, each with its detection delay: when the consumer saw
//! the record minus when the record arrived in the stream.

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value;

use super::base::content::Lazy;
use super::base::digest::Fnv;
use super::base::json::{Errors, Obj};
use super::base::keys::KeyState;
use super::base::limits::{
    ALERTS_KEPT, CHEAT_MAX_ACTIONS, CHEAT_MAX_SCORE, CHEAT_WINDOW, FRAUD_MAX_AMOUNT,
    FRAUD_MAX_TRANSACTIONS, FRAUD_WINDOW,
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AppConfig {
    /// Alert when one card makes more than `max_transactions` in `window_ms`, or one
    /// transaction is above `max_amount_cents`.
    FraudDetector {
        max_transactions: u32,
        window_ms: u64,
        max_amount_cents: u64,
    },
    /// Alert when one player makes more than `max_actions` in `window_ms`, or scores more than
    /// `max_score` in one action.
    CheatDetector {
        max_actions: u32,
        window_ms: u64,
        max_score: u64,
    },
    /// Counts records a second, as a live dashboard would.
    Dashboard,
}

impl AppConfig {
    pub fn name(&self) -> &'static str {
        match self {
            AppConfig::FraudDetector { .. } => "fraud_detector",
            AppConfig::CheatDetector { .. } => "cheat_detector",
            AppConfig::Dashboard => "dashboard",
        }
    }
}

/// An `application` block (`{"kind": "fraud_detector", ...}`); None when there is none.
pub fn parse_application(
    v: Option<&Value>,
    path: &str,
    errs: &mut Errors,
) -> Option<Option<AppConfig>> {
    let Some(v) = v else {
        return Some(None);
    };
    let mut o = Obj::of(v, path, errs)?;
    let kind = o.choice(
        "kind",
        None,
        &["fraud_detector", "cheat_detector", "dashboard"],
        errs,
    )?;
    let app = match kind {
        "fraud_detector" => {
            let n = o.int("max_transactions", FRAUD_MAX_TRANSACTIONS, errs);
            let w = o.int("window_seconds", FRAUD_WINDOW, errs);
            let a = o.int("max_amount_cents", FRAUD_MAX_AMOUNT, errs);
            AppConfig::FraudDetector {
                max_transactions: n? as u32,
                window_ms: FRAUD_WINDOW.ms(w?),
                max_amount_cents: a?,
            }
        }
        "cheat_detector" => {
            let n = o.int("max_actions", CHEAT_MAX_ACTIONS, errs);
            let w = o.int("window_seconds", CHEAT_WINDOW, errs);
            let m = o.int("max_score", CHEAT_MAX_SCORE, errs);
            AppConfig::CheatDetector {
                max_actions: n? as u32,
                window_ms: CHEAT_WINDOW.ms(w?),
                max_score: m?,
            }
        }
        _ => AppConfig::Dashboard,
    };
    o.finish(errs);
    Some(Some(app))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub seq: u64,
    /// When the consumer saw it (ms of simulated time).
    pub t_ms: u64,
    pub partition_key: String,
    pub reason: String,
    /// When the record that gave it away arrived in the stream.
    pub event_ms: u64,
    /// `t_ms − event_ms`.
    pub delay_ms: u64,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub cfg: AppConfig,
    pub alerts: VecDeque<Alert>,
    pub alerts_total: u64,
    /// When the first alert was raised (the list above keeps only the recent ones).
    pub first_alert_ms: Option<u64>,
    pub delay_ms_sum: u64,
    pub delay_ms_max: u64,
    /// Dashboard: records seen, and in the last whole second.
    pub records_seen: u64,
    pub seen_this_second: u64,
    pub seen_last_second: u64,
    second: u64,
}

/// One record as an application sees it.
pub struct Seen<'a> {
    pub key_string: &'a dyn Fn() -> String,
    pub content: Lazy,
    pub arrival_ms: u64,
}

impl AppState {
    pub fn new(cfg: AppConfig) -> Self {
        Self {
            cfg,
            alerts: VecDeque::new(),
            alerts_total: 0,
            first_alert_ms: None,
            delay_ms_sum: 0,
            delay_ms_max: 0,
            records_seen: 0,
            seen_this_second: 0,
            seen_last_second: 0,
            second: 0,
        }
    }

    fn alert(&mut self, t_ms: u64, r: &Seen, reason: String) {
        let delay = t_ms.saturating_sub(r.arrival_ms);
        self.alerts_total += 1;
        self.first_alert_ms.get_or_insert(t_ms);
        self.delay_ms_sum += delay;
        self.delay_ms_max = self.delay_ms_max.max(delay);
        if self.alerts.len() == ALERTS_KEPT {
            self.alerts.pop_front();
        }
        self.alerts.push_back(Alert {
            seq: self.alerts_total,
            t_ms,
            partition_key: (r.key_string)(),
            reason,
            event_ms: r.arrival_ms,
            delay_ms: delay,
        });
    }

    pub fn mean_delay_ms(&self) -> u64 {
        self.delay_ms_sum / self.alerts_total.max(1)
    }

    /// Too many events of one key in its window? Alerts once a window. The window is fixed per
    /// key, restarted by the first event after it ends (kept in the consumer's per-key table):
    /// cheap enough for 100,000 players at 20,000 events a second, and it never misses a burst
    /// longer than twice the window. Keys that are fresh every record have no window.
    fn count(r: &Seen, slot: Option<&mut KeyState>, window_ms: u64, max: u32) -> Option<u32> {
        let k = slot?;
        // Window starts are kept as u32 ms (the table is the hot path's cache footprint), so
        // the time since the start is taken modulo 2^32 ms (49.7 days): right for any run
        // length, as long as one key is not silent for 49.7 days and then lands inside the
        // old window's span again.
        let now = r.arrival_ms as u32;
        if k.window_count == 0 || u64::from(now.wrapping_sub(k.window_start_ms)) >= window_ms {
            k.window_start_ms = now;
            k.window_count = 0;
        }
        k.window_count += 1;
        (k.window_count == max + 1).then_some(k.window_count)
    }

    /// Looks at one record delivered at `t_ms`.
    pub fn see(&mut self, t_ms: u64, r: &Seen, slot: Option<&mut KeyState>) {
        self.records_seen += 1;
        let second = t_ms / 1000;
        if second != self.second {
            self.seen_last_second = if second == self.second + 1 {
                self.seen_this_second
            } else {
                0
            };
            self.seen_this_second = 0;
            self.second = second;
        }
        self.seen_this_second += 1;
        match self.cfg {
            // A dashboard counts; it reads nothing of the record.
            AppConfig::Dashboard => {}
            AppConfig::FraudDetector {
                max_transactions,
                window_ms,
                max_amount_cents,
            } => {
                let amount = r.content.amount_cents();
                if amount > max_amount_cents {
                    let reason = format!(
                        "a transaction of ${:.2}, above ${:.2}",
                        amount as f64 / 100.0,
                        max_amount_cents as f64 / 100.0
                    );
                    self.alert(t_ms, r, reason);
                }
                if let Some(n) = Self::count(r, slot, window_ms, max_transactions) {
                    let reason = format!(
                        "{n} transactions within {} s (more than {max_transactions})",
                        window_ms / 1000
                    );
                    self.alert(t_ms, r, reason);
                }
            }
            AppConfig::CheatDetector {
                max_actions,
                window_ms,
                max_score,
            } => {
                let score = r.content.score();
                if score > max_score {
                    let reason = format!("scored {score} in one action (more than {max_score})");
                    self.alert(t_ms, r, reason);
                }
                if let Some(n) = Self::count(r, slot, window_ms, max_actions) {
                    let reason = format!(
                        "{n} actions within {} s (more than {max_actions}): too fast for a person",
                        window_ms / 1000
                    );
                    self.alert(t_ms, r, reason);
                }
            }
        }
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        for v in [
            self.alerts_total,
            self.delay_ms_sum,
            self.delay_ms_max,
            self.records_seen,
        ] {
            h.u64(v);
        }
    }
}

/// An application's part of a consumer's report.
#[derive(Serialize)]
pub struct AppReport {
    pub kind: &'static str,
    pub records_seen: u64,
    pub records_last_second: u64,
    pub alerts: u64,
    /// Detection delay (alert time − arrival of the record), mean and worst, ms.
    pub detection_delay_ms_mean: u64,
    pub detection_delay_ms_max: u64,
    /// The newest alerts (at most 20).
    pub recent_alerts: Vec<Alert>,
}

/// Alerts a report lists.
pub const ALERTS_REPORTED: usize = 20;

impl AppState {
    pub fn report(&self) -> AppReport {
        AppReport {
            kind: self.cfg.name(),
            records_seen: self.records_seen,
            records_last_second: self.seen_last_second,
            alerts: self.alerts_total,
            detection_delay_ms_mean: self.mean_delay_ms(),
            detection_delay_ms_max: self.delay_ms_max,
            recent_alerts: newest(&self.alerts, ALERTS_REPORTED),
        }
    }
}

/// The newest `n` alerts, oldest first.
pub fn newest(alerts: &VecDeque<Alert>, n: usize) -> Vec<Alert> {
    alerts
        .iter()
        .skip(alerts.len().saturating_sub(n))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::base::content::Content;

    #[test]
    fn an_impossible_score_and_a_burst_raise_alerts_with_their_delays() {
        let mut app = AppState::new(AppConfig::CheatDetector {
            max_actions: 3,
            window_ms: 1000,
            max_score: 10_000,
        });
        let name = || "player-1".to_string();
        let mut slot = KeyState::default();
        // Records (of content seed 1) with an impossible score and with an ordinary one.
        let cheat = (0..).find(|&n| Content::of(1, n).score > 10_000).unwrap();
        let normal = (0..).find(|&n| Content::of(1, n).score < 100).unwrap();
        let seen = |arrival_ms, rec_no| Seen {
            key_string: &name,
            content: Lazy {
                content_seed: 1,
                rec_no,
            },
            arrival_ms,
        };
        app.see(1_500, &seen(1_000, cheat), Some(&mut slot));
        for t in [1_100, 1_200, 1_300] {
            app.see(t + 400, &seen(t, normal), Some(&mut slot));
        }
        assert_eq!(app.alerts_total, 2);
        assert_eq!(
            app.alerts[0].reason,
            "scored 100000 in one action (more than 10000)"
        );
        assert_eq!(app.alerts[0].delay_ms, 500);
        assert_eq!(
            app.alerts[1].reason,
            "4 actions within 1 s (more than 3): too fast for a person"
        );
        assert_eq!(
            (app.alerts[1].event_ms, app.alerts[1].delay_ms),
            (1_300, 400)
        );
        // One alert a window, however many more come in it.
        app.see(1_800, &seen(1_400, normal), Some(&mut slot));
        assert_eq!(app.alerts_total, 2);
    }

    #[test]
    fn regression_bursts_are_still_caught_after_49_days() {
        // Window starts are u32 ms: past 2^32 ms every event used to start a new window, and
        // count alerts stopped for good after 49.7 simulated days.
        let mut app = AppState::new(AppConfig::CheatDetector {
            max_actions: 3,
            window_ms: 1000,
            max_score: u64::MAX,
        });
        let name = || "player-1".to_string();
        let mut slot = KeyState::default();
        let seen = |arrival_ms| Seen {
            key_string: &name,
            content: Lazy {
                content_seed: 1,
                rec_no: 0,
            },
            arrival_ms,
        };
        let day_60 = 60 * 86_400_000;
        // A burst straddling the 2^32 ms wrap, then one well after it.
        for t in [
            (1 << 32) - 300,
            (1 << 32) - 100,
            (1 << 32) + 100,
            (1 << 32) + 200,
        ] {
            app.see(t + 50, &seen(t), Some(&mut slot));
        }
        for t in [
            day_60,
            day_60 + 10,
            day_60 + 20,
            day_60 + 30,
            day_60 + 2_000,
        ] {
            app.see(t + 50, &seen(t), Some(&mut slot));
        }
        assert_eq!(app.alerts_total, 2);
        assert_eq!(app.alerts[1].event_ms, day_60 + 30);
    }
}
