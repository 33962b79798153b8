//! Consumer applications for the lessons: a fraud detector, a cheat detector and a live
//! dashboard. They look at the contents of the records they are delivered (regenerated from the
//! seed, see [`Content`]) and raise alerts, each with its detection delay: when the consumer saw
//! the record minus when the record arrived in the stream.

use std::collections::VecDeque;

use serde::Serialize;

use super::consumer::KeyState;
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
        let h = Self::hash(content_seed, rec_no);
        Self {
            amount_cents: Self::amount_of(h),
            score: Self::score_of(h),
        }
    }

    pub(crate) fn hash(content_seed: u64, rec_no: u64) -> u64 {
        mix64(content_seed ^ rec_no.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(crate) fn amount_of(h: u64) -> u64 {
        if h % 2_000 == 0 {
            250_000 + (h >> 20) % 750_000
        } else {
            100 + (h >> 11) % 9_900
        }
    }

    pub(crate) fn score_of(h: u64) -> u64 {
        let g = mix64(h);
        if g % 1_000_000 == 0 {
            100_000
        } else {
            (g >> 8) % 100
        }
    }
}

/// What kind of events a producer sends: the template of its records' JSON lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    Click,
    SensorReading,
    CardTransaction,
    GameAction,
}

impl Template {
    pub fn as_str(self) -> &'static str {
        match self {
            Template::Click => "click",
            Template::SensorReading => "sensor_reading",
            Template::CardTransaction => "card_transaction",
            Template::GameAction => "game_action",
        }
    }

    /// The record as JSON (one line, as producers write them for Firehose to concatenate),
    /// regenerated from the seed: the same record always reads the same.
    pub fn line(self, content_seed: u64, rec_no: u64, key: &str, arrival_ms: u64) -> String {
        let h = Content::hash(content_seed, rec_no);
        let g = mix64(h ^ 0x5bd1_e995);
        let (y, mo, d, hh, mi, ss) =
            super::firehose::utc(super::firehose::EPOCH_UNIX_S + arrival_ms / 1000);
        let ts = format!(
            "{y:04}-{mo:02}-{d:02}T{hh:02}:{mi:02}:{ss:02}.{:03}Z",
            arrival_ms % 1000
        );
        let key = serde_json::Value::from(key).to_string();
        match self {
            Template::Click => {
                const PAGES: [&str; 6] =
                    ["/", "/search", "/products", "/cart", "/checkout", "/help"];
                format!(
                    r#"{{"event":"click","session":{key},"page":"{}/{}","ts":"{ts}"}}"#,
                    PAGES[(g % 6) as usize],
                    (g >> 8) % 500
                )
            }
            Template::SensorReading => format!(
                r#"{{"sensor":{key},"temperature_c":{:.1},"humidity":{:.2},"ts":"{ts}"}}"#,
                15.0 + ((g % 200) as f64) / 10.0,
                ((g >> 16) % 100) as f64 / 100.0
            ),
            Template::CardTransaction => {
                let cents = Content::amount_of(h);
                format!(
                    r#"{{"card":{key},"amount":"{}.{:02}","currency":"EUR","merchant":"m-{}","ts":"{ts}"}}"#,
                    cents / 100,
                    cents % 100,
                    g % 5_000
                )
            }
            Template::GameAction => {
                const ACTIONS: [&str; 5] = ["move", "jump", "shoot", "collect", "trade"];
                format!(
                    r#"{{"player":{key},"action":"{}","score":{},"ts":"{ts}"}}"#,
                    ACTIONS[(g % 5) as usize],
                    Content::score_of(h)
                )
            }
        }
    }
}

/// A record's contents, worked out only as far as an application asks (the gaming hour asks
/// 72 million times).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lazy {
    pub content_seed: u64,
    pub rec_no: u64,
}

impl Lazy {
    pub fn amount_cents(self) -> u64 {
        Content::amount_of(Content::hash(self.content_seed, self.rec_no))
    }
    pub fn score(self) -> u64 {
        Content::score_of(Content::hash(self.content_seed, self.rec_no))
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
