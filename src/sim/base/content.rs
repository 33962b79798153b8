//! What records say: the templates of their JSON lines, regenerated from (a producer's content
//! seed, the record's serial number), so the same record always says the same, natively and in
//! the browser, and nothing is stored. Also base64, as AWS writes record data in JSON.

use serde::Serialize;

use super::rng::mix64;
use super::time::iso_timestamp;

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

    /// The record's bare JSON line (its template's fields only), regenerated from the seed: the
    /// same record always reads the same. What a producer sends is [`write_record`]: this line
    /// filled out (or cut) to the record's size.
    pub fn line(self, content_seed: u64, rec_no: u64, key: &str, arrival_ms: u64) -> String {
        let fields = base_fields(Some(self), "", content_seed, rec_no, key, arrival_ms);
        let mut s = String::from("{");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(f);
        }
        s.push('}');
        s
    }
}

/// A numeric field of records that queries over the lake can sum and average: a card
/// transaction's `amount`, a game action's `score`, a sensor reading's `temperature_c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Amount,
    Score,
    TemperatureC,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Amount, Field::Score, Field::TemperatureC];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The field as the records' JSON lines name it.
    pub fn name(self) -> &'static str {
        match self {
            Field::Amount => "amount",
            Field::Score => "score",
            Field::TemperatureC => "temperature_c",
        }
    }

    /// What its sums are kept in: cents, points, tenths of a degree Celsius.
    pub fn unit(self) -> &'static str {
        match self {
            Field::Amount => "cents",
            Field::Score => "points",
            Field::TemperatureC => "tenths_of_a_degree",
        }
    }
}

impl Template {
    /// The numeric field its lines carry, if any (clicks have none).
    pub fn field(self) -> Option<Field> {
        match self {
            Template::CardTransaction => Some(Field::Amount),
            Template::GameAction => Some(Field::Score),
            Template::SensorReading => Some(Field::TemperatureC),
            Template::Click => None,
        }
    }
}

/// Words a record's `payload` field is made of (a fixed vocabulary, so payloads read like text
/// and compress like text, never like a run of one character).
const WORDS: [&str; 64] = [
    "alpha", "amber", "anchor", "arena", "arrow", "aurora", "badge", "banner", "beacon", "blaze",
    "bolt", "bonus", "bridge", "canyon", "castle", "cipher", "cloud", "comet", "copper", "coral",
    "crystal", "delta", "desert", "dragon", "echo", "ember", "falcon", "forest", "frost", "galaxy",
    "garden", "glacier", "harbor", "horizon", "island", "jade", "jungle", "lantern", "legend",
    "lotus", "marble", "meadow", "meteor", "mirror", "nebula", "nova", "oasis", "orbit", "pebble",
    "phoenix", "pixel", "quartz", "quest", "raven", "river", "rocket", "saga", "shadow", "signal",
    "summit", "thunder", "timber", "valley", "zephyr",
];
const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
];
const DEVICES: [&str; 6] = ["android", "ios", "windows", "macos", "linux", "console"];
const COUNTRIES: [&str; 10] = ["US", "DE", "FR", "GB", "ES", "IT", "NL", "BR", "JP", "IN"];
const USER_AGENTS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
];

