//! Sequence numbers as Kinesis shows them: 56-digit decimals, increasing within a shard, not
//! contiguous.

use crate::sim::base::rng::mix64;

/// The sequence number Kinesis would show for record `index` of a shard: a 56-digit decimal,
/// increasing within the shard, not contiguous (gaps between neighbours vary).
pub fn sequence_number(shard_index: u32, index: u64, arrival_ms: u64) -> String {
    let gap = mix64(index ^ (u64::from(shard_index) << 40)) % 1000;
    format!(
        "49{shard_index:012}{arrival_ms:020}{:022}",
        index * 1000 + gap
    )
}

/// The (shard index, record index) a sequence number of [`sequence_number`] names.
pub fn parse_sequence_number(text: &str) -> Option<(u32, u64)> {
    if text.len() != 56 || !text.starts_with("49") || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let shard = text[2..14].parse().ok()?;
    let tail: u64 = text[34..].parse().ok()?;
    Some((shard, tail / 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_parse_back_to_their_shard_and_record() {
        let s = sequence_number(7, 123_456, 98_765);
        assert_eq!(parse_sequence_number(&s), Some((7, 123_456)));
        assert_eq!(parse_sequence_number("49123"), None);
        assert_eq!(parse_sequence_number(&s.replacen("49", "50", 1)), None);
    }

    #[test]
    fn sequence_numbers_increase_within_a_shard_and_have_56_digits() {
        let a = sequence_number(3, 10, 5_000);
        let b = sequence_number(3, 11, 5_000);
        let c = sequence_number(3, 12, 5_100);
        assert_eq!(a.len(), 56);
        assert!(a < b && b < c);
    }
}
