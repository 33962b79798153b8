//! Consumer applications for the lessons: a fraud detector, a cheat detector and a live
//! dashboard. They look at the contents of the records they are delivered (regenerated from the
//! seed, see [`Content`]) and raise alerts, each with its detection delay: when the consumer saw
//! the record minus when the record arrived in the stream.

use std::collections::VecDeque;

use serde::Serialize;

use super::digest::Fnv;
use super::rng::mix64;

/// Alerts kept per application.
pub const ALERTS_KEPT: usize = 256;

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

/// What a record says, regenerated from (its producer's content seed, its serial number): the
/// same record always says the same, natively and in the browser, and nothing is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Content {
    /// As a card transaction: usually $1–$100; one in 2,000 is $2,500–$10,000.
    pub amount_cents: u64,
    /// As a game action: usually 0–99 points; one in a million is an impossible 100,000.
    pub score: u64,
}

impl Content {
    pub fn of(content_seed: u64, rec_no: u64) -> Self {
        let h = mix64(content_seed ^ rec_no.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let amount_cents = if h % 2_000 == 0 {
            250_000 + (h >> 20) % 750_000
        } else {
            100 + (h >> 11) % 9_900
        };
        let g = mix64(h);
        let score = if g % 1_000_000 == 0 {
            100_000
        } else {
            (g >> 8) % 100
        };
        Self {
            amount_cents,
            score,
        }
    }
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
    /// Per producer, per key id: the key's current window (start, events in it). A fixed window
    /// per key, restarted by the first event after it ends: cheap enough for 100,000 players at
    /// 20,000 events a second, and it never misses a burst longer than twice the window.
    windows: Vec<Vec<(u64, u32)>>,
    pub alerts: VecDeque<Alert>,
    pub alerts_total: u64,
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
    pub producer: u16,
    pub key: u64,
    /// Key ids of the producer's key model (None: a fresh random key per record).
    pub key_space: Option<usize>,
    pub key_string: &'a dyn Fn() -> String,
    pub content: Content,
    pub arrival_ms: u64,
}

impl AppState {
    pub fn new(cfg: AppConfig) -> Self {
        Self {
            cfg,
            windows: Vec::new(),
            alerts: VecDeque::new(),
            alerts_total: 0,
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

    /// Too many events of one key in its window? Alerts once a window.
    fn count(&mut self, r: &Seen, window_ms: u64, max: u32) -> Option<u32> {
        let n = r.key_space?;
        let p = r.producer as usize;
        if self.windows.len() <= p {
            self.windows.resize(p + 1, Vec::new());
        }
        let table = &mut self.windows[p];
        if table.len() < n {
            table.resize(n, (0, 0));
        }
        let (start, count) = &mut table[r.key as usize];
        if *count == 0 || r.arrival_ms >= *start + window_ms {
            *start = r.arrival_ms;
            *count = 0;
        }
        *count += 1;
        (*count == max + 1).then_some(*count)
    }

    /// Looks at one record delivered at `t_ms`.
    pub fn see(&mut self, t_ms: u64, r: &Seen) {
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
            AppConfig::Dashboard => {}
            AppConfig::FraudDetector {
                max_transactions,
                window_ms,
                max_amount_cents,
            } => {
                if r.content.amount_cents > max_amount_cents {
                    let reason = format!(
                        "a transaction of ${:.2}, above ${:.2}",
                        r.content.amount_cents as f64 / 100.0,
                        max_amount_cents as f64 / 100.0
                    );
                    self.alert(t_ms, r, reason);
                }
                if let Some(n) = self.count(r, window_ms, max_transactions) {
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
                if r.content.score > max_score {
                    let reason = format!(
                        "scored {} in one action (more than {max_score})",
                        r.content.score
                    );
                    self.alert(t_ms, r, reason);
                }
                if let Some(n) = self.count(r, window_ms, max_actions) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_a_function_of_seed_and_serial_number() {
        assert_eq!(Content::of(7, 123), Content::of(7, 123));
        assert_ne!(Content::of(7, 123), Content::of(8, 123));
        let big = (0..200_000)
            .filter(|&n| Content::of(1, n).amount_cents > 200_000)
            .count();
        assert!((60..=140).contains(&big), "{big}");
        let cheats = (0..20_000_000)
            .filter(|&n| Content::of(1, n).score > 10_000)
            .count();
        assert!((8..=35).contains(&cheats), "{cheats}");
    }

    #[test]
    fn an_impossible_score_and_a_burst_raise_alerts_with_their_delays() {
        let mut app = AppState::new(AppConfig::CheatDetector {
            max_actions: 3,
            window_ms: 1000,
            max_score: 10_000,
        });
        let name = || "player-1".to_string();
        let seen = |arrival_ms, score| Seen {
            producer: 0,
            key: 1,
            key_space: Some(10),
            key_string: &name,
            content: Content {
                amount_cents: 0,
                score,
            },
            arrival_ms,
        };
        app.see(1_500, &seen(1_000, 100_000));
        for t in [1_100, 1_200, 1_300] {
            app.see(t + 400, &seen(t, 5));
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
        app.see(1_800, &seen(1_400, 5));
        assert_eq!(app.alerts_total, 2);
    }
}