/// The template's own fields, each as `"name":value`, in order.
fn base_fields(
    t: Option<Template>,
    source: &str,
    content_seed: u64,
    rec_no: u64,
    key: &str,
    arrival_ms: u64,
) -> Vec<String> {
    let h = Content::hash(content_seed, rec_no);
    let g = mix64(h ^ 0x5bd1_e995);
    let ts = format!(r#""ts":"{}""#, iso_timestamp(arrival_ms));
    let key = serde_json::Value::from(key).to_string();
    match t {
        Some(Template::Click) => {
            const PAGES: [&str; 6] = ["/", "/search", "/products", "/cart", "/checkout", "/help"];
            vec![
                r#""event":"click""#.to_string(),
                format!(r#""session":{key}"#),
                format!(r#""page":"{}/{}""#, PAGES[(g % 6) as usize], (g >> 8) % 500),
                ts,
            ]
        }
        Some(Template::SensorReading) => vec![
            format!(r#""sensor":{key}"#),
            format!(r#""temperature_c":{:.1}"#, 15.0 + ((g % 200) as f64) / 10.0),
            format!(r#""humidity":{:.2}"#, ((g >> 16) % 100) as f64 / 100.0),
            ts,
        ],
        Some(Template::CardTransaction) => {
            let cents = Content::amount_of(h);
            vec![
                format!(r#""card":{key}"#),
                format!(r#""amount":"{}.{:02}""#, cents / 100, cents % 100),
                r#""currency":"EUR""#.to_string(),
                format!(r#""merchant":"m-{}""#, g % 5_000),
                ts,
            ]
        }
        Some(Template::GameAction) => {
            const ACTIONS: [&str; 5] = ["move", "jump", "shoot", "collect", "trade"];
            vec![
                format!(r#""player":{key}"#),
                format!(r#""action":"{}""#, ACTIONS[(g % 5) as usize]),
                format!(r#""score":{}"#, Content::score_of(h)),
                ts,
            ]
        }
        None => vec![
            format!(r#""source":{}"#, serde_json::Value::from(source)),
            format!(r#""seq":{rec_no}"#),
            format!(r#""key":{key}"#),
            ts,
        ],
    }
}

/// Fields a real event of the kind carries besides the template's: added, in this order, while
/// they fit the record's size.
fn extra_fields(t: Option<Template>, e: u64) -> Vec<String> {
    let pick =
        |list: &[&'static str], salt: u64| list[(mix64(e ^ salt) % list.len() as u64) as usize];
    let n = |salt: u64, m: u64| mix64(e ^ salt) % m;
    let mut v = match t {
        Some(Template::Click) => vec![
            format!(
                r#""referrer":"{}""#,
                pick(
                    &[
                        "https://www.google.com/",
                        "https://www.bing.com/",
                        "https://news.example.com/",
                        "direct"
                    ],
                    1
                )
            ),
            format!(r#""country":"{}""#, pick(&COUNTRIES, 2)),
            format!(r#""dwell_ms":{}"#, n(3, 60_000)),
        ],
        Some(Template::SensorReading) => vec![
            format!(r#""site":"plant-{}""#, n(1, 40)),
            format!(r#""firmware":"fw-2.{}.{}""#, n(2, 12), n(3, 30)),
            format!(r#""battery":{}.{:02}"#, n(4, 2), n(5, 100)),
            format!(r#""rssi":-{}"#, 40 + n(6, 60)),
        ],
        Some(Template::CardTransaction) => vec![
            format!(
                r#""mcc":"{}""#,
                pick(&["5411", "5812", "5999", "4111", "5732", "7011"], 1)
            ),
            format!(r#""country":"{}""#, pick(&COUNTRIES, 2)),
            format!(
                r#""entry_mode":"{}""#,
                pick(&["chip", "contactless", "online", "swipe"], 3)
            ),
            format!(r#""terminal":"t-{:06}""#, n(4, 1_000_000)),
            format!(r#""auth_code":"{:06}""#, n(5, 1_000_000)),
        ],
        Some(Template::GameAction) => vec![
            format!(r#""match":"m-{}""#, n(1, 100_000)),
            format!(r#""level":{}"#, 1 + n(2, 60)),
            format!(r#""pos":[{},{}]"#, n(3, 2_000), n(4, 2_000)),
            format!(r#""latency_ms":{}"#, 5 + n(5, 200)),
        ],
        None => Vec::new(),
    };
    v.extend([
        format!(r#""session_id":"{:016x}""#, mix64(e ^ 11)),
        format!(r#""region":"{}""#, pick(&REGIONS, 12)),
        format!(r#""device":"{}""#, pick(&DEVICES, 13)),
        format!(r#""app_version":"3.{}.{}""#, n(14, 20), n(15, 10)),
        format!(r#""user_agent":"{}""#, pick(&USER_AGENTS, 16)),
    ]);
    v
}

/// Appends the bytes a record carries: one JSON line of exactly `size` bytes, its newline
/// included (Firehose adds no delimiter: producers end their records with one, so an object is
/// JSON lines). The template's line is filled out with the extra fields a real event carries
/// (session id, region, device, version, user agent, …) while they fit, then a `payload` of
/// words from a fixed vocabulary fills it to the byte. A record too small for its template's
/// line keeps the leading fields that fit, padded with spaces inside the braces (still valid
/// JSON); one of 1 or 2 bytes cannot hold `{}` and is a blank line. Deterministic from the
/// producer's content seed and the record's serial number; ASCII but for the partition key.
/// A producer without a `record_template` sends generic events (`source`, `seq`, `key`, `ts`).
#[allow(clippy::too_many_arguments)]
pub fn write_record(
    t: Option<Template>,
    source: &str,
    content_seed: u64,
    rec_no: u64,
    key: &str,
    arrival_ms: u64,
    size: usize,
    out: &mut Vec<u8>,
) {
    if size < 3 {
        out.extend_from_slice(&b" \n"[2 - size.min(2)..]);
        return;
    }
    const PAYLOAD_MIN: usize = r#","payload":"""#.len();
    let body = size - 1;
    let start = out.len();
    out.push(b'{');
    let mut len = 2; // the braces
    let mut all_fit = true;
    let mut n = 0;
    for f in base_fields(t, source, content_seed, rec_no, key, arrival_ms) {
        let add = f.len() + usize::from(n > 0);
        if len + add > body {
            all_fit = false;
            break;
        }
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(f.as_bytes());
        len += add;
        n += 1;
    }
    if all_fit && n > 0 {
        let e = mix64(Content::hash(content_seed, rec_no) ^ 0x2545_f491_4f6c_dd1d);
        for f in extra_fields(t, e) {
            if len + 1 + f.len() + PAYLOAD_MIN > body {
                break;
            }
            out.push(b',');
            out.extend_from_slice(f.as_bytes());
            len += 1 + f.len();
        }
        if len + PAYLOAD_MIN <= body {
            out.extend_from_slice(br#","payload":""#);
            let mut room = body - len - PAYLOAD_MIN;
            let mut i = 0u64;
            while room > 0 {
                if i > 0 {
                    out.push(b' ');
                    room -= 1;
                }
                let w = WORDS[(mix64(e ^ (i << 8) ^ 0x77) % WORDS.len() as u64) as usize];
                let take = w.len().min(room);
                out.extend_from_slice(&w.as_bytes()[..take]);
                room -= take;
                i += 1;
            }
            out.push(b'"');
        }
    }
    out.resize(start + body - 1, b' ');
    out.extend_from_slice(b"}\n");
    debug_assert_eq!(out.len() - start, size);
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
    /// A sensor reading's temperature, in tenths of a degree (its line says 15.0–34.9 °C).
    pub fn temperature_dc(self) -> u64 {
        let g = mix64(Content::hash(self.content_seed, self.rec_no) ^ 0x5bd1_e995);
        150 + g % 200
    }
    /// The record's value of `field`, in the field's unit.
    pub fn value(self, field: Field) -> u64 {
        match field {
            Field::Amount => self.amount_cents(),
            Field::Score => self.score(),
            Field::TemperatureC => self.temperature_dc(),
        }
    }
    pub fn score(self) -> u64 {
        Content::score_of(Content::hash(self.content_seed, self.rec_no))
    }
}

/// Standard base64 (RFC 4648, with padding), as AWS encodes `rawData`.
pub fn base64_into(raw: &[u8], out: &mut Vec<u8>) {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in raw.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() {
                ABC[(n >> shift & 63) as usize]
            } else {
                b'='
            });
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

    fn record(t: Option<Template>, rec_no: u64, size: usize) -> Vec<u8> {
        let mut out = b"before".to_vec();
        write_record(
            t,
            "src",
            7,
            rec_no,
            "player-5203",
            1_348_678,
            size,
            &mut out,
        );
        assert_eq!(&out[..6], b"before", "appends");
        out.split_off(6)
    }

    const TEMPLATES: [Option<Template>; 5] = [
        Some(Template::Click),
        Some(Template::SensorReading),
        Some(Template::CardTransaction),
        Some(Template::GameAction),
        None,
    ];

    #[test]
    fn records_are_json_lines_of_exactly_their_size() {
        for t in TEMPLATES {
            for size in [
                3, 10, 30, 60, 84, 85, 86, 99, 100, 150, 211, 300, 450, 1_000, 65_536,
            ] {
                let bare_of =
                    |rec_no| t.map_or(80, |t| t.line(7, rec_no, "player-5203", 1_348_678).len());
                for rec_no in 0..20 {
                    let bare = bare_of(rec_no);
                    let r = record(t, rec_no, size);
                    assert_eq!(r.len(), size, "{t:?} {size}");
                    assert_eq!(r.last(), Some(&b'\n'));
                    let text = std::str::from_utf8(&r[..size - 1]).unwrap();
                    assert!(!text.contains('\n'));
                    let v: serde_json::Value = serde_json::from_str(text)
                        .unwrap_or_else(|e| panic!("{t:?} {size}: {e}: {text}"));
                    let o = v.as_object().unwrap();
                    if size > bare {
                        // The template's line, filled out: all its fields, then more.
                        assert!(o.contains_key("ts"), "{text}");
                        if size >= bare + 40 {
                            assert!(o.len() > 4, "{text}");
                        }
                    }
                    if size >= bare + 30 {
                        // Filled with text, never a run of one character.
                        let run = r.windows(8).any(|w| w.iter().all(|&c| c == w[0]));
                        assert!(!run, "{t:?} {size}: {text}");
                    }
                    // Deterministic.
                    assert_eq!(record(t, rec_no, size), r);
                }
                if size > bare_of(1).max(bare_of(2)) {
                    assert_ne!(record(t, 1, size), record(t, 2, size), "{t:?} {size}");
                }
            }
        }
    }

    #[test]
    fn a_records_field_value_is_what_its_line_says() {
        for rec_no in 0..50 {
            let lazy = Lazy {
                content_seed: 7,
                rec_no,
            };
            let line = |t: Template| -> serde_json::Value {
                serde_json::from_str(&t.line(7, rec_no, "k", 0)).unwrap()
            };
            let temp = line(Template::SensorReading)["temperature_c"]
                .as_f64()
                .unwrap();
            assert_eq!(
                (temp * 10.0).round() as u64,
                lazy.value(Field::TemperatureC)
            );
            let score = line(Template::GameAction)["score"].as_u64().unwrap();
            assert_eq!(score, lazy.value(Field::Score));
            let amount = line(Template::CardTransaction)["amount"]
                .as_str()
                .unwrap()
                .replace('.', "");
            assert_eq!(amount.parse::<u64>().unwrap(), lazy.value(Field::Amount));
        }
    }

    #[test]
    fn a_game_action_is_its_bare_line_filled_out() {
        let bare = Template::GameAction.line(7, 1, "player-5203", 1_348_678);
        assert!(
            bare.starts_with(r#"{"player":"player-5203","action":""#),
            "{bare}"
        );
        assert!(
            bare.ends_with(r#","ts":"2025-01-01T00:22:28.678Z"}"#),
            "{bare}"
        );
        // Bigger: the same fields first, then extra ones and a payload of words.
        let big = record(Some(Template::GameAction), 1, 300);
        let big = std::str::from_utf8(&big).unwrap();
        assert!(big.starts_with(&bare[..bare.len() - 1]), "{big}");
        assert!(big.contains(r#""session_id":""#), "{big}");
        assert!(big.contains(r#""payload":""#), "{big}");
        // The bare size exactly: the bare line.
        let exact = record(Some(Template::GameAction), 1, bare.len() + 1);
        assert_eq!(exact, format!("{bare}\n").into_bytes());
        // Smaller: the leading fields that fit, padded inside the braces.
        let small = record(Some(Template::GameAction), 1, 50);
        let small = std::str::from_utf8(&small).unwrap();
        let v: serde_json::Value = serde_json::from_str(small).unwrap();
        assert_eq!(v["player"], "player-5203");
        assert!(v.get("ts").is_none(), "{small}");
        // Below a JSON object's size: a blank line.
        assert_eq!(record(Some(Template::GameAction), 1, 2), b" \n");
        assert_eq!(record(Some(Template::GameAction), 1, 1), b"\n");
        assert_eq!(record(Some(Template::GameAction), 1, 3), b"{}\n");
    }
}
