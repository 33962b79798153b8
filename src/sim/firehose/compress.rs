//! Firehose's compression formats, for real: the bytes of an object as Firehose would write it
//! (GZIP, ZIP, Snappy's framing format, Hadoop's block Snappy), so object sizes come from
//! compressing the lines records really carry. Pure Rust (`miniz_oxide`, `snap`, `crc32fast`):
//! the same bytes natively and in wasm.
//!
//! Compressing every object in full is not affordable (the `gaming` preset writes a 128 MiB
//! object every ~23 s), so the buffer keeps a deterministic sample of its records (see
//! `firehose::ObjectSample`): spread slices of at most [`SAMPLE_MAX_BYTES`] in all. An object no
//! larger than that is compressed whole and its size is exact; a larger one's size is the
//! format's framing for the whole object, plus the sample's compressed payload, plus the rest of
//! the object at the sample's marginal ratio ([`estimate`], [`WARM_UP_BYTES`]). What a delivery
//! stream compresses is also bounded in simulated time (`firehose::COMPRESS_CREDIT_BYTES_PER_S`):
//! an object delivered when that credit is spent is sized at the ratio last measured.

use std::io::Write;

use super::config::Compression;

/// DEFLATE level for GZIP and ZIP: 6, the default of gzip, zlib and Java's `Deflater` (AWS does
/// not say which level Firehose uses).
pub const DEFLATE_LEVEL: u8 = 6;

/// Objects up to this many raw bytes are compressed whole (their size is exact); larger ones by
/// a sample of about half to all of this (see the module's doc). Measured with
/// `examples/compression_ratios.rs`: DEFLATE level 6 runs at ~50 MB/s natively on these lines,
/// so a 256 KiB sample costs ~3 ms where 1 MiB whole costs ~20 ms, and
/// sampled sizes of 1–32 MiB objects of the four templates come within ±1.9 % of compressing
/// them whole (±0.9 % with a 1 MiB sample: not worth five times the time).
pub const SAMPLE_MAX_BYTES: u64 = 256 * 1024;

/// Slices of the sample: records starting in the first `SAMPLE_SLICE_BYTES` of every `stride`
/// bytes of the object (a power of two at least this, doubled whenever the sample grows past
/// [`SAMPLE_MAX_BYTES`]). 16 KiB keeps each slice a run of whole records of ordinary sizes.
pub const SAMPLE_SLICE_BYTES: u64 = 16 * 1024;

/// Hadoop's `SnappyCodec` writes blocks of `buffer − (buffer / 6 + 32)` input bytes with its
/// default 256 KiB buffer (`io.compression.codec.snappy.buffersize`), each as the input length
/// and the compressed length (4 bytes each, big-endian) then the raw Snappy block.
pub const HADOOP_SNAPPY_BLOCK: usize = 262_144 - (262_144 / 6 + 32);

/// Snappy's framing format: chunks of at most 64 KiB of input.
const SNAPPY_FRAME_CHUNK: u64 = 65_536;

fn crc32(data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(data);
    h.finalize()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(data, DEFLATE_LEVEL)
}

/// DEFLATE's output size after `data[..mark]` (a sync flush there: the window is kept) and in
/// all: one pass for a sample's payload and its head's.
fn deflate_marked(data: &[u8], mark: usize) -> (u64, u64) {
    use miniz_oxide::deflate::core::{
        compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
    };
    let flags = create_comp_flags_from_zip_params(i32::from(DEFLATE_LEVEL), 0, 0);
    let mut c = CompressorOxide::new(flags);
    let mut out = vec![0u8; 64 * 1024];
    let (mut total, mut at_mark) = (0u64, 0u64);
    for (part, flush) in [
        (&data[..mark], TDEFLFlush::Sync),
        (&data[mark..], TDEFLFlush::Finish),
    ] {
        let mut input = part;
        loop {
            let (status, used, made) = compress(&mut c, input, &mut out, flush);
            input = &input[used..];
            total += made as u64;
            match status {
                TDEFLStatus::Done => break,
                TDEFLStatus::Okay if input.is_empty() && made < out.len() => break,
                TDEFLStatus::Okay => {}
                s => panic!("DEFLATE failed: {s:?}"),
            }
        }
        if flush == TDEFLFlush::Sync {
            at_mark = total;
        }
    }
    (at_mark, total)
}

/// A gzip file (RFC 1952): a 10-byte header without name or time, the DEFLATE stream, then
/// CRC-32 and length (8 bytes).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let d = deflate(data);
    let mut out = Vec::with_capacity(d.len() + 18);
    // Magic, DEFLATE, no flags, no mtime, XFL 0 (default level), OS unknown.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    out.extend_from_slice(&d);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A zip archive holding one file, `name`, deflated: local file header (30 bytes + name), the
