//! What a student can change about a Lambda trigger while it runs: its function's error rate (a
//! fault to break something, and the way back), and the event source mapping's settings
//! (UpdateEventSourceMapping, with Terraform's `aws_lambda_event_source_mapping` argument
//! names). As in AWS, new mapping settings apply to what the trigger does next: a batch being
//! retried when they change meets them at its next failure (bisected if bisect is now on, given
//! up if it has used up the new retries or is older than the new record age).

use serde::Serialize;

use super::config::check_record_age;
use super::state::LambdaState;
use crate::sim::base::json::{Errors, Obj};
use crate::sim::base::limits::{
    Ratio, ESM_BATCH_SIZE, ESM_RECORD_AGE, ESM_RETRY_ATTEMPTS, FUNCTION_ERROR_RATE, NAME_CHARS_MAX,
};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LambdaCommand {
    /// A Lambda function starts (or stops) failing at this rate.
    SetFunctionErrorRate {
        function_name: String,
        error_rate: f64,
    },
    /// UpdateEventSourceMapping on the mapping with this label (the Terraform resource's
    /// label, as `aws_lambda_event_source_mapping.<label>`). A field left out keeps its value.
    UpdateEventSourceMapping {
        mapping: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        batch_size: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        bisect_batch_on_function_error: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        maximum_retry_attempts: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        maximum_record_age_in_seconds: Option<i64>,
    },
}

impl LambdaCommand {
    pub const TYPES: &'static [&'static str] =
        &["set_function_error_rate", "update_event_source_mapping"];

    pub fn parse(kind: &str, o: &mut Obj, errs: &mut Errors) -> Option<Self> {
        if kind == "update_event_source_mapping" {
            let mapping = o.text("mapping", None, NAME_CHARS_MAX, errs);
            let batch_size = o.int_opt("batch_size", ESM_BATCH_SIZE, errs);
            let bisect = o.boolean_opt("bisect_batch_on_function_error", errs);
            let retries = o.signed_opt("maximum_retry_attempts", ESM_RETRY_ATTEMPTS, errs);
            let age = o.signed_opt("maximum_record_age_in_seconds", ESM_RECORD_AGE, errs);
            if let Some(Some(a)) = age {
                check_record_age(a, &o.at("maximum_record_age_in_seconds"), errs);
            }
            let (batch_size, bisect, retries, age) = (batch_size?, bisect?, retries?, age?);
            if batch_size.is_none() && bisect.is_none() && retries.is_none() && age.is_none() {
                errs.push(
                    o.path(),
                    "changes nothing: give batch_size, bisect_batch_on_function_error, \
                     maximum_retry_attempts or maximum_record_age_in_seconds",
                );
                return None;
            }
            return Some(LambdaCommand::UpdateEventSourceMapping {
                mapping: mapping?,
                batch_size,
                bisect_batch_on_function_error: bisect,
                maximum_retry_attempts: retries,
                maximum_record_age_in_seconds: age,
            });
        }
        let required = Ratio {
            default: None,
            ..FUNCTION_ERROR_RATE
        };
        Some(LambdaCommand::SetFunctionErrorRate {
            function_name: o.text("function_name", None, NAME_CHARS_MAX, errs)?,
            error_rate: o.num("error_rate", required, errs)?,
        })
    }

    /// What the command names, as (field, what it is, the name).
    pub fn reference(&self) -> (&'static str, &'static str, &str) {
        match self {
            LambdaCommand::SetFunctionErrorRate { function_name, .. } => (
                "function_name",
                "function of a Lambda trigger",
                function_name,
            ),
            LambdaCommand::UpdateEventSourceMapping { mapping, .. } => (
                "mapping",
                "Lambda trigger (aws_lambda_event_source_mapping label)",
                mapping,
            ),
        }
    }

    /// Whether this trigger is the one the command is about.
    pub fn targets(&self, l: &LambdaState) -> bool {
        match self {
            LambdaCommand::SetFunctionErrorRate { function_name, .. } => {
                l.function.name == *function_name
            }
            LambdaCommand::UpdateEventSourceMapping { mapping, .. } => l.esm.label == *mapping,
        }
    }
}

impl LambdaState {
    /// Applies a command about this trigger; returns what a student should notice.
    pub fn apply(&mut self, command: &LambdaCommand) -> String {
        match command {
            LambdaCommand::SetFunctionErrorRate { error_rate, .. } => {
                self.function.error_rate = *error_rate;
                if *error_rate > 0.0 {
                    format!(
                        "{} now fails {}% of its invocations: failed batches are retried and hold up their shard",
                        self.function.name,
                        (error_rate * 100.0).round()
                    )
                } else {
                    format!("{} no longer fails", self.function.name)
                }
            }
            LambdaCommand::UpdateEventSourceMapping {
                batch_size,
                bisect_batch_on_function_error,
                maximum_retry_attempts,
                maximum_record_age_in_seconds,
                ..
            } => {
                let esm = &mut self.esm;
                let mut changed = Vec::new();
                if let Some(b) = batch_size {
                    esm.batch_size = *b as u32;
                    changed.push(format!("batch size {b}"));
                }
                if let Some(b) = bisect_batch_on_function_error {
                    esm.bisect_batch_on_function_error = *b;
                    changed.push(format!("bisect on error {}", if *b { "on" } else { "off" }));
                }
                if let Some(r) = maximum_retry_attempts {
                    esm.maximum_retry_attempts = *r;
                    changed.push(if *r < 0 {
                        "retries until the records expire".to_string()
                    } else {
                        format!("at most {r} retries")
                    });
                }
                if let Some(a) = maximum_record_age_in_seconds {
                    esm.maximum_record_age_seconds = *a;
                    changed.push(if *a < 0 {
                        "no record age limit".to_string()
                    } else {
                        format!("records older than {a} s given up")
                    });
                }
                format!(
                    "trigger {} updated ({}): a batch being retried meets the new settings at its next failure",
                    esm.label,
                    changed.join(", ")
                )
            }
        }
    }
}
