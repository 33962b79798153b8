//! Simulated time as a calendar: time 0 is 2025-01-01T00:00:00Z, so object keys and record
//! timestamps read like real ones. Times in the simulation are integer milliseconds since then.

/// Simulated time 0 is this moment (2025-01-01T00:00:00Z), in seconds since the Unix epoch.
pub const EPOCH_UNIX_S: u64 = 1_735_689_600;

/// Civil date and time (UTC) of a count of seconds since 1970-01-01: (year, month, day, hour,
/// minute, second).
pub fn utc(seconds: u64) -> (u64, u32, u32, u32, u32, u32) {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u64;
    (
        y,
        m,
        d,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
        (rest % 60) as u32,
    )
}

/// The calendar time of simulated ms `t_ms`, as (year, month, day, hour, minute, second).
pub fn utc_of_sim_ms(t_ms: u64) -> (u64, u32, u32, u32, u32, u32) {
    utc(EPOCH_UNIX_S + t_ms / 1000)
}

/// `2025-01-01T00:00:01.250Z`: simulated ms as an ISO 8601 UTC timestamp.
pub fn iso_timestamp(t_ms: u64) -> String {
    let (y, mo, d, hh, mi, ss) = utc_of_sim_ms(t_ms);
    format!(
        "{y:04}-{mo:02}-{d:02}T{hh:02}:{mi:02}:{ss:02}.{:03}Z",
        t_ms % 1000
    )
}

/// Milliseconds since the Unix epoch of simulated ms `t_ms` (AWS's JSON timestamps).
pub fn unix_ms(t_ms: u64) -> u64 {
    EPOCH_UNIX_S * 1000 + t_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(utc(EPOCH_UNIX_S), (2025, 1, 1, 0, 0, 0));
        // 2024-02-29T23:59:59Z, a leap day.
        assert_eq!(utc(1_709_251_199), (2024, 2, 29, 23, 59, 59));
        assert_eq!(
            utc(EPOCH_UNIX_S + 86_400 * 59 + 3_723),
            (2025, 3, 1, 1, 2, 3)
        );
    }

    #[test]
    fn iso_timestamps_keep_milliseconds() {
        assert_eq!(iso_timestamp(1_250), "2025-01-01T00:00:01.250Z");
    }
}