/// DEFLATE stream, central directory entry (46 bytes + name), end of central directory
/// (22 bytes). Sizes are known before writing, so no data descriptor.
pub fn zip(data: &[u8], name: &str) -> Vec<u8> {
    let d = deflate(data);
    let crc = crc32(data);
    let n = name.len() as u16;
    let mut out = Vec::with_capacity(d.len() + 98 + 2 * name.len());
    let le16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
    let le32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    // Version 2.0, no flags, DEFLATE, 1980-01-01 00:00.
    let common = |out: &mut Vec<u8>| {
        for v in [20u16, 0, 8, 0, 0x21] {
            le16(out, v);
        }
        le32(out, crc);
        le32(out, d.len() as u32);
        le32(out, data.len() as u32);
        le16(out, n);
        le16(out, 0); // extra field length
    };
    le32(&mut out, 0x0403_4b50);
    common(&mut out);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&d);
    let cd_offset = out.len() as u32;
    le32(&mut out, 0x0201_4b50);
    le16(&mut out, 20); // made by
    common(&mut out);
    for v in [0u16, 0, 0] {
        le16(&mut out, v); // comment length, disk, internal attributes
    }
    le32(&mut out, 0); // external attributes
    le32(&mut out, 0); // offset of the local header
    out.extend_from_slice(name.as_bytes());
    let cd_size = out.len() as u32 - cd_offset;
    le32(&mut out, 0x0605_4b50);
    for v in [0u16, 0, 1, 1] {
        le16(&mut out, v);
    }
    le32(&mut out, cd_size);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

/// Snappy's framing format (what Firehose's `Snappy` writes): the stream identifier (10 bytes),
/// then per 64 KiB of input a chunk of 4-byte header, masked CRC-32C and the compressed data
/// (stored as is when compressing does not pay).
pub fn snappy_framed(data: &[u8]) -> Vec<u8> {
    let mut w = snap::write::FrameEncoder::new(Vec::new());
    w.write_all(data).expect("writing to a Vec");
    w.into_inner().expect("flushing to a Vec")
}

/// Hadoop's block Snappy (`HADOOP_SNAPPY`), see [`HADOOP_SNAPPY_BLOCK`].
pub fn hadoop_snappy(data: &[u8]) -> Vec<u8> {
    let mut enc = snap::raw::Encoder::new();
    let mut out = Vec::new();
    for block in data.chunks(HADOOP_SNAPPY_BLOCK) {
        let c = enc
            .compress_vec(block)
            .expect("a block within Snappy's limits");
        out.extend_from_slice(&(block.len() as u32).to_be_bytes());
        out.extend_from_slice(&(c.len() as u32).to_be_bytes());
        out.extend_from_slice(&c);
    }
    out
}

/// The object as Firehose writes it in `format` (`name`: the file inside a ZIP).
pub fn compress(format: Compression, data: &[u8], name: &str) -> Vec<u8> {
    match format {
        Compression::Uncompressed => data.to_vec(),
        Compression::Gzip => gzip(data),
        Compression::Zip => zip(data, name),
        Compression::Snappy => snappy_framed(data),
        Compression::HadoopSnappy => hadoop_snappy(data),
    }
}

/// Bytes the format adds around the compressed data of `raw` input bytes (headers, trailers,
/// chunk headers): what does not scale with how well the data compresses.
pub fn framing(format: Compression, raw: u64, name_len: u64) -> u64 {
    let chunks = |size: u64| raw.div_ceil(size);
    match format {
        Compression::Uncompressed => 0,
        Compression::Gzip => 18,
        Compression::Zip => 98 + 2 * name_len,
        Compression::Snappy => 10 + 8 * chunks(SNAPPY_FRAME_CHUNK),
        Compression::HadoopSnappy => 8 * chunks(HADOOP_SNAPPY_BLOCK as u64),
    }
}

/// What compressing a sample tells: its compressed payload (framing left out), its size, and
/// the payload and size of its leading part ([`WARM_UP_BYTES`]), for the marginal ratio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    pub payload: u64,
    pub bytes: u64,
    pub head_payload: u64,
    pub head_bytes: u64,
}

/// A compressor starts with an empty window: the first tens of KiB of any stream compress
/// worse (about 1.6 KB more for DEFLATE on these lines, whatever the stream's length). The
/// rest of a sampled object is therefore scaled by the sample's *marginal* ratio, measured
/// beyond its first `WARM_UP_BYTES`, not by its average ratio (which made 256 KiB samples of
/// large objects read 4–6 % too big).
pub const WARM_UP_BYTES: usize = 64 * 1024;

