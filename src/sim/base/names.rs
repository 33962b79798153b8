//! The names a scenario declares, by kind, so a reference (a producer's `stream_name`, a
//! command's `delivery_stream_name`) can be checked where it is read, with its path.

use super::json::{quoted, quoted_list, text_value, Errors, Obj};
use super::limits::NAME_CHARS_MAX;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub streams: Vec<String>,
    /// Delivery streams without a `kinesis_source_configuration`: producers write to them.
    pub direct_put: Vec<String>,
    /// What commands can name: producers (with those earlier commands add), readers of a
    /// stream (consumers, Lambda triggers by label, a delivery stream's own reader as
    /// `firehose:<name>`), functions of Lambda triggers, and delivery streams.
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
    pub functions: Vec<String>,
    /// Labels of the enabled Lambda triggers (`aws_lambda_event_source_mapping.<label>`).
    pub mappings: Vec<String>,
    pub delivery_streams: Vec<String>,
}

impl Names {
    /// The `stream_name` of `o`: optional when the scenario has one stream; it must name one.
    pub fn stream_ref(&self, o: &mut Obj, errs: &mut Errors) -> Option<String> {
        let path = o.at("stream_name");
        let name = match (o.get("stream_name"), self.streams.as_slice()) {
            // With one stream, naming it is optional.
            (None, [only]) => return Some(only.clone()),
            // No valid stream: its own errors say why; naming one here would only add noise.
            (None, []) => return None,
            (None, _) => {
                errs.push(&path, "required when there is more than one stream");
                return None;
            }
            (Some(v), _) => text_value(v, &path, 1, NAME_CHARS_MAX, errs)?,
        };
        if !self.streams.contains(&name) {
            errs.push(
                &path,
                format!(
                    "{} is not a stream of this scenario ({})",
                    quoted(&name),
                    quoted_list(&self.streams)
                ),
            );
            return None;
        }
        Some(name)
    }

    /// A stream named by its ARN (`arn:aws:kinesis:…:stream/NAME`, as Terraform writes it) or
    /// by its name alone.
    pub fn stream_arn_ref(&self, arn: &str, path: &str, errs: &mut Errors) -> Option<String> {
        let name = arn
            .rsplit_once(":stream/")
            .map_or(arn, |(_, n)| n)
            .to_string();
        if self.streams.contains(&name) {
            Some(name)
        } else {
            errs.push(
                path,
                format!(
                    "{} is not a stream of this scenario ({})",
                    quoted(arn),
                    quoted_list(&self.streams)
                ),
            );
            None
        }
    }
}
