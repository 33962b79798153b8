//! Partition key → hash key → shard, exactly as Kinesis does it.
//!
//! The hash key is the MD5 digest of the partition key's UTF-8 bytes read as a 128-bit big-endian
//! unsigned integer. A record goes to the OPEN shard whose inclusive range
//! `[starting_hash_key, ending_hash_key]` holds its hash key.

use md5::{Digest, Md5};
use serde_json::Value;

use super::json::shown;

/// The largest hash key: 2^128 − 1.
pub const HASH_KEY_MAX: u128 = u128::MAX;

/// MD5 of the key's UTF-8 bytes as a big-endian u128.
pub fn hash_key(partition_key: &str) -> u128 {
    let digest = Md5::digest(partition_key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest);
    u128::from_be_bytes(bytes)
}

/// The inclusive ranges of `shard_count` shards created together: step = floor(max / n); shard i
/// covers [i·step, (i+1)·step − 1]; the last shard ends at the maximum.
pub fn even_split(shard_count: u32) -> Vec<(u128, u128)> {
    assert!(shard_count >= 1);
    let n = u128::from(shard_count);
    let step = HASH_KEY_MAX / n;
    (0..n)
        .map(|i| {
            let start = i * step;
            let end = if i + 1 == n {
                HASH_KEY_MAX
            } else {
                (i + 1) * step - 1
            };
            (start, end)
        })
        .collect()
}

/// `shardId-000000000007`: the 12-digit zero-padded index Kinesis uses.
pub fn shard_id(index: u32) -> String {
    format!("shardId-{index:012}")
}

/// Parses a decimal hash key as AWS takes one (`ExplicitHashKey`, `NewStartingHashKey`: the
/// pattern `0|([1-9]\d{0,38})`, no sign, no leading zeros); None if it is not one, or not in
/// 0..=2^128−1.
pub fn parse_hash_key(text: &str) -> Option<u128> {
    let digits = !text.is_empty() && text.len() <= 39 && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse::<u128>().ok()
}

/// What is wrong with a value given as a hash key (ExplicitHashKey, NewStartingHashKey).
pub fn bad_hash_key(v: &Value) -> String {
    format!(
        "{} is not a hash key: a decimal string in 0..=340282366920938463463374607431768211455 without leading zeros",
        shown(v)
    )
}

/// Index of the range (sorted, contiguous, covering the whole space) that holds `hash`.
pub fn route(ranges_sorted: &[(u128, u128)], hash: u128) -> usize {
    debug_assert!(!ranges_sorted.is_empty());
    // partition_point: the first range whose end is >= hash holds it (ranges are contiguous).
    let i = ranges_sorted.partition_point(|&(_, end)| end < hash);
    debug_assert!(i < ranges_sorted.len());
    i.min(ranges_sorted.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_known_keys() {
        // RFC 1321 test vectors, read big-endian.
        assert_eq!(hash_key(""), 0xd41d8cd98f00b204e9800998ecf8427e);
        assert_eq!(hash_key("abc"), 0x900150983cd24fb0d6963f7d28e17f72);
    }

    #[test]
    fn even_split_covers_the_space_without_gaps() {
        for n in [1u32, 2, 3, 4, 7, 20, 500] {
            let r = even_split(n);
            assert_eq!(r.len(), n as usize);
            assert_eq!(r[0].0, 0);
            assert_eq!(r.last().unwrap().1, HASH_KEY_MAX);
            for w in r.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0);
            }
        }
        // The figure in kinesis-facts.md: two shards split at floor(max/2).
        let two = even_split(2);
        assert_eq!(two[0].1, 170141183460469231731687303715884105726);
        assert_eq!(two[1].0, 170141183460469231731687303715884105727);
    }

    #[test]
    fn route_picks_the_holding_range() {
        let r = even_split(4);
        assert_eq!(route(&r, 0), 0);
        assert_eq!(route(&r, r[0].1), 0);
        assert_eq!(route(&r, r[1].0), 1);
        assert_eq!(route(&r, HASH_KEY_MAX), 3);
    }

    #[test]
    fn shard_ids_are_zero_padded_to_twelve_digits() {
        assert_eq!(shard_id(0), "shardId-000000000000");
        assert_eq!(shard_id(13), "shardId-000000000013");
    }

    #[test]
    fn explicit_hash_keys_parse_only_in_range() {
        assert_eq!(parse_hash_key("0"), Some(0));
        assert_eq!(
            parse_hash_key("340282366920938463463374607431768211455"),
            Some(HASH_KEY_MAX)
        );
        assert_eq!(
            parse_hash_key("340282366920938463463374607431768211456"),
            None
        );
        assert_eq!(parse_hash_key("-1"), None);
        assert_eq!(parse_hash_key("0012"), None);
        assert_eq!(parse_hash_key("00"), None);
        assert_eq!(parse_hash_key("+5"), None);
        assert_eq!(parse_hash_key("10"), Some(10));
        assert_eq!(parse_hash_key(""), None);
    }
}