/// Compresses a sample (`head`: where its records past [`WARM_UP_BYTES`] begin; 0 when the
/// sample is the whole object, whose file is then built as it is: its size is exact).
pub fn measure(format: Compression, sample: &[u8], head: usize, name: &str) -> Measure {
    let n = sample.len() as u64;
    let payload = |data: &[u8]| {
        let c = compress(format, data, name).len() as u64;
        c - framing(format, data.len() as u64, name.len() as u64)
    };
    if format == Compression::Uncompressed {
        return Measure {
            payload: n,
            bytes: n,
            head_payload: 0,
            head_bytes: 0,
        };
    }
    let head = head.min(sample.len());
    if head == 0 || head == sample.len() {
        // No head to tell apart: the sample's own file (an object compressed whole).
        return Measure {
            payload: payload(sample),
            bytes: n,
            head_payload: 0,
            head_bytes: 0,
        };
    }
    if matches!(format, Compression::Gzip | Compression::Zip) {
        // The same DEFLATE stream but for a sync flush after the head (5 bytes more).
        let (head_payload, payload) = deflate_marked(sample, head);
        return Measure {
            payload,
            bytes: n,
            head_payload,
            head_bytes: head as u64,
        };
    }
    Measure {
        payload: payload(sample),
        bytes: n,
        head_payload: payload(&sample[..head]),
        head_bytes: head as u64,
    }
}

/// The size of an object of `raw` bytes from its sample's [`Measure`]: exact when the sample
/// is the whole object; else the format's framing for `raw`, the sample's payload, and the
/// rest of the object at the sample's marginal ratio.
pub fn estimate(format: Compression, raw: u64, name_len: u64, m: Measure) -> u64 {
    let rest = raw.saturating_sub(m.bytes);
    let scaled = if rest == 0 || m.bytes == 0 {
        0
    } else {
        let (p, b) = if m.bytes > m.head_bytes && m.payload > m.head_payload {
            (m.payload - m.head_payload, m.bytes - m.head_bytes)
        } else {
            (m.payload, m.bytes)
        };
        // Rounded to the nearest byte, in integers: the same natively and in wasm.
        ((u128::from(p) * u128::from(rest) + u128::from(b) / 2) / u128::from(b)) as u64
    };
    framing(format, raw, name_len) + m.payload + scaled
}

/// The size of another object of `raw` bytes in the same format, from the [`Measure`] of an
/// earlier one (the credit was short): its warm-up part as that sample's head, the rest at the
/// sample's marginal ratio — not its average, which carries the warm-up penalty (4–6 % too big
/// for large objects).
pub fn estimate_from(format: Compression, raw: u64, name_len: u64, m: Measure) -> u64 {
    let ratio = |p: u64, b: u64, n: u64| {
        ((u128::from(p) * u128::from(n) + u128::from(b) / 2) / u128::from(b.max(1))) as u64
    };
    let body = if m.head_bytes > 0 && m.bytes > m.head_bytes && m.payload > m.head_payload {
        if raw <= m.head_bytes {
            ratio(m.head_payload, m.head_bytes, raw)
        } else {
            m.head_payload
                + ratio(
                    m.payload - m.head_payload,
                    m.bytes - m.head_bytes,
                    raw - m.head_bytes,
                )
        }
    } else {
        ratio(m.payload, m.bytes, raw)
    };
    framing(format, raw, name_len) + body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_deflate_is_about_the_plain_one() {
        // Block boundaries move with the flush: sizes differ a little, not by much.
        let mut data = Vec::new();
        for n in 0..2_000 {
            let key = format!("player-{}", n * 7 % 1_000);
            crate::sim::base::content::write_record(
                None,
                "p",
                1,
                n,
                &key,
                n,
                150 + (n % 300) as usize,
                &mut data,
            );
        }
        let (head, total) = deflate_marked(&data, 70_000);
        let plain = deflate(&data).len() as u64;
        assert!(total.abs_diff(plain) * 100 <= plain, "{total} vs {plain}");
        let head_plain = deflate(&data[..70_000]).len() as u64;
        assert!(
            head.abs_diff(head_plain) * 50 <= head_plain,
            "{head} vs {head_plain}"
        );
    }

    #[test]
    fn framing_is_what_the_builders_add() {
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for f in [
            Compression::Gzip,
            Compression::Zip,
            Compression::Snappy,
            Compression::HadoopSnappy,
        ] {
            let m = measure(f, &data, 0, "x.json");
            assert_eq!(
                estimate(f, data.len() as u64, 6, m),
                compress(f, &data, "x.json").len() as u64,
                "{f:?}"
            );
        }
    }
}
